import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb, type DuckDb } from '@flowforge/engine';
import { readToParquet, type FormatOptions } from './index';

/**
 * The sample data set of docs/examples/data (used by the README and docs/examples/ingest-samples.yaml)
 * read as the ingest.file job reads it: it must keep showing what the reader promises — leading zeros
 * kept as text, nested JSON as structs and lists, and the messy legacy file (Windows-1252, `;`, decimal
 * comma, day-first dates, a quoted line break, CRLF, two ragged rows) read exactly with the ragged rows
 * rejected with their line and reason.
 */
const DATA = path.join(__dirname, '../../../docs/examples/data');

describe('docs/examples/data through readToParquet', () => {
  let db: DuckDb;
  let work: string;
  beforeAll(async () => {
    db = await openDuckDb({});
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-samples-'));
  });
  afterAll(async () => {
    db.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const read = async (file: string, options?: FormatOptions) => {
    const workDir = fs.mkdtempSync(path.join(work, 'r-'));
    const result = await readToParquet({ file: path.join(DATA, file), sourceName: file, options, audit: { runId: 'run-1', ingestedAt: new Date() }, workDir });
    const list = result.parts.map((p) => `'${p}'`).join(', ');
    const rows = (await db.withSession((s) => s.all(`SELECT * FROM read_parquet([${list}]) ORDER BY _ff_source_line`))).rows;
    const rejects = result.rejected.file ? (await db.withSession((s) => s.all(`SELECT * FROM '${result.rejected.file}' ORDER BY line`))).rows : [];
    return { result, rows, rejects };
  };
  const typeOf = (schema: { name: string; type: string }[], name: string) => schema.find((c) => c.name === name)?.type;

  it('customers.csv: 60 rows, ids with leading zeros stay text, dates typed, accents intact', async () => {
    const { result, rows } = await read('customers.csv');
    expect(result.rows).toBe(60);
    expect(result.rejected.count).toBe(0);
    expect(typeOf(result.schema, 'customer_id')).toBe('VARCHAR');
    expect(typeOf(result.schema, 'signed_up')).toBe('DATE');
    expect(rows[0]).toMatchObject({ customer_id: '000001', first_name: 'Zoë', city: 'Málaga', _ff_source_line: '2' });
  });

  it('orders.ndjson.gz: 200 orders, shipping a struct, lines a list of structs, named as the archive member', async () => {
    const { result, rows } = await read('orders.ndjson.gz');
    expect(result.rows).toBe(200);
    expect(typeOf(result.schema, 'shipping')).toBe('STRUCT(city VARCHAR, express BOOLEAN)');
    expect(typeOf(result.schema, 'lines')).toBe('STRUCT(sku VARCHAR, qty BIGINT, unit_price DOUBLE)[]');
    expect(typeOf(result.schema, 'customer_id')).toBe('VARCHAR');
    expect(rows[0]).toMatchObject({ order_id: '10001', customer_id: '000014', _ff_source_file: 'orders.ndjson.gz!/orders.ndjson' });
  });

  it('payments_legacy.csv (the messy one): 40 rows exact, the two ragged rows rejected with line and reason', async () => {
    const { result, rows, rejects } = await read('payments_legacy.csv', { locale: { decimalSeparator: ',', dateOrder: 'DMY' } });
    expect(result.rows).toBe(40);
    expect(result.members[0]?.encoding).toBe('windows-1252');
    expect(typeOf(result.schema, 'amount')).toBe('DOUBLE');
    expect(typeOf(result.schema, 'paid_on')).toBe('DATE');
    expect(rows.map((r) => r.method)).toContain('espèces');
    const multiLine = rows.find((r) => r.payment_id === '7');
    // The line break inside the quoted value is kept as written (CRLF), not normalised like the row ends.
    expect(multiLine?.note).toBe('paid in two parts;\r\nsecond part by card');
    expect(rows[0]).toMatchObject({ payment_id: '1', paid_on: '2025-03-02' });
    expect(rejects.map((r) => [r.line, String(r.reason).split(':')[0]])).toEqual([
      ['16', 'MISSING COLUMNS in column note'],
      ['23', 'TOO MANY COLUMNS'],
    ]);
    expect(String(rejects[0]!.raw)).toContain('9999;10999;31/03/2025;12,50;carte');
  });

  it('writes nothing beside the files it reads (transcoded and rewritten copies stay in the work dir)', () => {
    expect(fs.readdirSync(DATA).sort()).toEqual(['customers.csv', 'orders.ndjson.gz', 'payments_legacy.csv']);
  });
});
