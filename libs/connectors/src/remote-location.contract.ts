import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { selectFiles } from './file-selection';
import type { FileLocation } from './location.port';

/** `data` in 64 KiB chunks; with `failAfter`, the stream errors once that many bytes were emitted (a producer dying midway). */
function chunked(data: Buffer, failAfter?: number): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && at >= failAfter) return this.destroy(new Error(`source stream failed on purpose after ${at} bytes`));
      if (at >= data.length) return void this.push(null);
      const n = Math.min(64 * 1024, data.length - at, failAfter !== undefined ? failAfter - at : Infinity);
      this.push(data.subarray(at, at + n));
      at += n;
    },
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A real server a location test runs against, and how to build locations on it. */
export interface RemoteLocationFixture {
  /** Writes a file on the server's disk (under the location's default root), owned by the server's user. */
  writeFile(rel: string, data: string | Buffer): void;
  /** The server's folder on disk that the location's default root maps to. */
  root: string;
  /** A location on the server; `overrides` change its config (e.g. `path`). */
  make(overrides?: Record<string, unknown>): FileLocation;
}

/**
 * What every networked location (sftp, ftp, smb) must do against its real server, shared by their
 * integration tests (<type>.location.int-spec.ts): browse a nested tree, select with globs and regexes,
 * stream a 5 MiB file with bounded buffering, archive (copy, move), delete, write (through a partial
 * name, replacing or refusing an existing file, nothing left when the body fails), and answer a missing path
 * with FF_LOCATION_NOT_FOUND, a wrong password with FF_LOCATION_AUTH, a closed port with
 * FF_LOCATION_UNREACHABLE, a private address without allowPrivateNetworks with FF_LOCATION_REFUSED and a
 * `..` path with FF_LOCATION_INVALID_PATH before any connection.
 */
