import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb } from '@flowforge/engine';
import type { LakeInput } from '../relations';
import { TransformError } from '../transform.errors';
import { openSandbox, type SqlSandbox } from './sql-sandbox';

// Real DuckDB in memory over small Parquet files in a temp dir (threads 1).
let dir: string;
let out: string;
let ordersFile: string;
let secretFile: string;
let inputs: LakeInput[];
let sandbox: SqlSandbox;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-sql-sandbox-'));
  out = path.join(dir, 'out');
  await fs.mkdir(out);
  ordersFile = path.join(dir, 'orders.parquet');
  secretFile = path.join(dir, 'secret.parquet');
  const db = await openDuckDb({ threads: 1 });
  await db.withSession(async (s) => {
    await s.run(
      `COPY (SELECT i AS id, i * 1.5 AS amount, TIMESTAMP '2024-01-01' + INTERVAL (i) DAY AS ts, CASE WHEN i % 2 = 0 THEN 'EU' ELSE 'US' END AS region FROM range(1, 11) t(i)) TO '${ordersFile}' (FORMAT parquet)`,
    );
    await s.run(`COPY (SELECT 'top secret' AS s) TO '${secretFile}' (FORMAT parquet)`);
  });
  db.close();
  inputs = [
    { ref: { layer: 'silver', namespace: 'sales', table: 'orders' }, snapshotId: 's1', schema: [], files: [ordersFile] },
    {
      ref: { layer: 'gold', namespace: 'sales', table: 'targets' },
      snapshotId: 's2',
      schema: [
        { name: 'region', type: 'VARCHAR', nullable: true },
        { name: 'target', type: 'DOUBLE', nullable: true },
      ],
      files: [],
    },
  ];
  sandbox = await openSandbox({ inputs, threads: 1, memoryLimit: '256MB', timeoutMs: 20_000, outputDir: out });
});

afterAll(async () => {
  sandbox?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<TransformError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TransformError) return err;
    throw err;
  }
  throw new Error('expected the sandbox to refuse');
}

const ORDERS = 'silver.sales.orders';

