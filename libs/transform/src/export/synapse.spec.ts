// Azure Synapse is a paid Azure service and no SQL Server runs here: the loader runs against a test double
// at the `mssql` client boundary (SynapseClient), which records the T-SQL and the mssql Table objects the
// real client would send. The DuckDB side is real. Not verified here: that Synapse accepts this T-SQL.
import type sql from 'mssql';
import { openDuckDb, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { describeSelect } from './rows';
import { SynapseDestination, synapseSql, type SynapseClient, type SynapseConnectionConfig } from './synapse';

let duck: DuckDb;
let session: DuckDbSession;
beforeAll(async () => {
  duck = await openDuckDb({ threads: 1 });
  session = await duck.connect();
});
afterAll(() => {
  session.close();
  duck.close();
});

const connection: SynapseConnectionConfig = { server: 'ws.sql.azuresynapse.net', database: 'dw', user: 'loader', password: 's3cret-Passw0rd' };

type Col = { name: string; type: { declaration: string }; length?: number; precision?: number; scale?: number };
/** `name:type(length|precision,scale|scale)` of one bulk column (mssql keeps the type's arguments beside it). */
const columnText = (c: Col) =>
  `${c.name}:${c.type.declaration}${c.length !== undefined ? `(${c.length})` : c.precision !== undefined ? `(${c.precision},${c.scale})` : c.scale !== undefined ? `(${c.scale})` : ''}`;

/** Records every call; `failOn` makes the call whose text matches reject like the driver would. */
function double(failOn?: RegExp) {
  const calls: string[] = [];
  const bulks: { table: string; columns: string[]; rows: unknown[][] }[] = [];
  const client: SynapseClient = {
    query: async (text) => {
      calls.push(text);
      if (failOn?.test(text)) throw Object.assign(new Error(`Login failed for user 'loader' with password s3cret-Passw0rd`), { code: 'ELOGIN' });
    },
    bulk: async (t: sql.Table) => {
      calls.push(`BULK ${t.path}`);
      bulks.push({ table: String(t.path), columns: t.columns.map((c) => columnText(c as unknown as Col)), rows: t.rows.map((r) => [...r]) });
      if (failOn?.test(`BULK ${t.path}`)) throw new Error('bulk load failed');
    },
    begin: async () => void calls.push('BEGIN'),
    commit: async () => void calls.push('COMMIT'),
    rollback: async () => void calls.push('ROLLBACK'),
    close: async () => void calls.push('CLOSE'),
  };
  return { calls, bulks, connect: async () => client };
}

const SQL = `SELECT * FROM (VALUES (1, 'a', 10.5::DECIMAL(10,2), TIMESTAMP '2024-01-02 03:04:05.678', DATE '2024-01-02', true, [1,2]), (2, NULL, NULL, NULL, NULL, NULL, NULL)) AS t(id, name, amount, ts, d, ok, tags)`;

async function run(d: ReturnType<typeof double>, writeMode: 'replace' | 'append' | 'merge', key?: string[], selectSql = SQL) {
  const dest = new SynapseDestination({ connect: d.connect, batchRows: 1 });
  return dest.load({
    connection,
    session,
    selectSql,
    schema: await describeSelect(session, selectSql),
    table: { schema: 'sales', table: 'daily' },
    writeMode,
    ...(key ? { key } : {}),
  });
}

describe('SynapseDestination (test double at the mssql boundary)', () => {
  it('replace: CREATE TABLE before the transaction, DELETE + bulk batches inside it, typed values', async () => {
    const d = double();
    expect(await run(d, 'replace')).toEqual({ rows: 2 });
    expect(d.calls).toEqual([
      "IF OBJECT_ID(N'[sales].[daily]', N'U') IS NULL CREATE TABLE [sales].[daily] ([id] INT NULL, [name] NVARCHAR(MAX) NULL, [amount] DECIMAL(10,2) NULL, [ts] DATETIME2(6) NULL, [d] DATE NULL, [ok] BIT NULL, [tags] NVARCHAR(MAX) NULL);",
      'BEGIN',
      'DELETE FROM [sales].[daily];',
      'BULK [sales].[daily]',
      'BULK [sales].[daily]',
      'COMMIT',
      'CLOSE',
    ]);
    expect(d.bulks[0]!.columns).toEqual([
      'id:int',
      'name:nvarchar(65535)',
      'amount:decimal(10,2)',
      'ts:datetime2(6)',
      'd:date',
      'ok:bit',
      'tags:nvarchar(65535)',
    ]);
    expect(d.bulks[0]!.rows).toEqual([[1, 'a', '10.50', new Date('2024-01-02T03:04:05.678Z'), new Date('2024-01-02T00:00:00Z'), true, '[1,2]']]);
    expect(d.bulks[1]!.rows).toEqual([[2, null, null, null, null, null, null]]);
  });

  it('append: no DELETE; merge: bulk into a #stage table then one MERGE', async () => {
    const a = double();
    await run(a, 'append');
    expect(a.calls.filter((c) => c.startsWith('DELETE'))).toEqual([]);
    const m = double();
    await run(m, 'merge', ['id']);
    expect(m.bulks[0]!.table).toMatch(/^\[#ff_export_stage_\w+\]$/); // mssql's Table brackets the name
    const stage = m.bulks[0]!.table.slice(1, -1);
    expect(m.calls).toContain(synapseSql.merge({ schema: 'sales', table: 'daily' }, stage, ['id', 'name', 'amount', 'ts', 'd', 'ok', 'tags'], ['id']));
    expect(synapseSql.merge({ schema: 'sales', table: 'daily' }, '#s', ['id', 'v'], ['id'])).toBe(
      'MERGE INTO [sales].[daily] AS T USING [#s] AS S ON T.[id] = S.[id] WHEN MATCHED THEN UPDATE SET T.[v] = S.[v] WHEN NOT MATCHED BY TARGET THEN INSERT ([id], [v]) VALUES (S.[id], S.[v]);',
    );
    expect(m.calls.at(-2)).toMatch(/^IF OBJECT_ID\(N'tempdb\.\.#ff_export_stage_\w+'\) IS NOT NULL DROP TABLE \[#ff_export_stage_\w+\];$/);
  });

  it('a failing bulk rolls back and reports FF_EXPORT_DESTINATION without the password', async () => {
    const d = double(/^DELETE/);
    const err = await run(d, 'replace').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    expect((err as TransformError).message).toBe(
      "FF_EXPORT_DESTINATION: synapse: delete the previous rows: Login failed for user 'loader' with password *** [ELOGIN]",
    );
    expect(d.calls.slice(-2)).toEqual(['ROLLBACK', 'CLOSE']);
    expect(d.calls).not.toContain('COMMIT');
  });

  it('validateConfig names each bad field, never its value', () => {
    const dest = new SynapseDestination();
    try {
      dest.validateConfig({ server: 'bad host!', database: 'dw', user: 'u', port: 70000, extra: 1 });
      throw new Error('accepted');
    } catch (err) {
      expect((err as TransformError).code).toBe('FF_EXPORT_CONFIG');
      expect((err as TransformError).problems.map((p) => p.field)).toEqual(['connection.extra', 'connection.server', 'connection.port', 'connection.password']);
      expect((err as TransformError).message).not.toContain('bad host!');
    }
  });
});