export function remoteLocationContract(type: string, fixture: () => RemoteLocationFixture): void {
  let fx: RemoteLocationFixture;
  let loc: FileLocation;
  const big = randomBytes(5 * 1024 * 1024);
  const opened: FileLocation[] = [];
  const make = (overrides?: Record<string, unknown>) => {
    const l = fx.make(overrides);
    opened.push(l);
    return l;
  };

  beforeAll(() => {
    fx = fixture();
    fx.writeFile('in/a.csv', 'x\n1\n');
    fx.writeFile('in/b.json', '{}');
    fx.writeFile('in/2024/01/c.csv', 'x\n2\n');
    fx.writeFile('in/2024/02/d.csv', 'x\n3\n');
    fx.writeFile('in/2024/02/e.txt', 'not csv');
    fx.writeFile('big/big.bin', big);
    loc = make();
  });
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
  });

  it(`${type}: tests, lists a folder (files and folders, sorted, sizes, mtimes), stats and streams a file`, async () => {
    expect(loc.type).toBe(type);
    await loc.test();
    const { entries, truncated } = await loc.list('in');
    expect(truncated).toBe(false);
    expect(entries.map((e) => [e.path, e.name, e.kind, e.size])).toEqual([
      ['in/2024', '2024', 'dir', null],
      ['in/a.csv', 'a.csv', 'file', 4],
      ['in/b.json', 'b.json', 'file', 2],
    ]);
    // Modification times come from the server: within a day of the files just written (FTP LIST has minutes only).
    const written = fs.statSync(path.join(fx.root, 'in/a.csv')).mtime.getTime();
    const listedA = entries.find((e) => e.name === 'a.csv')!;
    expect(Math.abs(Date.parse(listedA.modifiedAt!) - written)).toBeLessThan(120_000);
    expect(await loc.list('in', { limit: 1 })).toMatchObject({ truncated: true, entries: [{ path: 'in/2024' }] });
    expect((await loc.list('in/2024/02')).entries.map((e) => e.path)).toEqual(['in/2024/02/d.csv', 'in/2024/02/e.txt']);
    const c = await loc.stat('in/2024/01/c.csv');
    expect(c).toMatchObject({ path: 'in/2024/01/c.csv', name: 'c.csv', kind: 'file', size: 4 });
    expect(Math.abs(Date.parse(c!.modifiedAt!) - fs.statSync(path.join(fx.root, 'in/2024/01/c.csv')).mtime.getTime())).toBeLessThan(2_000);
    expect(await loc.stat('in/2024')).toBeNull(); // a folder is not a file
    expect(await loc.stat('in/nope.csv')).toBeNull();
    expect(await text(await loc.open('in/2024/02/d.csv'))).toBe('x\n3\n');
  });

  it(`${type}: a configured folder is the root`, async () => {
    const sub = make({ path: 'in/2024' });
    await sub.test();
    expect((await sub.list('')).entries.map((e) => [e.path, e.kind])).toEqual([
      ['01', 'dir'],
      ['02', 'dir'],
    ]);
    expect(await text(await sub.open('01/c.csv'))).toBe('x\n2\n');
    await expect(make({ path: 'no/such/folder' }).test()).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
  });

  it(`${type}: selects by path, glob and regex through selectFiles`, async () => {
    expect((await selectFiles(loc, { kind: 'path', path: 'in/a.csv' })).map((e) => e.path)).toEqual(['in/a.csv']);
    await expect(selectFiles(loc, { kind: 'path', path: 'in/zzz.csv' })).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    expect((await selectFiles(loc, { kind: 'glob', glob: 'in/*.csv' })).map((e) => e.path)).toEqual(['in/a.csv']);
    expect((await selectFiles(loc, { kind: 'glob', glob: 'in/**/*.csv' })).map((e) => e.path)).toEqual(['in/2024/01/c.csv', 'in/2024/02/d.csv', 'in/a.csv']);
    expect((await selectFiles(loc, { kind: 'regex', regex: '\\.(json|txt)$', under: 'in' })).map((e) => e.path)).toEqual(['in/2024/02/e.txt', 'in/b.json']);
    await expect(selectFiles(loc, { kind: 'glob', glob: 'in/**/*' }, { maxFiles: 2 })).rejects.toMatchObject({ code: 'FF_LOCATION_TOO_MANY' });
  });

  it(`${type}: streams a 5 MiB file in chunks with bounded buffering (sha256 equal)`, async () => {
    const stream = await loc.open('big/big.bin');
    const hash = createHash('sha256');
    let bytes = 0;
    let largestChunk = 0;
    let largestBuffered = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      largestChunk = Math.max(largestChunk, chunk.length);
      largestBuffered = Math.max(largestBuffered, stream.readableLength);
    }
    expect(bytes).toBe(big.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    // Never the whole file at once: chunks and what waits in the stream stay far below 5 MiB.
    expect(largestChunk).toBeLessThanOrEqual(1024 * 1024);
    expect(largestBuffered).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it(`${type}: archives by copy and by move (folders created), deletes; a missing file is not an error to delete`, async () => {
    fx.writeFile('in/arch.csv', 'x\n9\n');
    await loc.archive('in/arch.csv', 'done/copy/arch.csv', { move: false });
    expect(fs.readFileSync(path.join(fx.root, 'done/copy/arch.csv'), 'utf8')).toBe('x\n9\n');
    expect(fs.existsSync(path.join(fx.root, 'in/arch.csv'))).toBe(true);
    // The copy went through a temporary name: nothing else is left beside it.
    expect(fs.readdirSync(path.join(fx.root, 'done/copy'))).toEqual(['arch.csv']);
    expect(fs.readdirSync(fx.root).filter((n) => n.includes('flowforge'))).toEqual([]);
    await loc.archive('in/arch.csv', 'done/moved/2024/arch.csv', { move: true });
    expect(fs.existsSync(path.join(fx.root, 'in/arch.csv'))).toBe(false);
    expect(fs.readFileSync(path.join(fx.root, 'done/moved/2024/arch.csv'), 'utf8')).toBe('x\n9\n');
    // Archiving again over an archived file of the same name replaces it.
    fx.writeFile('in/arch.csv', 'x\n10\n');
    await loc.archive('in/arch.csv', 'done/moved/2024/arch.csv', { move: true });
    expect(fs.readFileSync(path.join(fx.root, 'done/moved/2024/arch.csv'), 'utf8')).toBe('x\n10\n');
    await expect(loc.archive('in/none.csv', 'done/none.csv', { move: true })).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    await loc.delete('done/copy/arch.csv');
    expect(fs.existsSync(path.join(fx.root, 'done/copy/arch.csv'))).toBe(false);
    await loc.delete('done/copy/arch.csv');
  });

  it(`${type}: writes a file (folders created) that reads back equal, replaces it, and refuses it with overwrite: false`, async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    expect(await loc.write('out/2024/w.bin', chunked(data))).toEqual({ bytes: data.length });
    expect(sha256(fs.readFileSync(path.join(fx.root, 'out/2024/w.bin')))).toBe(sha256(data));
    const back = await loc.open('out/2024/w.bin');
    const hash = createHash('sha256');
    for await (const chunk of back as AsyncIterable<Buffer>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(sha256(data));
    // The upload went through a partial name: nothing else is left beside the file.
    expect(fs.readdirSync(path.join(fx.root, 'out/2024'))).toEqual(['w.bin']);
    await loc.write('out/r.csv', Readable.from(['x\n1\n']));
    expect(await loc.write('out/r.csv', Readable.from(['x\n2\n']))).toEqual({ bytes: 4 });
    expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
    const refused = Readable.from(['x\n3\n']);
    const err = await loc.write('out/r.csv', refused, { overwrite: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_EXISTS', retryable: false, message: expect.stringContaining('out/r.csv') });
    expect(refused.destroyed).toBe(true);
    expect(fs.readFileSync(path.join(fx.root, 'out/r.csv'), 'utf8')).toBe('x\n2\n');
    expect(await loc.write('out/a file é.csv', Readable.from(['é\n']), { overwrite: false })).toEqual({ bytes: 3 });
    expect(await loc.write('out/empty.csv', Readable.from([]))).toEqual({ bytes: 0 });
    expect(fs.readdirSync(path.join(fx.root, 'out')).sort()).toEqual(['2024', 'a file é.csv', 'empty.csv', 'r.csv']);
  });

  it(`${type}: a body failing midway leaves nothing at the path and no partial (a new file, and an existing one kept as it was)`, async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const err = await loc.write('failed/deep/f.bin', chunked(data, 1024 * 1024 + 7)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_FAILED', message: expect.stringContaining('failed/deep/f.bin') });
    expect((err as Error).message).toContain('source stream failed on purpose');
    expect(fs.readdirSync(path.join(fx.root, 'failed/deep'))).toEqual([]);
    await loc.write('failed/keep.csv', Readable.from(['kept\n']));
    await expect(loc.write('failed/keep.csv', chunked(data, 512 * 1024))).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED' });
    expect(fs.readFileSync(path.join(fx.root, 'failed/keep.csv'), 'utf8')).toBe('kept\n');
    expect(fs.readdirSync(path.join(fx.root, 'failed')).sort()).toEqual(['deep', 'keep.csv']);
    // The location still works after a failed write (its session was not left broken).
    expect(await text(await loc.open('failed/keep.csv'))).toBe('kept\n');
  });

  it(`${type}: overwrite: false refuses a file another writer put at the path while the upload ran`, async () => {
    let sent = 0;
    // Another writer creates the target once 1 MiB of ours went out: the existence check made before is passed.
    const racing = new Readable({
      read() {
        if (sent === 1024 * 1024) fx.writeFile('race/r.csv', 'theirs\n');
        if (sent >= 2 * 1024 * 1024) return void this.push(null);
        sent += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 2));
      },
    });
    await expect(loc.write('race/r.csv', racing, { overwrite: false })).rejects.toMatchObject({ code: 'FF_LOCATION_EXISTS' });
    expect(fs.readFileSync(path.join(fx.root, 'race/r.csv'), 'utf8')).toBe('theirs\n');
    expect(fs.readdirSync(path.join(fx.root, 'race'))).toEqual(['r.csv']);
  });

  it(`${type}: an abort during a write stops it (retryable FF_LOCATION_FAILED) and leaves nothing`, async () => {
    const ac = new AbortController();
    let sent = 0;
    // Endless: only the abort ends the write, fired once 2 MiB were pulled (more than the write's own buffers hold: the upload is under way).
    const endless = new Readable({
      read() {
        sent += 64 * 1024;
        if (sent >= 2 * 1024 * 1024 && !ac.signal.aborted) ac.abort();
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    const err = await loc.write('aborted/a.bin', endless, { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_FAILED', retryable: true, message: expect.stringContaining('aborted/a.bin') });
    expect(endless.destroyed).toBe(true);
    expect(fs.readdirSync(path.join(fx.root, 'aborted'))).toEqual([]);
  });

  it(`${type}: names with spaces and non-ASCII letters`, async () => {
    fx.writeFile('odd/a file é.csv', 'odd\n');
    expect((await loc.list('odd')).entries.map((e) => [e.name, e.size])).toEqual([['a file é.csv', 4]]);
    expect(await loc.stat('odd/a file é.csv')).toMatchObject({ size: 4 });
    expect(await text(await loc.open('odd/a file é.csv'))).toBe('odd\n');
  });

  it(`${type}: a missing file or folder is FF_LOCATION_NOT_FOUND`, async () => {
    await expect(loc.open('in/missing.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    await expect(loc.open('in/2024')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    await expect(loc.list('in/missing')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
  });

  it(`${type}: a wrong password is FF_LOCATION_AUTH, and the error does not carry it`, async () => {
    const wrong = make({ password: 'Wrong-Pass-123' });
    const err = await wrong.test().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FF_LOCATION_AUTH', retryable: false });
    expect(String((err as Error).message)).not.toContain('Wrong-Pass-123');
    await expect(wrong.list('in')).rejects.toMatchObject({ code: 'FF_LOCATION_AUTH' });
  });

  it(`${type}: refuses ".." before connecting, a loopback host without allowPrivateNetworks, and a closed port is unreachable`, async () => {
    // Port 1 on loopback: nothing listens, so only a check made before connecting can answer INVALID_PATH.
    const nowhere = make({ port: 1 });
    await expect(nowhere.open('../etc/passwd')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(nowhere.list('in/../..')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(nowhere.archive('in/a.csv', '../a.csv', { move: true })).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(nowhere.write('../a.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(nowhere.write('', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(nowhere.test()).rejects.toMatchObject({ code: 'FF_LOCATION_UNREACHABLE', retryable: true });
    await expect(loc.open('../outside')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    const guarded = make({ allowPrivateNetworks: false });
    await expect(guarded.test()).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    await expect(guarded.list('in')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    await expect(guarded.write('in/refused.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    expect(fs.existsSync(path.join(fx.root, 'in/refused.csv'))).toBe(false);
  });
}
