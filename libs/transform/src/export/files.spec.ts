import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { openDuckDb, sqlString, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { writeExportFile } from './files';

let duck: DuckDb;
let session: DuckDbSession;
let dir: string;

beforeAll(async () => {
  duck = await openDuckDb({ threads: 1 });
  session = await duck.connect();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ff-export-files-'));
});

afterAll(async () => {
  session.close();
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

const SALES = `SELECT * FROM (VALUES
  (1, 'Alice; "A"', 10.50::DECIMAL(10,2), DATE '2024-01-31', TIMESTAMP '2024-01-31 23:59:58.250', true, [1, 2]),
  (2, NULL, 123456789012345678.25::DECIMAL(20,2), DATE '2024-02-29', NULL, false, []),
  (9007199254740993, 'big', -0.5::DECIMAL(10,2), NULL, TIMESTAMP '1999-12-31 00:00:00', NULL, NULL)
) AS t(id, name, amount, day, ts, ok, tags)`;

describe('writeExportFile', () => {
  it.each(['zstd', 'snappy', 'gzip', 'uncompressed'] as const)('parquet with %s compression, read back with its codec', async (compression) => {
    const file = path.join(dir, `sales-${compression}.parquet`);
    const written = await writeExportFile(session, SALES, { format: 'parquet', compression }, file);
    expect(written.rows).toBe(3);
    expect(written.bytes).toBeGreaterThan(0);
    const codecs = await session.all(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(file)})`);
    expect(codecs.rows.map((r) => r.compression)).toEqual([compression.toUpperCase()]);
    const back = await session.all(`SELECT id, name, amount FROM read_parquet(${sqlString(file)}) ORDER BY id`);
    expect(back.rows[0]).toEqual({ id: '1', name: 'Alice; "A"', amount: '10.50' });
    expect(back.columns.find((c) => c.name === 'amount')?.type).toBe('DECIMAL(20,2)'); // VALUES unifies the rows' decimals
  });

  it('csv with a delimiter and without header, quoting what needs it', async () => {
    const file = path.join(dir, 'sales.csv');
    const written = await writeExportFile(session, `SELECT id, name FROM (${SALES}) ORDER BY id`, { format: 'csv', delimiter: ';', header: false }, file);
    expect(written.rows).toBe(3);
    expect((await readFile(file, 'utf8')).split('\n').slice(0, 3)).toEqual(['1;"Alice; ""A"""', '2;', '9007199254740993;big']);
    const withHeader = path.join(dir, 'sales-h.csv');
    await writeExportFile(session, `SELECT id, name FROM (${SALES}) ORDER BY id`, { format: 'csv', delimiter: ',', header: true }, withHeader);
    expect((await readFile(withHeader, 'utf8')).split('\n')[0]).toBe('id,name');
  });

  it('xlsx round trip: header, numbers as numbers when exact, big ones as text, dates as dates, lists as JSON', async () => {
    const file = path.join(dir, 'sales.xlsx');
    const progress: number[] = [];
    const written = await writeExportFile(session, `${SALES} ORDER BY id`, { format: 'xlsx', sheet: 'Sales' }, file, {
      batchSize: 2,
      onProgress: (p) => progress.push(p.rows),
    });
    expect(written).toMatchObject({ rows: 3, sheets: ['Sales'] });
    expect(progress).toEqual([2, 3]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Sales')!;
    expect(ws.rowCount).toBe(4);
    const row = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(row(1)).toEqual(['id', 'name', 'amount', 'day', 'ts', 'ok', 'tags']);
    expect(row(2)).toEqual([1, 'Alice; "A"', 10.5, new Date('2024-01-31T00:00:00Z'), new Date('2024-01-31T23:59:58.250Z'), true, '[1,2]']);
    // Row 3: NULLs are empty cells; a decimal a double cannot hold exactly is its exact text.
    const r3 = ws.getRow(3);
    expect(r3.getCell(2).value).toBeNull();
    expect(r3.getCell(3).value).toBe('123456789012345678.25');
    expect(r3.getCell(4).value).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(r3.getCell(6).value).toBe(false);
    expect(r3.getCell(7).value).toBe('[]');
    // Row 4: an integer beyond 2^53 stays exact as text.
    expect(ws.getRow(4).getCell(1).value).toBe('9007199254740993');
    expect(ws.getRow(4).getCell(3).value).toBe(-0.5);
    expect(ws.getRow(2).getCell(4).numFmt).toBe('yyyy-mm-dd');
  });

  it('xlsx: rows beyond a sheet continue on "<sheet> (2)"..., each with the header', async () => {
    const file = path.join(dir, 'many.xlsx');
    const written = await writeExportFile(session, `SELECT range AS n FROM range(7)`, { format: 'xlsx', sheet: 'A sheet name of 31 characters!!' }, file, {
      maxRowsPerSheet: 3,
      batchSize: 2,
    });
    expect(written.sheets).toEqual(['A sheet name of 31 characters!!', 'A sheet name of 31 characte (2)', 'A sheet name of 31 characte (3)']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const values = wb.worksheets.map((ws) =>
      ws
        .getSheetValues()
        .slice(1)
        .map((r) => (r as unknown[])[1]),
    );
    expect(values).toEqual([
      ['n', 0, 1, 2],
      ['n', 3, 4, 5],
      ['n', 6],
    ]);
  });

  it('xlsx: an empty result is a sheet with the header only', async () => {
    const file = path.join(dir, 'empty.xlsx');
    expect(await writeExportFile(session, `SELECT 1 AS a, 'x' AS b WHERE false`, { format: 'xlsx', sheet: 'E' }, file)).toMatchObject({ rows: 0 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect((wb.getWorksheet('E')!.getRow(1).values as unknown[]).slice(1)).toEqual(['a', 'b']);
    expect(wb.getWorksheet('E')!.rowCount).toBe(1);
  });

  it('xlsx: a text longer than an Excel cell fails naming the column and row; the temp table is dropped', async () => {
    const file = path.join(dir, 'long.xlsx');
    const err = await writeExportFile(session, `SELECT 'x' AS a UNION ALL SELECT repeat('y', 40000)`, { format: 'xlsx', sheet: 'L' }, file).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    expect((err as TransformError).message).toContain('column "a", row 2: 40000 characters');
    expect((await session.all(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE 'ff_export_rows_%'`)).rows[0]!.n).toBe('0');
  });

  it('an aborted export stops before writing', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await writeExportFile(session, SALES, { format: 'csv', delimiter: ',', header: true }, path.join(dir, 'never.csv'), {
      signal: ac.signal,
    }).catch((e: unknown) => e);
    expect((err as TransformError).code).toBe('FF_EXPORT_DESTINATION');
    await expect(readFile(path.join(dir, 'never.csv'))).rejects.toThrow(/ENOENT/);
  });
});
