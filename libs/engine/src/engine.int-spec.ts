import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { LocalObjectStore, S3ObjectStore, type ObjectStore } from '@flowforge/storage';
import { collect, startS3rver, type S3rverHandle } from '@flowforge/storage/testing';
import {
  attemptPrefix,
  EXPORT_CONTENT_TYPES,
  exportCsv,
  exportParquet,
  openDuckDb,
  openExportStream,
  previewParquet,
  writeParquet,
  type DuckDb,
} from './index';

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function text(stream: Readable): Promise<string> {
  return (await bytes(stream)).toString('utf8');
}

/** Counts and optionally fails store calls, to prove what the engine reads and how it fails. */
function instrumented(store: ObjectStore, opts: { failPutAfter?: number } = {}) {
  const calls = { get: [] as string[], put: [] as string[] };
  const wrapped: ObjectStore = Object.create(store) as ObjectStore;
  wrapped.get = (key) => {
    calls.get.push(key);
    return store.get(key);
  };
  wrapped.put = async (key, body, o) => {
    if (opts.failPutAfter !== undefined && calls.put.length >= opts.failPutAfter) {
      (body as Readable).destroy?.();
      throw new Error('disk full (simulated)');
    }
    calls.put.push(key);
    return store.put(key, body, o);
  };
  return { store: wrapped, calls };
}

const ref = { layer: 'bronze' as const, namespace: 'shop', table: 'orders' };

describe('engine on a local lake (real DuckDB, real files)', () => {
  let root: string;
  let store: LocalObjectStore;
  let db: DuckDb;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-engine-it-'));
    store = new LocalObjectStore({ root: path.join(root, 'lake') });
    db = await openDuckDb({ memoryLimit: '256MB', threads: 2 });
  });
  afterAll(() => {
    db.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes a query as several part files with row counts, sizes, schema and DuckDB statistics', async () => {
    const prefix = attemptPrefix(ref, 'att-sql');
    const written = await writeParquet(
      store,
      prefix,
      {
        sql: `SELECT i AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE 'name-' || i END AS name, DATE '2024-01-01' + (i % 365)::INT AS day, (i / 4)::DECIMAL(10,2) AS amount FROM range(0, 200000) t(i)`,
      },
      { db, targetFileBytes: 200_000 },
    );
    expect(written.files.length).toBeGreaterThan(1);
    expect(written.files.map((f) => f.path)).toEqual(written.files.map((_f, i) => `${prefix}part-${i}.parquet`));
    expect(written.rowCount).toBe(200_000);
    expect(written.files.reduce((n, f) => n + f.rows, 0)).toBe(200_000);
    for (const f of written.files) expect((await store.head(f.path))?.size).toBe(f.bytes);
    expect(written.schema).toEqual([
      { name: 'id', type: 'BIGINT', nullable: true },
      { name: 'name', type: 'VARCHAR', nullable: true },
      { name: 'day', type: 'DATE', nullable: true },
      { name: 'amount', type: 'DECIMAL(10,2)', nullable: true },
    ]);
    expect(written.stats).toEqual({
      id: { min: '0', max: '199999', nullCount: 0 },
      name: { min: 'name-1', max: 'name-99999', nullCount: 20_000 },
      day: { min: '2024-01-01', max: '2024-12-30', nullCount: 0 },
      amount: { min: '0.00', max: '49999.75', nullCount: 0 },
    });
  });

  it('writes in-memory rows with types inferred from every row', async () => {
    const written = await writeParquet(
      store,
      attemptPrefix(ref, 'att-rows'),
      {
        rows: [
          { id: 1, city: 'Paris', ok: true },
          { id: 2, city: null, ok: false },
          { id: 3, city: 'Zürich, "CH"', ok: true, late: 4.5 },
        ],
      },
      { db },
    );
    expect(written.rowCount).toBe(3);
    expect(written.files).toHaveLength(1);
    expect(written.schema.map((c) => [c.name, c.type])).toEqual([
      ['id', 'BIGINT'],
      ['city', 'VARCHAR'],
      ['ok', 'BOOLEAN'],
      ['late', 'DOUBLE'],
    ]);
    expect(written.stats.city).toEqual({ min: 'Paris', max: 'Zürich, "CH"', nullCount: 1 });
    expect(written.stats.late).toEqual({ min: 4.5, max: 4.5, nullCount: 2 });
  });

  it('an empty result still writes one file carrying the schema', async () => {
    const written = await writeParquet(store, attemptPrefix(ref, 'att-empty'), { sql: 'SELECT 1::INTEGER AS a, 2::VARCHAR AS b WHERE false' }, { db });
    expect(written).toMatchObject({
      rowCount: 0,
      files: [{ rows: 0 }],
      schema: [
        { name: 'a', type: 'INTEGER' },
        { name: 'b', type: 'VARCHAR' },
      ],
    });
    expect(written.stats.a).toEqual({ min: null, max: null, nullCount: 0 });
  });

  it('names bad inputs: no rows, bad SQL, a prefix that is not a folder', async () => {
    await expect(writeParquet(store, attemptPrefix(ref, 'x'), { rows: [] }, { db })).rejects.toThrow(/^FF_ENGINE_INPUT: rows is empty/);
    await expect(writeParquet(store, attemptPrefix(ref, 'x'), { sql: 'SELEC nope' }, { db })).rejects.toThrow(/^FF_ENGINE_SQL: .*syntax error/i);
    await expect(writeParquet(store, 'bronze/shop/orders/data/x', { sql: 'SELECT 1' }, { db })).rejects.toThrow(/FF_ENGINE_LAKE_PATH: .*must end with "\/"/);
    expect(await collect(store.list(`${attemptPrefix(ref, 'x')}`))).toEqual([]);
  });

  it('an upload failing half-way removes the parts it staged and says how far it got', async () => {
    const { store: failing, calls } = instrumented(store, { failPutAfter: 1 });
    const prefix = attemptPrefix(ref, 'att-fail');
    await expect(
      writeParquet(failing, prefix, { sql: 'SELECT i FROM range(0, 100000) t(i)' }, { db, targetFileBytes: 20_000, rowGroupRows: 10_000 }),
    ).rejects.toThrow(/^FF_ENGINE_IO: staging Parquet files under bronze\/shop\/orders\/data\/att-fail\/ failed after 1 of \d+: disk full/);
    expect(calls.put).toEqual([`${prefix}part-0.parquet`]);
    expect(await collect(store.list(prefix))).toEqual([]);
  });

  it('previews the first rows, reading only the files it needs', async () => {
    const prefix = attemptPrefix(ref, 'att-preview');
    const written = await writeParquet(
      store,
      prefix,
      { sql: 'SELECT i AS n FROM range(0, 60000) t(i)' },
      { db, targetFileBytes: 20_000, rowGroupRows: 10_000 },
    );
    expect(written.files.length).toBeGreaterThan(2);
    const preview = await previewParquet(db, store, written.files, 5);
    expect(preview.columns).toEqual([{ name: 'n', type: 'BIGINT' }]);
    expect(preview.rows).toEqual(['0', '1', '2', '3', '4'].map((n) => ({ n })));
    const all = await previewParquet(db, store, written.files, 100_000);
    expect(all.rows).toHaveLength(60_000);
  });

  it('exports CSV (quoted as RFC 4180) and Parquet to streams and files', async () => {
    const written = await writeParquet(
      store,
      attemptPrefix(ref, 'att-export'),
      {
        rows: [
          { id: 1, note: 'plain' },
          { id: 2, note: 'has, comma and "quotes"' },
          { id: 3, note: null },
        ],
      },
      { db },
    );
    const csv = new PassThrough();
    const done = text(csv);
    await exportCsv(
      db,
      store,
      written.files.map((f) => f.path),
      csv,
    );
    expect(await done).toBe('id,note\n1,plain\n2,"has, comma and ""quotes"""\n3,\n');

    const file = path.join(root, 'out.parquet');
    await exportParquet(
      db,
      store,
      written.files.map((f) => f.path),
      file,
    );
    const back = await db.withSession((s) => s.all(`SELECT count(*) AS n, max(id) AS m FROM read_parquet('${file}')`));
    expect(back.rows[0]).toEqual({ n: '3', m: '3' });

    // One Parquet file is served as stored (same bytes), without DuckDB.
    const direct = await bytes(await openExportStream(db, store, [written.files[0]!.path], 'parquet'));
    expect(direct.equals(await bytes(await store.get(written.files[0]!.path)))).toBe(true);
    expect(EXPORT_CONTENT_TYPES).toEqual({ csv: 'text/csv; charset=utf-8', parquet: 'application/vnd.apache.parquet' });
  });
});

