import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb, type LakeTableRef } from '@flowforge/engine';
import type { CompileContext } from '../compiled-job';
import { tableName, type LakeInput } from '../relations';
import { TransformError } from '../transform.errors';
import { openSandbox } from './sql-sandbox';
import { templateToConfig, validateSqlTemplate } from './sql-template';
import { checkTransformSqlConfig, compileTransformSql, transformSqlArgs, transformSqlInputs, type TransformSqlConfig } from './transform-sql';

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<TransformError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof TransformError) return err;
    throw err;
  }
  throw new Error('expected a TransformError');
}

const orders: LakeTableRef = { layer: 'silver', namespace: 'sales', table: 'orders' };
const schema = [
  { name: 'id', type: 'BIGINT', nullable: true },
  { name: 'day', type: 'DATE', nullable: true },
];
const ctx = (params?: CompileContext['params']): CompileContext => ({
  schemas: (ref) => (tableName(ref) === 'silver.sales.orders' ? schema : undefined),
  now: new Date('2024-06-01T00:00:00Z'),
  params,
});

const config: TransformSqlConfig = {
  sql: `WITH recent AS (SELECT * FROM silver.sales.orders WHERE day >= :since)\nSELECT count(*) AS n, :label AS label FROM recent; -- end`,
  params: { since: { type: 'date' }, label: { type: 'string', default: "it's" } },
  values: { since: '2024-01-03' },
  target: { layer: 'gold', namespace: 'sales', table: 'recent_orders' },
};