describe('openSandbox: reading', () => {
  it('validates: one SELECT, its columns, its tables with positions and its parameters', async () => {
    const sql = `SELECT region, sum(amount) AS total FROM ${ORDERS} o LEFT JOIN gold.sales.targets USING (region) WHERE ts >= :since GROUP BY ALL;`;
    const v = await sandbox.validate(sql, { params: { since: { type: 'date' } }, values: { since: '2024-01-05' } });
    expect(v.schema).toEqual([
      { name: 'region', type: 'VARCHAR', nullable: true },
      { name: 'total', type: 'DECIMAL(38,1)', nullable: true },
    ]);
    expect(v.tables).toEqual([
      { ref: { layer: 'silver', namespace: 'sales', table: 'orders' }, position: sql.indexOf(ORDERS) },
      { ref: { layer: 'gold', namespace: 'sales', table: 'targets' }, position: sql.indexOf('gold.') },
    ]);
    expect(v.parameters).toEqual(['since']);
    expect(v.sql.endsWith('GROUP BY ALL')).toBe(true);
  });

  it('queries with parameters, CTEs, subqueries, VALUES and generators; caps the rows', async () => {
    const r = await sandbox.query(
      `WITH eu AS (SELECT * FROM ${ORDERS} WHERE region = :region), n AS (SELECT * FROM eu WHERE id > (SELECT min(id) FROM eu))
       SELECT n.id, v.label, g.x FROM n, (VALUES ('a')) v(label), range(2) g(x) WHERE n.ts < :until ORDER BY n.id, g.x`,
      { params: { region: { type: 'string', default: 'EU' }, until: { type: 'timestamp' } }, values: { until: '2024-01-09T00:00:00Z' } },
      { maxRows: 3 },
    );
    expect(r.rows).toEqual([
      { id: '4', label: 'a', x: '0' },
      { id: '4', label: 'a', x: '1' },
      { id: '6', label: 'a', x: '0' },
    ]);
    expect(r.truncated).toBe(true);
    expect(r.schema.map((c) => c.name)).toEqual(['id', 'label', 'x']);
  });

  it('allows a recursive CTE over a lake table', async () => {
    const r = await sandbox.query(
      `WITH RECURSIVE r(n) AS (SELECT min(id) FROM ${ORDERS} UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r ORDER BY n`,
    );
    expect(r.rows.map((x) => x.n)).toEqual(['1', '2', '3']);
  });

  it('dry-runs: the plan, the schema and the first rows, writing nothing', async () => {
    const d = await sandbox.dryRun(
      `SELECT id, region FROM ${ORDERS} WHERE id > :n ORDER BY id -- last line`,
      { params: { n: { type: 'integer' } }, values: { n: 7 } },
      { limit: 2 },
    );
    expect(d.plan).toMatch(/READ_PARQUET|PARQUET_SCAN|TABLE_SCAN/);
    expect(d.schema).toEqual([
      { name: 'id', type: 'BIGINT', nullable: true },
      { name: 'region', type: 'VARCHAR', nullable: true },
    ]);
    expect(d.rows).toEqual([
      { id: '8', region: 'EU' },
      { id: '9', region: 'US' },
    ]);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('reports a bind error at its position in the user text (after a parameter was rewritten)', async () => {
    const sql = `SELECT :n AS a, nope FROM ${ORDERS}`;
    const err = await refusal(sandbox.validate(sql, { params: { n: { type: 'integer' } }, values: { n: 1 } }));
    expect(err.code).toBe('FF_TRANSFORM_EXPRESSION');
    expect(err.problems).toEqual([{ field: 'sql', message: expect.stringContaining('"nope" not found'), position: sql.indexOf('nope') }]);
  });

  it('reports a syntax error at its position', async () => {
    const sql = `SELECT id FROM ${ORDERS} WHERE`;
    const err = await refusal(sandbox.validate(sql));
    expect(err.code).toBe('FF_TRANSFORM_EXPRESSION');
    expect(err.problems[0]!.position).toBe(sql.length);
  });

  it('a table that is not among the readable inputs is FF_TRANSFORM_UNKNOWN_TABLE with its position', async () => {
    const sql = `SELECT * FROM ${ORDERS} JOIN bronze.sales.raw_orders USING (id)`;
    const err = await refusal(sandbox.query(sql));
    expect(err.code).toBe('FF_TRANSFORM_UNKNOWN_TABLE');
    expect(err.problems).toEqual([
      { field: 'sql', message: 'table bronze.sales.raw_orders does not exist or may not be read', position: sql.indexOf('bronze') },
    ]);
  });

  it('copyTo writes the result to the one output file, and only there', async () => {
    const r = await sandbox.copyTo(`SELECT id, amount FROM ${ORDERS} WHERE region = 'EU';  -- done`);
    expect(r).toEqual({ file: path.join(out, 'part-0.parquet'), rows: 5, schema: expect.any(Array) });
    const db = await openDuckDb({ threads: 1 });
    const back = await db.withSession((s) => s.all(`SELECT count(*) AS n, sum(id) AS s FROM '${r.file}'`));
    db.close();
    expect(back.rows).toEqual([{ n: '5', s: '30' }]);
    // A second write replaces the file in place (no temp file beside it, which the sandbox could not write).
    expect((await sandbox.copyTo(`SELECT id FROM ${ORDERS} WHERE id = 1`)).rows).toBe(1);
    expect(await fs.readdir(out)).toEqual(['part-0.parquet']);
    await fs.rm(r.file);
  });

  it('bad options are FF_TRANSFORM_CONFIG naming each option', async () => {
    const err = await refusal(openSandbox({ inputs, memoryLimit: 'lots', timeoutMs: 0, threads: 1.5, outputDir: 'relative/dir' }));
    expect(err.code).toBe('FF_TRANSFORM_CONFIG');
    expect(err.problems.map((p) => p.field)).toEqual(['memoryLimit', 'timeoutMs', 'threads', 'outputDir']);
  });
});

describe('openSandbox: every escape is refused with a clear message', () => {
  const escapes: [string, string, RegExp][] = [
    ['read_csv of /etc/passwd', `SELECT * FROM read_csv('/etc/passwd')`, /table function read_csv is not allowed/],
    ['read_text', `SELECT content FROM read_text('/etc/hostname')`, /table function read_text is not allowed/],
    ['glob', `SELECT * FROM glob('/etc/*')`, /table function glob is not allowed/],
    ['read_parquet of an input file by path', `SELECT * FROM read_parquet('@ORDERS@')`, /table function read_parquet is not allowed/],
    ['an input file as a table (replacement scan)', `SELECT * FROM '@ORDERS@'`, /is not a lake table/],
    ['COPY TO inside the output directory', `COPY (SELECT * FROM ${ORDERS}) TO '@OUT@/part-0.parquet'`, /COPY statements are not allowed/],
    ['ATTACH', `ATTACH '@OUT@/x.duckdb' AS x`, /ATTACH statements are not allowed/],
    ['DETACH a layer', `DETACH silver`, /DETACH statements are not allowed/],
    ['CREATE TABLE', `CREATE TABLE silver.sales.copy AS SELECT * FROM ${ORDERS}`, /CREATE statements are not allowed/],
    ['EXPORT DATABASE', `EXPORT DATABASE '@OUT@/export'`, /EXPORT statements are not allowed/],
    ['INSTALL', `INSTALL httpfs`, /INSTALL statements are not allowed/],
    ['LOAD', `LOAD httpfs`, /LOAD statements are not allowed/],
    ['SET', `SET enable_external_access = true`, /SET statements are not allowed/],
    ['SET VARIABLE', `SET VARIABLE x = 1`, /SET statements are not allowed/],
    ['RESET', `RESET memory_limit`, /RESET statements are not allowed/],
    ['two statements', `SELECT 1; DROP VIEW ${ORDERS}`, /found 2 statements/],
    ['a statement hidden after a comment', `SELECT * FROM ${ORDERS} -- harmless;\n; DROP VIEW ${ORDERS}`, /found 2 statements/],
    ['a keyword hidden in a comment', `/* SELECT */ COPY ${ORDERS} TO '@OUT@/part-0.parquet'`, /COPY statements are not allowed/],
    ['a function hidden behind a comment', `SELECT * FROM /* ${ORDERS} */ read_csv('/etc/passwd')`, /table function read_csv is not allowed/],
    ['PRAGMA', `PRAGMA database_list`, /not allowed/],
    ['CALL', `CALL duckdb_settings()`, /not allowed/],
    ['EXPLAIN ANALYZE', `EXPLAIN ANALYZE SELECT 1`, /EXPLAIN statements are not allowed/],
    ['DESCRIBE', `DESCRIBE ${ORDERS}`, /DESCRIBE\/SHOW\/SUMMARIZE is not allowed/],
    ['SUMMARIZE', `SUMMARIZE ${ORDERS}`, /DESCRIBE\/SHOW\/SUMMARIZE is not allowed/],
    ['getenv', `SELECT getenv('HOME')`, /function getenv\(\) is not allowed/],
    ['current_setting', `SELECT current_setting('allowed_paths')`, /function current_setting\(\) is not allowed/],
    ['a qualified function', `SELECT pg_catalog.current_database()`, /qualified function names are not allowed/],
    ['duckdb_settings()', `SELECT * FROM duckdb_settings()`, /table function duckdb_settings is not allowed/],
    ['query()', `SELECT * FROM query('SELECT * FROM duckdb_settings()')`, /table function query is not allowed/],
    ['query_table()', `SELECT * FROM query_table('sqlite_master')`, /table function query_table is not allowed/],
    ['json_execute_serialized_sql()', `SELECT * FROM json_execute_serialized_sql('{}')`, /table function json_execute_serialized_sql is not allowed/],
    ['pragma_ functions', `SELECT * FROM pragma_table_info('silver.sales.orders')`, /table function pragma_table_info is not allowed/],
    ['a system view by bare name', `SELECT sql FROM sqlite_master`, /"sqlite_master" is not a lake table/],
    ['information_schema', `SELECT * FROM information_schema.tables`, /"information_schema.tables" is not a lake table/],
    ['system catalog', `SELECT * FROM system.main.duckdb_tables`, /"system.main.duckdb_tables" is not a lake table/],
    ['a view outside the layers', `SELECT * FROM memory.main.x`, /"memory.main.x" is not a lake table/],
    ['a two-part name', `SELECT * FROM sales.orders`, /"sales.orders" is not a lake table/],
    [
      'a CTE named like a system view reading itself',
      `WITH duckdb_tables AS (SELECT * FROM duckdb_tables) SELECT * FROM duckdb_tables`,
      /"duckdb_tables" is not a lake table/,
    ],
    [
      'a CTE used out of its scope',
      `SELECT * FROM (WITH sqlite_master AS (SELECT 1) SELECT * FROM sqlite_master) a, sqlite_master`,
      /"sqlite_master" is not a lake table/,
    ],
    [
      'a later CTE named from an earlier one',
      `WITH a AS (SELECT * FROM duckdb_views), duckdb_views AS (SELECT 1) SELECT * FROM a`,
      /"duckdb_views" is not a lake table/,
    ],
    ['a subquery expression reading a file', `SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n`, /table function read_csv is not allowed/],
    ['only a comment', `  -- nothing here;\n ;`, /holds no statement/],
    ['a DuckDB placeholder', `SELECT * FROM ${ORDERS} WHERE id = $1`, /placeholder \$1 is not allowed/],
  ];

  it.each(escapes)('%s', async (_name, template, expected) => {
    const sql = template.replace('@ORDERS@', ordersFile).replace(/@OUT@/g, out);
    const err = await refusal(sandbox.query(sql));
    expect(['FF_SQL_NOT_ALLOWED', 'FF_SQL_PARAMETER']).toContain(err.code);
    expect(err.message).toMatch(expected);
    expect(err.problems.length).toBeGreaterThan(0);
  });

  it('left nothing behind: the views are intact and nothing was written', async () => {
    expect((await sandbox.query(`SELECT count(*) AS n FROM ${ORDERS}`)).rows).toEqual([{ n: '10' }]);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('the DuckDB settings hold even past the statement checks (the connection used directly)', async () => {
    // Reaches into the sandbox on purpose: proves layer 1 alone stops what layers 2-3 stop first.
    const raw = (sandbox as unknown as { connection: { run(sql: string): Promise<unknown> } }).connection;
    await expect(raw.run(`SELECT * FROM read_csv('/etc/passwd')`)).rejects.toThrow(/Permission/);
    await expect(raw.run(`SELECT * FROM read_parquet('${secretFile}')`)).rejects.toThrow(/Permission/);
    await expect(raw.run(`SET enable_external_access = true`)).rejects.toThrow(/lock|configuration/i);
    await expect(raw.run(`SET memory_limit = '64GB'`)).rejects.toThrow(/lock|configuration/i);
    await expect(raw.run(`INSTALL httpfs`)).rejects.toThrow();
    await expect(raw.run(`COPY (SELECT 1) TO '${path.join(out, 'other.parquet')}'`)).rejects.toThrow(/Permission/);
    expect(existsSync(path.join(out, 'other.parquet'))).toBe(false);
  });
});

describe('openSandbox: limits', () => {
  it('stops a query past the time limit with FF_SQL_LIMIT, and stays usable', async () => {
    const s = await openSandbox({ inputs, threads: 1, timeoutMs: 300 });
    try {
      const err = await refusal(s.query(`SELECT count(*) FROM range(100000000000) a`));
      expect(err.code).toBe('FF_SQL_LIMIT');
      expect(err.message).toMatch(/time limit of 300 ms/);
      expect((await s.query(`SELECT count(*) AS n FROM ${ORDERS}`)).rows).toEqual([{ n: '10' }]);
    } finally {
      s.close();
    }
  });

  it('stops a query past the memory limit with FF_SQL_LIMIT, and removes a partial output', async () => {
    const dirOut = await fs.mkdtemp(path.join(dir, 'mem-'));
    const s = await openSandbox({ inputs, threads: 1, memoryLimit: '64MB', outputDir: dirOut });
    try {
      const err = await refusal(s.query(`SELECT list(repeat('abcdefgh', 1000) || i) FROM range(100000) t(i)`));
      expect(err.code).toBe('FF_SQL_LIMIT');
      expect(err.message).toMatch(/memory than the sandbox's limit of 64MB/);
      const copy = await refusal(s.copyTo(`SELECT list(repeat('abcdefgh', 1000) || i) AS l FROM range(100000) t(i)`));
      expect(copy.code).toBe('FF_SQL_LIMIT');
      expect(await fs.readdir(dirOut)).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('a closed sandbox refuses, and a sandbox without outputDir cannot write', async () => {
    const s = await openSandbox({ inputs, threads: 1 });
    await expect(s.copyTo(`SELECT 1`)).rejects.toThrow(/without outputDir/);
    s.close();
    await expect(s.query(`SELECT 1`)).rejects.toThrow(/closed/);
  });
});
