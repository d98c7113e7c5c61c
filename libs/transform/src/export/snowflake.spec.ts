// Snowflake is a paid SaaS, unreachable here: the loader runs against a test double at the snowflake-sdk
// boundary (SnowflakeClient) that records the statements and reads back the Parquet file PUT would
// upload (with real DuckDB). Not verified here: that Snowflake accepts these statements.
import { openDuckDb, sqlString, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { describeSelect } from './rows';
import { SnowflakeDestination, type SnowflakeClient, type SnowflakeConnectionConfig } from './snowflake';

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

const connection: SnowflakeConnectionConfig = { account: 'org-acct', username: 'loader', password: 'sn0wflake-Secret', warehouse: 'WH', database: 'DB' };
const SQL = `SELECT * FROM (VALUES (1, 'a', [1, 2]), (2, 'b', NULL)) AS t(id, name, tags)`;

function double(failOn?: RegExp) {
  const calls: string[] = [];
  const uploaded: unknown[] = [];
  const client: SnowflakeClient = {
    execute: async (text) => {
      calls.push(text);
      const put = /^PUT '(file:\/\/[^']+)'/.exec(text);
      if (put) uploaded.push(...(await session.all(`SELECT * FROM read_parquet(${sqlString(put[1]!.slice('file://'.length))}) ORDER BY id`)).rows);
      if (failOn?.test(text)) throw Object.assign(new Error("Numeric value 'x' is not recognized"), { code: 100038 });
      return [];
    },
    close: async () => void calls.push('CLOSE'),
  };
  return { calls, uploaded, connect: async () => client };
}

async function run(d: ReturnType<typeof double>, writeMode: 'replace' | 'append' | 'merge', key?: string[]) {
  const dest = new SnowflakeDestination({ connect: d.connect });
  return dest.load({
    connection,
    session,
    selectSql: SQL,
    schema: await describeSelect(session, SQL),
    table: { schema: 'sales', table: 'daily' },
    writeMode,
    ...(key ? { key } : {}),
  });
}

describe('SnowflakeDestination (test double at the snowflake-sdk boundary)', () => {
  it('replace: DDL before BEGIN, then DELETE + COPY INTO from the PUT Parquet file, in one transaction', async () => {
    const d = double();
    expect(await run(d, 'replace')).toEqual({ rows: 2 });
    const norm = d.calls.map((c) => c.replace(/ff_export_stage_\w+/g, 'STAGE').replace(/file:\/\/[^']+/, 'file://F'));
    expect(norm).toEqual([
      'CREATE TABLE IF NOT EXISTS "sales"."daily" ("id" NUMBER(19,0), "name" VARCHAR, "tags" VARCHAR)',
      'CREATE TEMPORARY STAGE "sales"."STAGE" FILE_FORMAT = (TYPE = PARQUET)',
      `PUT 'file://F' '@"sales"."STAGE"' AUTO_COMPRESS = FALSE OVERWRITE = TRUE`,
      'BEGIN',
      'DELETE FROM "sales"."daily"',
      'COPY INTO "sales"."daily" FROM @"sales"."STAGE" FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE ON_ERROR = ABORT_STATEMENT PURGE = TRUE',
      'COMMIT',
      'CLOSE',
    ]);
    expect(d.uploaded).toEqual([
      { id: 1, name: 'a', tags: '[1,2]' },
      { id: 2, name: 'b', tags: null },
    ]);
  });

  it('merge: COPY INTO a temporary table LIKE the target, then MERGE by key', async () => {
    const d = double();
    await run(d, 'merge', ['id']);
    const norm = d.calls.map((c) => c.replace(/ff_export_(stage|merge)_\w+/g, '$1'));
    expect(norm).toContain('CREATE TEMPORARY TABLE "sales"."merge" LIKE "sales"."daily"');
    expect(norm).toContain(
      'COPY INTO "sales"."merge" FROM @"sales"."stage" FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE ON_ERROR = ABORT_STATEMENT PURGE = TRUE',
    );
    expect(norm).toContain(
      'MERGE INTO "sales"."daily" AS T USING "sales"."merge" AS S ON T."id" = S."id" WHEN MATCHED THEN UPDATE SET T."name" = S."name", T."tags" = S."tags" WHEN NOT MATCHED THEN INSERT ("id", "name", "tags") VALUES (S."id", S."name", S."tags")',
    );
    expect(norm.filter((c) => c.startsWith('DELETE'))).toEqual([]);
  });

  it('a failing COPY rolls back; the error names the step and the code', async () => {
    const d = double(/^COPY INTO/);
    const err = await run(d, 'append').catch((e: unknown) => e);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    expect((err as TransformError).message).toBe("FF_EXPORT_DESTINATION: snowflake: copy into: Numeric value 'x' is not recognized [100038]");
    expect(d.calls.slice(-2)).toEqual(['ROLLBACK', 'CLOSE']);
  });

  it('validateConfig wants exactly one of password and privateKey', () => {
    const dest = new SnowflakeDestination();
    expect(() => dest.validateConfig({ ...connection, privateKey: 'PEM' })).toThrow(/exactly one of password, privateKey/);
    expect(() => dest.validateConfig({ ...connection, account: 'a b' })).toThrow(/connection.account must match/);
    expect(dest.validateConfig(connection)).toEqual(connection);
  });
});