describe('engine on an S3 lake (s3rver): files are downloaded to a temp dir, then removed', () => {
  let server: S3rverHandle;
  let s3: S3ObjectStore;
  let db: DuckDb;
  let tmp: string;

  beforeAll(async () => {
    server = await startS3rver('ff-engine-lake');
    s3 = new S3ObjectStore({
      bucket: server.bucket,
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
      maxAttempts: 1,
      deleteBatchSize: 1,
    });
    db = await openDuckDb({ memoryLimit: '256MB', threads: 2 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-engine-s3-'));
  });
  afterAll(async () => {
    db.close();
    s3?.client.destroy();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes, previews (downloading only what it needs) and exports CSV', async () => {
    const prefix = attemptPrefix({ layer: 'silver', namespace: 'shop', table: 'items' }, 'att-s3');
    const written = await writeParquet(
      s3,
      prefix,
      { sql: `SELECT i AS id, 'item ' || i AS label FROM range(0, 40000) t(i)` },
      { db, targetFileBytes: 20_000, rowGroupRows: 8_000, tmpDir: tmp },
    );
    expect(written.files.length).toBeGreaterThan(1);
    expect((await collect(s3.list(prefix))).map((o) => o.key)).toEqual(written.files.map((f) => f.path));

    const { store, calls } = instrumented(s3);
    const preview = await previewParquet(db, store, written.files, 3, { tmpDir: tmp });
    expect(preview.rows).toEqual([
      { id: '0', label: 'item 0' },
      { id: '1', label: 'item 1' },
      { id: '2', label: 'item 2' },
    ]);
    expect(calls.get).toEqual([written.files[0]!.path]);

    const csv = await text(
      await openExportStream(
        db,
        s3,
        written.files.map((f) => f.path),
        'csv',
        { tmpDir: tmp },
      ),
    );
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('id,label');
    expect(lines).toHaveLength(40_001);
    expect(lines[40_000]).toBe('39999,item 39999');
    // Downloads and the export file are gone once the stream closed.
    // Removed asynchronously after the close: wait for it (bounded) rather than a fixed moment.
    for (let i = 0; i < 100 && fs.readdirSync(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