describe('transform.sql', () => {
  it('transformSqlInputs: the lake tables the SQL reads, without values or data', async () => {
    const { values: _v, ...noValues } = config;
    expect(await transformSqlInputs(noValues)).toEqual([orders]);
  });

  it('transformSqlInputs: a table the caller may not read is FF_TRANSFORM_UNKNOWN_TABLE at its position', async () => {
    const err = await refusal(transformSqlInputs(config, { canRead: (ref) => ref.layer !== 'silver' }));
    expect(err.code).toBe('FF_TRANSFORM_UNKNOWN_TABLE');
    expect(err.problems).toEqual([{ field: 'sql', message: expect.stringContaining('silver.sales.orders'), position: config.sql.indexOf('silver.') }]);
  });

  it('transformSqlInputs: an escape is refused before anything is fetched', async () => {
    const err = await refusal(transformSqlInputs({ ...config, sql: `SELECT * FROM read_parquet('/data/x.parquet')` }));
    expect(err.code).toBe('FF_SQL_NOT_ALLOWED');
    const copy = await refusal(transformSqlInputs({ ...config, sql: `COPY silver.sales.orders TO '/tmp/x.csv'` }));
    expect(copy.code).toBe('FF_SQL_NOT_ALLOWED');
  });

  it('compiles to one sandboxed SELECT with the values inlined (run values over config values over defaults), which the sandbox runs to the target file', async () => {
    const job = await compileTransformSql(config, ctx({ label: 'run', unrelated: 1 }));
    expect(job).toMatchObject({ sandboxed: true, inputs: [orders], mode: 'replace', target: config.target });
    expect(job.sql).toContain(`day >= CAST('2024-01-03' AS DATE)`);
    expect(job.sql).toContain(`CAST('run' AS VARCHAR) AS label`);
    expect(job.sql.endsWith('FROM recent')).toBe(true);

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-transform-sql-'));
    try {
      const file = path.join(dir, 'orders.parquet');
      const db = await openDuckDb({ threads: 1 });
      await db.withSession((s) => s.run(`COPY (SELECT i AS id, DATE '2024-01-01' + i::INT AS day FROM range(5) t(i)) TO '${file}' (FORMAT parquet)`));
      const inputs: LakeInput[] = [{ ref: orders, snapshotId: 's1', schema, files: [file] }];
      const sandbox = await openSandbox({ inputs, threads: 1, outputDir: path.join(dir, 'out') });
      await fs.mkdir(path.join(dir, 'out'));
      try {
        const written = await sandbox.copyTo(job.sql);
        expect(written.rows).toBe(1);
        const back = await db.withSession((s) => s.all(`SELECT * FROM '${written.file}'`));
        expect(back.rows).toEqual([{ n: '3', label: 'run' }]);
        // The same config through the sandbox with bound (not inlined) values gives the same rows.
        expect((await sandbox.query(config.sql, transformSqlArgs(config, { label: 'run' }))).rows).toEqual([{ n: '3', label: 'run' }]);
      } finally {
        sandbox.close();
        db.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('compile: a table that is not in the lake is FF_TRANSFORM_UNKNOWN_TABLE at its position', async () => {
    const sql = `SELECT * FROM silver.sales.orders JOIN gold.sales.nothing USING (id)`;
    const err = await refusal(compileTransformSql({ ...config, sql, params: {}, values: {} }, ctx()));
    expect(err.code).toBe('FF_TRANSFORM_UNKNOWN_TABLE');
    expect(err.problems).toEqual([{ field: 'sql', message: 'table gold.sales.nothing is not in the lake', position: sql.indexOf('gold.') }]);
  });

  it('compile: a missing or ill-typed value is FF_SQL_PARAMETER naming it', async () => {
    const err = await refusal(compileTransformSql({ ...config, values: { since: 'yesterday' } }, ctx()));
    expect(err.code).toBe('FF_SQL_PARAMETER');
    expect(err.problems).toEqual([{ field: 'values.since', message: expect.stringContaining('must be a date') }]);
  });

  it('compile: a syntax error is FF_TRANSFORM_EXPRESSION at its position in the user text', async () => {
    const sql = `SELECT :since AS s FROM silver.sales.orders WHERE`;
    const err = await refusal(compileTransformSql({ ...config, sql, params: { since: { type: 'date' } } }, ctx()));
    expect(err.code).toBe('FF_TRANSFORM_EXPRESSION');
    expect(err.problems[0]).toMatchObject({ field: 'sql', position: sql.length });
  });

  it('a bad config names each bad field', async () => {
    const bad = { sql: 'x'.repeat(100_001), target: { layer: 'bronze', namespace: 'Sales', table: 'ok' }, mode: 'merge', extra: 1 };
    const err = await refusal(() => checkTransformSqlConfig(bad));
    expect(err.code).toBe('FF_TRANSFORM_CONFIG');
    expect(err.problems.map((p) => p.field)).toEqual(['extra', 'sql', 'target.layer', 'target.namespace', 'mode']);
    await expect(compileTransformSql(bad as never, ctx())).rejects.toThrow(/target.layer: must be silver or gold/);
  });
});

describe('saved SQL templates', () => {
  const template = {
    name: 'orders-since',
    description: 'Orders since a day',
    sql: 'SELECT * FROM silver.sales.orders WHERE day >= :since',
    params: { since: { type: 'date', default: '2024-01-01' } },
  };

  it('accepts a consistent template and turns it into a job config', () => {
    const t = validateSqlTemplate(template);
    expect(templateToConfig(t, { layer: 'gold', namespace: 'sales', table: 'x' }, { since: '2024-02-01' })).toEqual({
      sql: template.sql,
      params: template.params,
      values: { since: '2024-02-01' },
      target: { layer: 'gold', namespace: 'sales', table: 'x' },
    });
  });

  it('refuses an undeclared parameter, an unused declaration and a bad default, naming each', async () => {
    const err = await refusal(() =>
      validateSqlTemplate({ ...template, sql: 'SELECT :since, :until', params: { since: { type: 'date', default: 'soon' }, spare: { type: 'integer' } } }),
    );
    expect(err.code).toBe('FF_SQL_PARAMETER');
    expect(err.problems).toEqual([
      { field: 'params.since.default', message: expect.stringContaining('must be a date') },
      { field: 'params.spare', message: expect.stringContaining('never uses it') },
      { field: 'sql', position: 15, message: 'parameter :until is not declared' },
    ]);
  });

  it('refuses a bad shape, naming each field', async () => {
    const err = await refusal(() => validateSqlTemplate({ name: 'Bad Name', sql: '', other: true }));
    expect(err.code).toBe('FF_TRANSFORM_CONFIG');
    expect(err.problems.map((p) => p.field)).toEqual(['other', 'name', 'sql']);
  });
});
