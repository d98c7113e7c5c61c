import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import * as tarStream from 'tar-stream';
import { openDuckDb, sqlStringList, type DuckDb, type JsonRow } from '@flowforge/engine';
import { readToParquet, inferSchema, type ReadResult, type ReadToParquetInput } from './file-reader';
import { IngestError } from './ingest.errors';

// Reads real files with the real DuckDB; every fixture is generated here, in a temp dir.
let dir: string;
let db: DuckDb;
let n = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-ingest-'));
  db = await openDuckDb();
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function put(name: string, data: string | Buffer): string {
  const file = path.join(dir, `${n++}-${name}`);
  fs.writeFileSync(file, data);
  return file;
}

async function read(file: string, extra: Partial<ReadToParquetInput> = {}): Promise<ReadResult & { workDir: string }> {
  const workDir = path.join(dir, `work-${n++}`);
  const r = await readToParquet({
    file,
    sourceName: `landing/${path.basename(file).replace(/^\d+-/, '')}`,
    audit: { runId: 'run-1', ingestedAt: '2026-01-02T03:04:05Z' },
    workDir,
    ...extra,
  });
  return { ...r, workDir };
}

async function rowsOf(r: ReadResult): Promise<JsonRow[]> {
  if (r.parts.length === 0) return [];
  return db.withSession(
    async (s) =>
      (await s.all(`SELECT * EXCLUDE (_ff_run_id, _ff_ingested_at) FROM read_parquet(${sqlStringList(r.parts)}) ORDER BY _ff_source_file, _ff_source_line`))
        .rows,
  );
}
async function rejectsOf(r: ReadResult): Promise<JsonRow[]> {
  if (!r.rejected.file) return [];
  return db.withSession(async (s) => (await s.all(`SELECT * FROM read_parquet('${r.rejected.file}') ORDER BY file, line`)).rows);
}
const types = (r: ReadResult): string[] => r.schema.map((c) => `${c.name} ${c.type}`);

async function failure(p: Promise<unknown>): Promise<IngestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('expected the read to fail');
}

function partsLeft(workDir: string): string[] {
  const root = path.join(workDir, 'parts');
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String) : [];
}

