/**
 * Exports (libs/transform/src/export): `node bench/run.js bench/export.bench.ts` (BENCH_ROWS, default 200,000).
 * Each way against the named baseline doing the same work without our code around it, in the same run:
 *  (a) parquet: writeExportFile vs a bare DuckDB `COPY (...) TO 'x.parquet' (FORMAT parquet, COMPRESSION zstd)`;
 *  (b) xlsx: writeExportFile (DuckDB → batches of 10,000 rows → exceljs streaming writer) vs exceljs'
 *      WorkbookWriter fed the same rows from a prepared JS array (the library's own floor);
 *  (c) Redshift: RedshiftDestination.load into the machine's PostgreSQL vs raw `pg` multi-row INSERTs of the
 *      same rows (prepared JS array, same batch size, one transaction). Half the rows.
 * Targets (set before the first run): (a) ≤ 1.1×, (b) ≤ 1.5×, (c) ≤ 1.5× the baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { openDuckDb, sqlString } from '@flowforge/engine';
import { describeSelect, RedshiftDestination, writeExportFile } from '@flowforge/transform';
import { loadLine, machineLine, scratchDatabase, verdict, writeResults, type ResultRow } from './bench-kit';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const SQL = `SELECT range AS id, 'customer ' || (range % 1000) AS name, (range % 100000) / 100.0 AS amount,
  DATE '2024-01-01' + CAST(range % 365 AS INTEGER) AS day, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (range) SECOND AS ts, range % 2 = 0 AS even
  FROM range(${ROWS})`;

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [(performance.now() - t0) / 1000, r];
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ff-bench-export-'));
  const db = await openDuckDb({ threads: 2, memoryLimit: '512MB', tempDirectory: path.join(work, 'tmp') });
  const session = await db.connect();
  const scratch = await scratchDatabase('ff_bench_export');
  const loadBefore = loadLine();
  try {
    await session.run(`CREATE TABLE src AS ${SQL}`);
    const select = 'SELECT * FROM src';

    const [bareParquet] = await time(() => session.run(`COPY (${select}) TO ${sqlString(path.join(work, 'bare.parquet'))} (FORMAT parquet, COMPRESSION zstd)`));
    const [ourParquet] = await time(() => writeExportFile(session, select, { format: 'parquet', compression: 'zstd' }, path.join(work, 'ours.parquet')));

    const rows = (
      await session.all(
        `SELECT id::DOUBLE AS id, name, amount::DOUBLE AS amount, day::VARCHAR AS day, strftime(ts, '%Y-%m-%dT%H:%M:%S') || 'Z' AS ts, even FROM src`,
      )
    ).rows;
    const [bareXlsx] = await time(async () => {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path.join(work, 'bare.xlsx'), useStyles: true, useSharedStrings: false });
      const ws = wb.addWorksheet('Export');
      ws.addRow(['id', 'name', 'amount', 'day', 'ts', 'even']).commit();
      for (const r of rows) ws.addRow([r.id, r.name, r.amount, new Date(`${String(r.day)}T00:00:00Z`), new Date(String(r.ts)), r.even]).commit();
      ws.commit();
      await wb.commit();
    });
    const [ourXlsx] = await time(() => writeExportFile(session, select, { format: 'xlsx', sheet: 'Export' }, path.join(work, 'ours.xlsx')));

    const half = Math.floor(ROWS / 2);
    const rsSelect = `SELECT * FROM src WHERE id < ${half}`;
    const u = new URL(scratch.url);
    const connection = { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1), user: decodeURIComponent(u.username), ssl: false };
    const pg = new Client({ connectionString: scratch.url });
    await pg.connect();
    await pg.query('CREATE SCHEMA bench');
    await pg.query('CREATE TABLE bench.bare (id BIGINT, name VARCHAR(65535), amount DECIMAL(11,2), day DATE, ts TIMESTAMP, even BOOLEAN)');
    const pgRows = (
      await session.all(`SELECT id::VARCHAR AS id, name, amount::VARCHAR AS amount, day::VARCHAR AS day, ts::VARCHAR AS ts, even FROM (${rsSelect})`)
    ).rows;
    const [bareRs] = await time(async () => {
      await pg.query('BEGIN');
      for (let i = 0; i < pgRows.length; i += 1000) {
        const b = pgRows.slice(i, i + 1000);
        const values = b.map((_r, j) => `(${[1, 2, 3, 4, 5, 6].map((k) => `$${j * 6 + k}`).join(', ')})`).join(', ');
        await pg.query(
          `INSERT INTO bench.bare (id, name, amount, day, ts, even) VALUES ${values}`,
          b.flatMap((r) => [r.id, r.name, r.amount, r.day, r.ts, r.even] as (string | boolean)[]),
        );
      }
      await pg.query('COMMIT');
    });
    const schema = await describeSelect(session, rsSelect);
    const [ourRs, loaded] = await time(() =>
      new RedshiftDestination().load({ connection, session, selectSql: rsSelect, schema, table: { schema: 'bench', table: 'ours' }, writeMode: 'replace' }),
    );
    const counted = (await pg.query('SELECT (SELECT count(*) FROM bench.bare)::int AS bare, (SELECT count(*) FROM bench.ours)::int AS ours')).rows[0];
    await pg.end();

    const ratio = (a: number, b: number) => a / b;
    const out: ResultRow[] = [
      [`parquet: bare DuckDB COPY, ${ROWS} rows (baseline)`, `${bareParquet.toFixed(2)} s`, '—', ''],
      ['parquet: writeExportFile', `${ourParquet.toFixed(2)} s (${ourParquetRows(ourParquet, ROWS)})`, '—', ''],
      ['parquet: ratio writeExportFile / bare COPY', ratio(ourParquet, bareParquet).toFixed(2), '≤ 1.1', verdict(ratio(ourParquet, bareParquet) <= 1.1)],
      [`xlsx: exceljs WorkbookWriter from a JS array, ${ROWS} rows (baseline)`, `${bareXlsx.toFixed(2)} s`, '—', ''],
      ['xlsx: writeExportFile (DuckDB batches → exceljs)', `${ourXlsx.toFixed(2)} s`, '—', ''],
      ['xlsx: ratio writeExportFile / exceljs alone', ratio(ourXlsx, bareXlsx).toFixed(2), '≤ 1.5', verdict(ratio(ourXlsx, bareXlsx) <= 1.5)],
      [`redshift (PostgreSQL): raw pg INSERT batches of 1,000, ${half} rows (baseline)`, `${bareRs.toFixed(2)} s`, '—', ''],
      ['redshift (PostgreSQL): RedshiftDestination.load (replace)', `${ourRs.toFixed(2)} s`, '—', ''],
      ['redshift: ratio load / raw INSERT', ratio(ourRs, bareRs).toFixed(2), '≤ 1.5', verdict(ratio(ourRs, bareRs) <= 1.5)],
      [
        'rows loaded (bare / ours)',
        `${counted.bare} / ${counted.ours} (load said ${loaded.rows})`,
        'equal',
        verdict(counted.bare === counted.ours && counted.ours === half),
      ],
    ];
    writeResults(
      'export',
      'export — files and the Redshift loader against their bare baselines (`node bench/run.js bench/export.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machineLine(scratch)}; load average before the run ${loadBefore}, after ${loadLine()}.`,
        `DuckDB threads 2, memory limit 512MB. Rows: id BIGINT, name VARCHAR, amount DECIMAL(11,2), day DATE, ts TIMESTAMP, even BOOLEAN; Redshift part on half the rows.`,
      ],
      out,
      [
        'Baselines exclude what our code adds by design: the xlsx baseline gets its rows already in a JS array (ours reads them from DuckDB in batches of 10,000 through a temp table); the Redshift baseline gets prepared string values (ours reads DuckDB batches and creates the table). Times are wall-clock of one run each, in the order listed.',
      ],
    );
  } finally {
    session.close();
    db.close();
    await scratch.drop();
    await rm(work, { recursive: true, force: true });
  }
}

function ourParquetRows(seconds: number, rows: number): string {
  return `${Math.round(rows / seconds).toLocaleString('en')} rows/s`;
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
