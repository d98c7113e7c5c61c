import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb, sqlString } from '@flowforge/engine';
import { previewJob } from './preview';
import { tableSql, type LakeInput } from './relations';

describe('previewJob (real DuckDB over Parquet files)', () => {
  let dir: string;
  let facts: LakeInput;
  let dims: LakeInput;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-preview-'));
    const db = await openDuckDb({ threads: 1 });
    await db.withSession(async (s) => {
      await s.run(
        `COPY (SELECT i AS id, i % 10 AS cust, CASE WHEN i % 4 = 0 THEN 'x' ELSE (i * 2)::VARCHAR END AS amount FROM range(1000) t(i)) TO ${sqlString(path.join(dir, 'f.parquet'))} (FORMAT parquet)`,
      );
      await s.run(`COPY (SELECT i AS cust, 'c' || i AS name FROM range(10) t(i)) TO ${sqlString(path.join(dir, 'd.parquet'))} (FORMAT parquet)`);
    });
    db.close();
    const col = (name: string, type: string) => ({ name, type, nullable: true });
    facts = {
      ref: { layer: 'bronze', namespace: 's', table: 'facts' },
      snapshotId: 'f1',
      schema: [col('id', 'BIGINT'), col('cust', 'BIGINT'), col('amount', 'VARCHAR')],
      files: [path.join(dir, 'f.parquet')],
    };
    dims = {
      ref: { layer: 'silver', namespace: 's', table: 'dims' },
      snapshotId: 'd1',
      schema: [col('cust', 'BIGINT'), col('name', 'VARCHAR')],
      files: [path.join(dir, 'd.parquet')],
    };
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const compile = async () => ({
    inputs: [facts.ref, dims.ref],
    sql: `SELECT f.id, d.name, TRY_CAST(f.amount AS INTEGER) AS amount FROM ${tableSql(facts.ref)} f JOIN ${tableSql(dims.ref)} d USING (cust) WHERE TRY_CAST(f.amount AS INTEGER) IS NOT NULL`,
    rejectsSql: `SELECT 'CAST_FAILED' AS reason, amount AS raw FROM ${tableSql(facts.ref)} WHERE TRY_CAST(amount AS INTEGER) IS NULL`,
    guards: [{ code: 'FF_TRANSFORM_DUPLICATE_KEY' as const, message: 'cust twice', sql: `SELECT cust FROM ${tableSql(dims.ref)} WHERE cust = 3` }],
  });

  it('answers the first rows and schema from a sample of the fact input, the exact count from the whole when within budget', async () => {
    const p = await previewJob({
      inputs: [facts, dims],
      sample: [{ ref: facts.ref, totalRows: 1000 }],
      compile,
      limit: 5,
      sampleRows: 100,
      countBudgetMs: 30_000,
      threads: 1,
    });
    expect(p.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'amount', type: 'INTEGER' },
    ]);
    expect(p.rows).toHaveLength(5);
    expect(p.rows[0]).toEqual({ id: '1', name: 'c1', amount: 2 });
    expect(p).toMatchObject({ rowCount: 750, rowCountExact: true, sampled: ['bronze.s.facts'], rejectedCount: 25 });
    // The guard's rows are reported, not thrown: the preview shows why the job would fail.
    expect(p.failures).toEqual([{ code: 'FF_TRANSFORM_DUPLICATE_KEY', message: 'cust twice', rows: [{ cust: '3' }] }]);
  });

  it('estimates the count from the sample when the whole may not be counted (flagged), and counts exactly when nothing is sampled', async () => {
    const est = await previewJob({
      inputs: [facts, dims],
      sample: [{ ref: facts.ref, totalRows: 1000 }],
      compile,
      limit: 1,
      sampleRows: 100,
      countBudgetMs: 0,
      threads: 1,
    });
    // 75 of the first 100 rows pass the cast; scaled by 1000/100.
    expect(est).toMatchObject({ rowCount: 750, rowCountExact: false });
    const whole = await previewJob({ inputs: [facts, dims], sample: [], compile, limit: 1, threads: 1 });
    expect(whole).toMatchObject({ rowCount: 750, rowCountExact: true, sampled: [], rejectedCount: 250 });
  });
});