/** A zip written by hand (stored or deflated members, optional unix mode), so tests can build the hostile ones. */
function zip(entries: { name: string; data: Buffer | string; mode?: number; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const body = e.deflate ? zlib.deflateRawSync(raw) : raw;
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

async function tar(entries: { name: string; data?: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else pack.entry({ name: e.name }, e.data ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('CSV', () => {
  it('keeps leading zeros as text, types the rest, and adds audit columns with record lines', async () => {
    const r = await read(
      put('orders.csv', 'id,zip,qty,price,day,ok\n1,00123,5,1.50,2024-01-05,true\n2,07001,"1","2",2024-02-29,false\n3,10115,7,3.25,2024-12-31,true\n'),
    );
    expect(types(r)).toEqual([
      'id BIGINT',
      'zip VARCHAR',
      'qty BIGINT',
      'price DOUBLE',
      'day DATE',
      'ok BOOLEAN',
      '_rescued_data JSON',
      '_ff_run_id VARCHAR',
      '_ff_source_file VARCHAR',
      '_ff_source_line BIGINT',
      '_ff_ingested_at TIMESTAMP WITH TIME ZONE',
    ]);
    expect(r.rows).toBe(3);
    expect(r.rejected.count).toBe(0);
    const rows = await rowsOf(r);
    expect(rows.map((x) => x.zip)).toEqual(['00123', '07001', '10115']);
    expect(rows[0]).toMatchObject({
      id: '1',
      qty: '5',
      price: 1.5,
      day: '2024-01-05',
      ok: true,
      _rescued_data: null,
      _ff_source_file: 'landing/orders.csv',
      _ff_source_line: '2',
    });
    expect(rows.map((x) => x._ff_source_line)).toEqual(['2', '3', '4']);
  });

  it('never mangles a value beyond the sample: it goes to _rescued_data and the column is NULL', async () => {
    const r = await read(put('late.csv', 'id,code\n1,10\n2,20\n3,007\n4,abc\n5,30\n'), { options: { sampleRows: 2 } });
    expect(types(r).slice(0, 2)).toEqual(['id BIGINT', 'code BIGINT']);
    const rows = await rowsOf(r);
    expect(rows.map((x) => [x.code, x._rescued_data])).toEqual([
      ['10', null],
      ['20', null],
      [null, '{"code":"007"}'],
      [null, '{"code":"abc"}'],
      ['30', null],
    ]);
    expect(r.rescued).toBe(2);
    // The schema may say otherwise: a declared BIGINT takes 007 as 7.
    const declared = await read(put('late.csv', 'id,code\n1,10\n3,007\n'), { options: { columns: { code: 'BIGINT' } } });
    expect((await rowsOf(declared)).map((x) => x.code)).toEqual(['10', '7']);
  });

  it('types from the whole sample, not only its first 1,000 rows: a later double, timestamp or text widens the column', async () => {
    // inferTypes checks every type on the first rows, then the whole sample against the types left: the second step
    // must still see the values past row 1,000.
    const lines = ['n,d,when,flag,code'];
    for (let i = 1; i <= 1500; i++) {
      const late = i === 1400;
      lines.push(`${i},${late ? '2.5' : i},${late ? '2024-01-05 10:00:00' : '2024-01-05'},${late ? 'maybe' : 'true'},${late ? '0042' : i * 3}`);
    }
    const r = await read(put('widen.csv', `${lines.join('\n')}\n`));
    expect(types(r).slice(0, 5)).toEqual(['n BIGINT', 'd DOUBLE', 'when TIMESTAMP', 'flag VARCHAR', 'code VARCHAR']);
    expect(r.rescued).toBe(0);
    const row = (await rowsOf(r)).find((x) => x.n === '1400')!;
    expect([row.d, row.when, row.flag, row.code]).toEqual([2.5, '2024-01-05 10:00:00', 'maybe', '0042']);
    // A date or timestamp must start with a digit: a leading space is kept as text, not trimmed into a date.
    const spaced = await read(put('spaced.csv', 'a,b\n 2024-01-05,2024-01-05\n2024-01-06,2024-01-06\n'));
    expect(types(spaced).slice(0, 2)).toEqual(['a VARCHAR', 'b DATE']);
    expect((await rowsOf(spaced)).map((x) => x.a)).toEqual([' 2024-01-05', '2024-01-06']);
    // DuckDB's casts would drop a time from a DATE, an offset or nanoseconds from a TIMESTAMP: those stay text.
    const lossy = await read(put('lossy.csv', 'd,tz,ns,ok\n2024-01-05 10:00:00,2024-01-05 10:00:00+02,2024-01-05 10:00:00.123456789,2024-01-05T10:00:00.5\n'));
    expect(types(lossy).slice(0, 4)).toEqual(['d TIMESTAMP', 'tz VARCHAR', 'ns VARCHAR', 'ok TIMESTAMP']);
    expect((await rowsOf(lossy)).map((x) => [x.tz, x.ns])).toEqual([['2024-01-05 10:00:00+02', '2024-01-05 10:00:00.123456789']]);
  });

  it('detects tab and pipe delimiters, honours a configured one, and reads headerless files', async () => {
    const tsv = await read(put('a.tsv', 'a\tb\n1\tx y\n'));
    expect((await rowsOf(tsv))[0]).toMatchObject({ a: '1', b: 'x y' });
    const pipe = await read(put('a.psv', 'a|b\n1|"x|y"\n'));
    expect((await rowsOf(pipe))[0]).toMatchObject({ a: '1', b: 'x|y' });
    const semi = await read(put('a.txt', 'a;b,c\n1;2,5\n'), { options: { csv: { delimiter: ';' } } });
    expect((await rowsOf(semi))[0]).toMatchObject({ a: '1', 'b,c': '2,5' });
    const headerless = await read(put('nohead.csv', '1,x\n2,y\n'));
    expect(types(headerless).slice(0, 2)).toEqual(['column_1 BIGINT', 'column_2 VARCHAR']);
    expect((await rowsOf(headerless)).map((x) => x._ff_source_line)).toEqual(['1', '2']);
  });

  it('reads quoted delimiters, doubled quotes, quoted newlines and mixed line endings; extra fields are rejected', async () => {
    const r = await read(put('mixed.csv', 'a,b\r\n1,"x, ""y"""\n2,"multi\r\nline"\r\n3,ok,extra\n4,z\r\n'));
    const rows = await rowsOf(r);
    expect(rows.map((x) => [x.a, x.b])).toEqual([
      ['1', 'x, "y"'],
      ['2', 'multi\r\nline'],
      ['4', 'z'],
    ]);
    // Lines count records, as DuckDB numbers its rejects (the header is line 1, a quoted newline does not
    // start a line), and rows after a reject keep their own number.
    expect(await rejectsOf(r)).toEqual([{ file: 'landing/mixed.csv', line: '4', raw: '3,ok,extra', reason: expect.stringContaining('TOO MANY COLUMNS') }]);
    expect(rows.map((x) => x._ff_source_line)).toEqual(['2', '3', '5']);
  });

  it('rejects a record with an unterminated quote with the reason; the rows before it load', async () => {
    const r = await read(put('quotes.csv', 'a,b\n1,x\n2,"open\n'));
    expect((await rowsOf(r)).map((x) => x.a)).toEqual(['1']);
    const rej = await rejectsOf(r);
    expect(rej).toHaveLength(1);
    expect(rej[0]).toMatchObject({ line: '3', reason: expect.stringContaining('unterminated quote') });
  });

  it('rejects ragged rows by default and pads them when asked', async () => {
    const text = 'a,b,c\n1,2,3\n4,5\n6,7,8\n';
    const strict = await read(put('ragged.csv', text));
    expect(strict.rows).toBe(2);
    expect(await rejectsOf(strict)).toEqual([expect.objectContaining({ line: '3', raw: '4,5', reason: expect.stringContaining('MISSING COLUMNS') })]);
    const padded = await read(put('ragged.csv', text), { options: { csv: { raggedRows: 'pad' } } });
    expect((await rowsOf(padded)).map((x) => [x.a, x.c])).toEqual([
      ['1', '3'],
      ['4', null],
      ['6', '8'],
    ]);
  });

  it('reads a decimal comma and day-first dates when the locale says so', async () => {
    const r = await read(put('de.csv', 'betrag;datum\n1,5;03.04.2024\n-2,25;31.12.2024\n'), {
      options: { locale: { decimalSeparator: ',', dateOrder: 'DMY' } },
    });
    expect(types(r).slice(0, 2)).toEqual(['betrag DOUBLE', 'datum DATE']);
    expect((await rowsOf(r)).map((x) => [x.betrag, x.datum])).toEqual([
      [1.5, '2024-04-03'],
      [-2.25, '2024-12-31'],
    ]);
    // Without the locale nothing is guessed: the values stay text.
    const plain = await read(put('de.csv', 'betrag;datum\n1,5;03.04.2024\n'));
    expect(types(plain).slice(0, 2)).toEqual(['betrag VARCHAR', 'datum VARCHAR']);
  });

  it('keeps "" distinct from an empty field, and honours nullValues', async () => {
    const r = await read(put('nulls.csv', 'a,b\n"",\nNA,x\n'), { options: { csv: { nullValues: ['', 'NA'] } } });
    expect((await rowsOf(r)).map((x) => [x.a, x.b])).toEqual([
      ['', null],
      [null, 'x'],
    ]);
  });
});

describe('encodings', () => {
  it('reads UTF-8 with a BOM, UTF-16 LE and BE, and Windows-1252', async () => {
    const text = 'name,city\nJosé,Zürich\n';
    const bom = await read(put('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])));
    expect(await rowsOf(bom)).toEqual([expect.objectContaining({ name: 'José', city: 'Zürich' })]);
    const le = await read(put('le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])));
    expect(le.members[0]!.encoding).toBe('utf-16le');
    expect(await rowsOf(le)).toEqual([expect.objectContaining({ name: 'José', city: 'Zürich' })]);
    const be = await read(put('be.csv', Buffer.from(text, 'utf16le').swap16()));
    expect(be.members[0]!.encoding).toBe('utf-16be');
    expect(await rowsOf(be)).toEqual([expect.objectContaining({ name: 'José', city: 'Zürich' })]);
    const cp = await read(put('cp.csv', Buffer.from([...Buffer.from('name,price\nJos'), 0xe9, ...Buffer.from(','), 0x80, ...Buffer.from('5\n')])));
    expect(cp.members[0]!.encoding).toBe('windows-1252');
    expect(await rowsOf(cp)).toEqual([expect.objectContaining({ name: 'José', price: '€5' })]);
  });

  it('rejects the rows holding invalid UTF-8, with the reason, and keeps the others', async () => {
    const bad = Buffer.concat([Buffer.from('a,b\n1,Zürich\n2,'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\n3,Genève\n')]);
    const r = await read(put('badutf8.csv', bad));
    expect(r.members[0]!.encoding).toBe('utf-8');
    expect((await rowsOf(r)).map((x) => [x.a, x.b])).toEqual([
      ['1', 'Zürich'],
      ['3', 'Genève'],
    ]);
    expect(await rejectsOf(r)).toEqual([expect.objectContaining({ line: '3', reason: expect.stringContaining('INVALID ENCODING') })]);
    // Declared UTF-8: the same, even when the file has no other accent to tell by.
    const declared = await read(put('badutf8.csv', Buffer.concat([Buffer.from('a,b\n1,x\n2,'), Buffer.from([0xff]), Buffer.from('\n')])), {
      options: { encoding: 'utf-8' },
    });
    expect(declared.rows).toBe(1);
    expect(declared.rejected.count).toBe(1);
  });
});

describe('malformed and extreme inputs', () => {
  it('a 0-byte file gives no rows and no error', async () => {
    const r = await read(put('empty.csv', ''));
    expect(r).toMatchObject({ rows: 0, parts: [], rejected: { count: 0, file: null } });
    expect(r.members[0]!.notes.join(' ')).toContain('empty file');
  });

  it('a header-only file gives zero rows with its columns', async () => {
    const r = await read(put('header.csv', 'id,name\n'));
    expect(r.rows).toBe(0);
    expect(types(r).slice(0, 2)).toEqual(['id VARCHAR', 'name VARCHAR']);
    expect(await rowsOf(r)).toEqual([]);
  });

  it('duplicate column names are made unique', async () => {
    const r = await read(put('dups.csv', 'a,A,a,,b\n1,2,3,4,5\n'));
    expect(r.schema.slice(0, 5).map((c) => c.name)).toEqual(['a', 'A_2', 'a_3', 'column_4', 'b']);
    expect((await rowsOf(r))[0]).toMatchObject({ a: '1', A_2: '2', a_3: '3', column_4: '4', b: '5' });
  });

  it('a 10,000-column file', async () => {
    const cols = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const rowA = cols.map((_, i) => String(i));
    const rowB = cols.map((_, i) => (i % 2 ? `0${i}` : `t${i}`));
    const r = await read(put('wide.csv', `${cols.join(',')}\n${rowA.join(',')}\n${rowB.join(',')}\n`));
    expect(r.rows).toBe(2);
    expect(r.schema).toHaveLength(10_000 + 5);
    const rows = await rowsOf(r);
    expect(rows[1]!.c9999).toBe('09999');
    expect(rows[0]!.c5000).toBe('5000');
  }, 180_000);

  it('a 10 MiB field is read whole; one beyond maxLineBytes is rejected with the reason', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const r = await read(put('bigfield.csv', `id,blob\n1,"${big}"\n2,small\n`));
    expect(r.rows).toBe(2);
    const len = await db.withSession(async (s) => (await s.all(`SELECT id, length(blob) AS n FROM read_parquet(${sqlStringList(r.parts)}) ORDER BY id`)).rows);
    expect(len).toEqual([
      { id: '1', n: String(big.length) },
      { id: '2', n: '5' },
    ]);
    const capped = await read(put('bigfield.csv', `id,blob\n1,${big.slice(0, 1536 * 1024)}\n2,small\n`), { options: { csv: { maxLineBytes: 1024 * 1024 } } });
    expect((await rowsOf(capped)).map((x) => x.id)).toEqual(['2']);
    expect((await rejectsOf(capped))[0]).toMatchObject({ line: '2', reason: expect.stringMatching(/LINE SIZE OVER MAXIMUM/) });
  }, 120_000);

  it('a line longer than the DuckDB read buffer is rejected with the reason, not dropped; beyond the memory budget the file is refused', async () => {
    // maxLineBytes 1 MiB: DuckDB's buffer would be 8 MiB, and DuckDB 1.5 drops a longer line without a reject.
    const huge = 'x'.repeat(9 * 1024 * 1024);
    const text = `id,blob\n1,a\n2,${huge}\n3,b\n4,"q${huge}"\n5,c\n`;
    const r = await read(put('huge.csv', text), { options: { csv: { maxLineBytes: 1024 * 1024 } } });
    expect((await rowsOf(r)).map((x) => [x.id, x.blob, x._ff_source_line])).toEqual([
      ['1', 'a', '2'],
      ['3', 'b', '4'],
      ['5', 'c', '6'],
    ]);
    const rejects = await rejectsOf(r);
    expect(rejects.map((x) => [x.line, String(x.reason).slice(0, 22)])).toEqual([
      ['3', 'LINE SIZE OVER MAXIMUM'],
      ['5', 'LINE SIZE OVER MAXIMUM'],
    ]);
    expect(r.members[0]!.notes.join('; ')).toContain('over csv.maxLineBytes 1048576');
    // With 32MB of DuckDB memory a 9 MiB line cannot be held to be rejected: a refusal naming the longest line, nothing written.
    const workDir = path.join(dir, 'w-huge');
    const e = await failure(read(put('huge.csv', text), { workDir, options: { csv: { maxLineBytes: 1024 * 1024 } }, limits: { memoryLimit: '32MB' } }));
    expect(e.code).toBe('FF_INGEST_READ');
    expect(e.message).toMatch(/line at byte 9437203 is 9437189 bytes long, over csv.maxLineBytes \(1048576\).*limits.memoryLimit 32MB/);
    expect(partsLeft(workDir)).toEqual([]);
  }, 120_000);

  it('a maxRejected breach (count or percent) fails the read and leaves nothing written', async () => {
    const text = 'a,b\n1,x\nbad\n2,y\nbad\n3,z\n';
    const e = await failure(read(put('rej.csv', text), { limits: { maxRejected: { count: 1 } }, workDir: path.join(dir, 'w-rej') }));
    expect(e.code).toBe('FF_INGEST_TOO_MANY_REJECTED');
    expect(e.message).toContain('2 of 5 rows rejected');
    expect(e.message).toContain('landing/rej.csv line 3');
    expect(partsLeft(path.join(dir, 'w-rej'))).toEqual([]);
    expect((await failure(read(put('rej.csv', text), { limits: { maxRejected: { percent: 10 } } }))).code).toBe('FF_INGEST_TOO_MANY_REJECTED');
    const within = await read(put('rej.csv', text), { limits: { maxRejected: { count: 2, percent: 50 } } });
    expect(within.rejected.count).toBe(2);
    expect((await rejectsOf(within)).map((x) => x.line)).toEqual(['3', '5']);
  });
});

describe('compressed inputs', () => {
  const csv = 'id,v\n1,a\n2,b\n';

  it('gzip is detected by its magic bytes, not its name', async () => {
    const r = await read(put('data.bin', zlib.gzipSync(csv)));
    expect(r.compression).toBe('gzip');
    expect((await rowsOf(r)).map((x) => x.v)).toEqual(['a', 'b']);
  });

  it('a truncated gzip is a clear error and nothing is written', async () => {
    const gz = zlib.gzipSync(csv.repeat(1000));
    const workDir = path.join(dir, 'w-trunc');
    const e = await failure(read(put('trunc.csv.gz', gz.subarray(0, gz.length - 20)), { workDir }));
    expect(e.code).toBe('FF_INGEST_ARCHIVE_CORRUPT');
    expect(e.message).toContain('trunc.csv.gz');
    expect(partsLeft(workDir)).toEqual([]);
  });

  it('a gzip bomb is stopped by the ratio limit while it streams', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61));
    const e = await failure(read(put('bomb.csv.gz', bomb)));
    expect(e.code).toBe('FF_INGEST_ARCHIVE_TOO_LARGE');
    expect(e.message).toContain('decompression bomb');
    expect((await failure(read(put('big.csv.gz', zlib.gzipSync(csv.repeat(100_000))), { limits: { maxExtractedBytes: 1000 } }))).message).toContain(
      'maxExtractedBytes',
    );
  });

  it('zip: every member, or those matching a pattern; each row names its member', async () => {
    const z = zip([
      { name: 'data/a.csv', data: csv, deflate: true },
      { name: 'data/b.csv', data: 'id,v\n3,c\n' },
      { name: 'readme.txt', data: 'not data' },
    ]);
    const r = await read(put('batch.zip', z), { options: { members: 'data/*.csv' } });
    expect(r.members.map((m) => m.name)).toEqual(['data/a.csv', 'data/b.csv']);
    const rows = await rowsOf(r);
    expect(rows.map((x) => [x._ff_source_file, x._ff_source_line, x.v])).toEqual([
      ['landing/batch.zip!/data/a.csv', '2', 'a'],
      ['landing/batch.zip!/data/a.csv', '3', 'b'],
      ['landing/batch.zip!/data/b.csv', '2', 'c'],
    ]);
    expect((await failure(read(put('batch.zip', z), { options: { members: '*.parquet' } }))).code).toBe('FF_INGEST_NO_MEMBERS');
  });

  it('zip slip, absolute paths and symlinks refuse the whole archive before anything is written', async () => {
    for (const [name, mode] of [
      ['../../evil.csv', undefined],
      ['/etc/evil.csv', undefined],
      ['link.csv', 0o120777],
    ] as const) {
      const workDir = path.join(dir, `w-slip-${n++}`);
      const e = await failure(
        read(
          put(
            'slip.zip',
            zip([
              { name: 'ok.csv', data: csv },
              { name, data: 'x', mode },
            ]),
          ),
          { workDir },
        ),
      );
      expect(e.code).toBe('FF_INGEST_ARCHIVE_UNSAFE');
      expect(e.message).toContain(JSON.stringify(name));
      expect(partsLeft(workDir)).toEqual([]);
    }
    expect(fs.existsSync(path.join(dir, '..', 'evil.csv'))).toBe(false);
  });

  it('a zip bomb is refused from its declared sizes', async () => {
    const e = await failure(read(put('bomb.zip', zip([{ name: 'zeros.csv', data: Buffer.alloc(50 * 1024 * 1024, 0x30), deflate: true }]))));
    expect(e.code).toBe('FF_INGEST_ARCHIVE_TOO_LARGE');
    expect(e.message).toContain('zeros.csv');
    expect(
      (
        await failure(
          read(
            put(
              'many.zip',
              zip([
                { name: 'a.csv', data: csv },
                { name: 'b.csv', data: csv },
              ]),
            ),
            { limits: { maxMembers: 1 } },
          ),
        )
      ).message,
    ).toContain('maxMembers');
  });

  it('tar and tar.gz: all members; a symlink member refuses the archive', async () => {
    const t = await tar([
      { name: 'x/a.csv', data: csv },
      { name: 'x/b.csv', data: 'id,v\n9,z\n' },
    ]);
    const plain = await read(put('b.tar', t));
    expect(plain.compression).toBe('tar');
    expect(plain.rows).toBe(3);
    const gz = await read(put('b.tar.gz', zlib.gzipSync(t)));
    expect(gz.rows).toBe(3);
    expect(gz.members.map((m) => m.name)).toEqual(['x/a.csv', 'x/b.csv']);
    const bad = await tar([
      { name: 'a.csv', data: csv },
      { name: 'evil.csv', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    expect((await failure(read(put('bad.tgz', zlib.gzipSync(bad))))).code).toBe('FF_INGEST_ARCHIVE_UNSAFE');
    expect((await failure(read(put('slip.tar', await tar([{ name: '../x.csv', data: csv }]))))).code).toBe('FF_INGEST_ARCHIVE_UNSAFE');
  });
});

describe('JSON, Parquet, xlsx', () => {
  it('NDJSON: mixed types per field are kept as JSON values, never nulled; leading-zero strings stay text', async () => {
    const r = await read(put('events.ndjson', '{"id":"007","v":1,"o":{"k":[1,2]}}\n{"id":"008","v":"two","o":{"k":[3]}}\n'));
    expect(types(r).slice(0, 3)).toEqual(['id VARCHAR', 'v JSON', 'o STRUCT(k BIGINT[])']);
    const rows = await rowsOf(r);
    expect(rows.map((x) => [x.id, x.v, x._ff_source_line])).toEqual([
      ['007', '1', '1'],
      ['008', '"two"', '2'],
    ]);
  });

  it('JSON arrays: nested objects flattened and one array exploded on request', async () => {
    const r = await read(put('doc.json', '[{"id":1,"o":{"k":[1,2],"n":{"x":"a"}}},{"id":2,"o":{"k":[],"n":{"x":"b"}}}]'), {
      options: { json: { nested: 'flatten', explode: ['o.k'] } },
    });
    expect(types(r).slice(0, 3)).toEqual(['id BIGINT', 'o.k BIGINT', 'o.n.x VARCHAR']);
    expect((await rowsOf(r)).map((x) => [x.id, x['o.k'], x['o.n.x']])).toEqual([
      ['1', '1', 'a'],
      ['1', '2', 'a'],
    ]);
    expect((await failure(read(put('doc.json', '[{"id":1}]'), { options: { json: { explode: ['id'] } } }))).code).toBe('FF_INGEST_OPTIONS');
  });

  it('malformed JSON (an array document) is a clear error naming the file', async () => {
    const e = await failure(read(put('broken.json', '[{"a":1},{"a":')));
    expect(e.code).toBe('FF_INGEST_READ');
    expect(e.message).toContain('broken.json');
  });

  it('NDJSON: a malformed or non-object line is rejected with file, line, raw and reason; the rest is read and typed', async () => {
    const text = ['{"id":1,"v":1}', '{"id":', '', '{"id":2,"v":"two"}', 'not json', '[1,2]', '{"id":3,"v":{"k":true}}', '  ', '{"id":4}'].join('\n');
    const r = await read(put('dirty.ndjson', `${text}\n`));
    expect(types(r).slice(0, 2)).toEqual(['id BIGINT', 'v JSON']);
    // Lines count records as DuckDB does: blank lines do not count.
    expect((await rowsOf(r)).map((x) => [x.id, x.v, x._ff_source_line])).toEqual([
      ['1', '1', '1'],
      ['2', '"two"', '3'],
      ['3', '{"k":true}', '6'],
      ['4', null, '7'],
    ]);
    expect(r.rejected.count).toBe(3);
    expect(await rejectsOf(r)).toEqual([
      { file: 'landing/dirty.ndjson', line: '2', raw: '{"id":', reason: 'MALFORMED JSON: the line is not valid JSON' },
      { file: 'landing/dirty.ndjson', line: '4', raw: 'not json', reason: 'MALFORMED JSON: the line is not valid JSON' },
      { file: 'landing/dirty.ndjson', line: '5', raw: '[1,2]', reason: 'NOT AN OBJECT: the line holds a JSON array, not an object' },
    ]);
    // The rejects count against maxRejected like CSV rejects; nothing is kept on a breach.
    const workDir = path.join(dir, 'w-dirty');
    const e = await failure(read(put('dirty.ndjson', `${text}\n`), { workDir, limits: { maxRejected: { count: 2 } } }));
    expect(e.code).toBe('FF_INGEST_TOO_MANY_REJECTED');
    expect(e.message).toContain('landing/dirty.ndjson line 2: MALFORMED JSON');
    expect(partsLeft(workDir)).toEqual([]);
  });

  it('NDJSON: a value past sampleRows that does not fit its field is never nulled: the file is read again with every record sampled', async () => {
    const r = await read(put('late.ndjson', '{"a":1}\n{"a":2}\n{"a":"x"}\n'), { options: { sampleRows: 1 } });
    expect(types(r)[0]).toBe('a JSON');
    expect((await rowsOf(r)).map((x) => x.a)).toEqual(['1', '2', '"x"']);
    expect(r.members[0]!.notes.join('; ')).toContain('read again with every record sampled');
    // Both at once: a malformed line and a late misfit; CRLF breaks and a BOM.
    const both = await read(put('both.ndjson', '\ufeff{"a":1}\r\n{"a":\r\n{"a":2}\r\n{"a":"x"}\r\n'), { options: { sampleRows: 1 } });
    expect((await rowsOf(both)).map((x) => [x.a, x._ff_source_line])).toEqual([
      ['1', '1'],
      ['2', '3'],
      ['"x"', '4'],
    ]);
    expect((await rejectsOf(both)).map((x) => [x.line, x.raw])).toEqual([['2', '{"a":']]);
    // A file of arrays only (no object) stays one column, as DuckDB reads it, not a file of rejects.
    const arrays = await read(put('arrays.ndjson', '[1,2]\n[3]\n'), { options: { format: 'ndjson' } });
    expect(arrays.rejected.count).toBe(0);
    expect((await rowsOf(arrays)).map((x) => x.json)).toEqual([['1', '2'], ['3']]);
  });

  it('Parquet keeps its types; lines are row numbers', async () => {
    const file = path.join(dir, 'in.parquet');
    await db.withSession((s) => s.run(`COPY (SELECT i AS id, 'v' || i AS v FROM range(3) t(i)) TO '${file}' (FORMAT parquet)`));
    const r = await read(file);
    expect(types(r).slice(0, 2)).toEqual(['id BIGINT', 'v VARCHAR']);
    expect((await rowsOf(r)).map((x) => [x.id, x._ff_source_line])).toEqual([
      ['0', '1'],
      ['1', '2'],
      ['2', '3'],
    ]);
  });

  it('xlsx: sheet by name, header row, range; text cells keep leading zeros; lines are sheet rows', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Other').addRow(['nothing']);
    const ws = wb.addWorksheet('Data');
    ws.addRow(['report title']);
    ws.addRow(['id', 'zip', 'amount', 'when', 'ignored']);
    ws.addRow([1, '00123', 1.5, new Date(Date.UTC(2024, 0, 5)), 'x']);
    ws.addRow([2, '04711', 2, new Date(Date.UTC(2024, 1, 6)), 'y']);
    const file = path.join(dir, 'book.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await read(file, { options: { xlsx: { sheet: 'Data', headerRow: 2, range: 'A1:D10' } } });
    expect(types(r).slice(0, 4)).toEqual(['id BIGINT', 'zip VARCHAR', 'amount DOUBLE', 'when DATE']);
    expect((await rowsOf(r)).map((x) => [x.id, x.zip, x.amount, x.when, x._ff_source_line])).toEqual([
      ['1', '00123', 1.5, '2024-01-05', '3'],
      ['2', '04711', 2, '2024-02-06', '4'],
    ]);
    expect((await failure(read(file, { options: { xlsx: { sheet: 'Nope' } } }))).message).toContain('"Other", "Data"');
  });
});

describe('schema against the table, inference, progress', () => {
  it('evolve adds a column; fail refuses an incompatible type naming column, old and new type, writing nothing', async () => {
    const table = [
      { name: 'id', type: 'BIGINT', nullable: true },
      { name: 'name', type: 'VARCHAR', nullable: true },
    ];
    const ok = await read(put('t.csv', 'id,name,extra\n1,a,2024-01-01\n'), { table: { schema: table, onSchemaChange: 'evolve' } });
    expect(types(ok).slice(0, 3)).toEqual(['id BIGINT', 'name VARCHAR', 'extra DATE']);
    const workDir = path.join(dir, 'w-schema');
    const e = await failure(read(put('t.csv', 'id,name\nx1,a\n'), { table: { schema: table, onSchemaChange: 'evolve' }, workDir }));
    expect(e.code).toBe('FF_INGEST_SCHEMA_CHANGE');
    expect(e.message).toContain('column "id" is BIGINT in the table but VARCHAR in the file');
    expect(partsLeft(workDir)).toEqual([]);
  });

  it('quarantine sends rows whose values do not fit the table to the rejects', async () => {
    const table = [{ name: 'id', type: 'BIGINT', nullable: true }];
    const r = await read(put('q.csv', 'id\n1\nx\n2\n'), { table: { schema: table, onSchemaChange: 'quarantine' } });
    expect(types(r)[0]).toBe('id BIGINT');
    expect((await rowsOf(r)).map((x) => x.id)).toEqual(['1', '2']);
    expect(await rejectsOf(r)).toEqual([
      expect.objectContaining({ line: '3', raw: '{"id":"x"}', reason: expect.stringContaining('column "id" is BIGINT in the table but VARCHAR') }),
    ]);
  });

  it('inferSchema describes without writing; progress reports rows and bytes', async () => {
    const file = put('p.csv', `id,v\n${Array.from({ length: 1000 }, (_, i) => `${i},v${i}`).join('\n')}\n`);
    const workDir = path.join(dir, 'w-infer');
    const s = await inferSchema({ file, sourceName: 'p.csv', workDir });
    expect(s.schema.slice(0, 2).map((c) => `${c.name} ${c.type}`)).toEqual(['id BIGINT', 'v VARCHAR']);
    expect(partsLeft(workDir)).toEqual([]);
    const seen: { rows: number; bytesRead: number }[] = [];
    const r = await read(file, { onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toMatchObject({ rows: 1000, bytesRead: fs.statSync(file).size });
    expect(r.bytesRead).toBe(fs.statSync(file).size);
  });
});
