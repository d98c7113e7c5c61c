import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { deterministicStream, hashStream } from '@flowforge/storage/testing';
import { localPathPolicy } from './local-path.policy';
import { LocalLocation } from './local.location';
import { LocationError } from './location.errors';
import { selectFiles } from './file-selection';
import { checkRelativePath } from './location-path';

describe('LocalLocation and selectFiles', () => {
  let scratch: string;
  let landing: string;
  let loc: LocalLocation;

  beforeAll(() => {
    scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ff-loc-')));
    landing = path.join(scratch, 'landing');
    fs.mkdirSync(path.join(landing, 'in', '2024', '01'), { recursive: true });
    fs.writeFileSync(path.join(landing, 'in', 'a.csv'), 'x\n1\n');
    fs.writeFileSync(path.join(landing, 'in', 'b.json'), '{}');
    fs.writeFileSync(path.join(landing, 'in', '2024', '01', 'c.csv'), 'x\n2\n');
    fs.writeFileSync(path.join(scratch, 'secret.txt'), 'outside');
    fs.symlinkSync(path.join(scratch, 'secret.txt'), path.join(landing, 'in', 'escape.csv'));
    const policy = localPathPolicy({ home: path.join(scratch, 'home'), lakeDir: null, roots: landing });
    loc = new LocalLocation(path.join(landing, 'in'), policy);
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('lists a folder (files and folders, sorted, with sizes), stats and streams a file', async () => {
    await loc.test();
    const { entries, truncated } = await loc.list('');
    expect(truncated).toBe(false);
    // The symlink leading out of the directory is not listed.
    expect(entries.map((e) => [e.path, e.kind, e.size])).toEqual([
      ['2024', 'dir', null],
      ['a.csv', 'file', 4],
      ['b.json', 'file', 2],
    ]);
    expect((await loc.list('', { limit: 1 })).truncated).toBe(true);
    expect(await loc.stat('2024/01/c.csv')).toMatchObject({ name: 'c.csv', size: 4, kind: 'file' });
    expect(await loc.stat('2024')).toBeNull();
    expect(await loc.stat('nope.csv')).toBeNull();
    expect(await text(await loc.open('a.csv'))).toBe('x\n1\n');
  });

  it('refuses paths that could leave the directory, and symlinks that do', async () => {
    await expect(loc.open('../secret.txt')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.open('a\u0000.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.open('..\\secret.txt')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.open('escape.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    await expect(loc.localPath('escape.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
    await expect(loc.localPath('../secret.txt')).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
    await expect(loc.localPath('2024')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    expect(await loc.localPath('2024/01/c.csv')).toBe(path.join(landing, 'in', '2024', '01', 'c.csv'));
    await expect(loc.open('missing.csv')).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    expect(checkRelativePath('/in//./a.csv/')).toBe('in/a.csv');
  });

  it('refuses a directory outside the configured roots at use, not only when saved', async () => {
    const outside = new LocalLocation(scratch, localPathPolicy({ home: path.join(scratch, 'home'), lakeDir: null, roots: landing }));
    await expect(outside.list('')).rejects.toBeInstanceOf(LocationError);
    await expect(outside.list('')).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
  });

  it('selects by path, glob (any depth with **) and regex, and bounds the selection', async () => {
    expect((await selectFiles(loc, { kind: 'path', path: 'a.csv' })).map((e) => e.path)).toEqual(['a.csv']);
    await expect(selectFiles(loc, { kind: 'path', path: 'zzz.csv' })).rejects.toMatchObject({ code: 'FF_LOCATION_NOT_FOUND' });
    expect((await selectFiles(loc, { kind: 'glob', glob: '*.csv' })).map((e) => e.path)).toEqual(['a.csv']);
    expect((await selectFiles(loc, { kind: 'glob', glob: '**/*.csv' })).map((e) => e.path)).toEqual(['2024/01/c.csv', 'a.csv']);
    expect((await selectFiles(loc, { kind: 'regex', regex: '\\.json$' })).map((e) => e.path)).toEqual(['b.json']);
    expect(await selectFiles(loc, { kind: 'glob', glob: 'none/*.csv' })).toEqual([]);
    await expect(selectFiles(loc, { kind: 'glob', glob: '**/*' }, { maxFiles: 1 })).rejects.toMatchObject({ code: 'FF_LOCATION_TOO_MANY' });
    await expect(selectFiles(loc, { kind: 'regex', regex: '(' })).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
  });

  it('archives (move or copy) and deletes', async () => {
    fs.writeFileSync(path.join(landing, 'in', 'd.csv'), 'x\n3\n');
    await loc.archive('d.csv', 'done/d.csv', { move: false });
    expect(fs.existsSync(path.join(landing, 'in', 'd.csv'))).toBe(true);
    await loc.archive('d.csv', 'done/2/d.csv', { move: true });
    expect(fs.existsSync(path.join(landing, 'in', 'd.csv'))).toBe(false);
    expect(fs.readFileSync(path.join(landing, 'in', 'done', '2', 'd.csv'), 'utf8')).toBe('x\n3\n');
    await loc.delete('done/2/d.csv');
    await loc.delete('done/2/d.csv'); // missing: not an error
    expect(fs.existsSync(path.join(landing, 'in', 'done', '2', 'd.csv'))).toBe(false);
  });

  describe('write', () => {
    const inDir = () => path.join(landing, 'in');
    /** Every name in the folder that a write in progress uses (none must be left behind). */
    const partials = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes('.ff-partial-'));

    it('streams a body to a new file, creating parent folders, and returns the bytes written (sha256 equal)', async () => {
      const src = deterministicStream(3 * 1024 * 1024 + 17, { seed: 3 });
      expect(await loc.write('out/2024/06/big.bin', src.stream)).toEqual({ bytes: 3 * 1024 * 1024 + 17 });
      expect(await hashStream(await loc.open('out/2024/06/big.bin'))).toEqual({ sha256: src.sha256(), size: 3 * 1024 * 1024 + 17 });
      expect(fs.readdirSync(path.join(inDir(), 'out', '2024', '06'))).toEqual(['big.bin']);
      expect(await loc.write('empty.csv', Readable.from([]))).toEqual({ bytes: 0 });
      expect(fs.readFileSync(path.join(inDir(), 'empty.csv'), 'utf8')).toBe('');
    });

    it('replaces an existing file by default; overwrite: false refuses it with FF_LOCATION_EXISTS and keeps it', async () => {
      await loc.write('out/r.csv', Readable.from(['x\n1\n']));
      await loc.write('out/r.csv', Readable.from(['x\n2\n']), { overwrite: true });
      expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
      const err = await loc.write('out/r.csv', Readable.from(['x\n3\n']), { overwrite: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'FF_LOCATION_EXISTS', retryable: false, message: expect.stringContaining('out/r.csv') });
      expect(await text(await loc.open('out/r.csv'))).toBe('x\n2\n');
      expect(await loc.write('out/new.csv', Readable.from(['n\n']), { overwrite: false })).toEqual({ bytes: 2 });
      expect(partials(path.join(inDir(), 'out'))).toEqual([]);
    });

    it('refuses "..", absolute paths, NUL, the root and bad options before touching the disk, and destroys the body', async () => {
      for (const bad of ['../secret.txt', 'out/../../x.csv', 'a\u0000.csv', '..\\x.csv', '']) {
        const body = Readable.from(['no']);
        await expect(loc.write(bad, body)).rejects.toMatchObject({ code: 'FF_LOCATION_INVALID_PATH' });
        expect(body.destroyed).toBe(true);
      }
      // An absolute path is taken relative to the root (checkRelativePath trims the leading "/"): it cannot reach /tmp.
      await loc.write(`/${path.join(scratch, 'abs.csv')}`, Readable.from(['a']));
      expect(fs.existsSync(path.join(scratch, 'abs.csv'))).toBe(false);
      expect(fs.existsSync(path.join(inDir(), scratch, 'abs.csv'))).toBe(true);
      await expect(loc.write('x.csv', 'not a stream' as unknown as Readable)).rejects.toMatchObject({
        code: 'FF_LOCATION_INVALID_OPTION',
        message: expect.stringContaining('body'),
      });
      await expect(loc.write('x.csv', Readable.from(['a']), { contentType: 'text/csv\r\nX: y' })).rejects.toMatchObject({
        code: 'FF_LOCATION_INVALID_OPTION',
        message: expect.stringContaining('opts.contentType'),
      });
      expect(fs.existsSync(path.join(inDir(), 'x.csv'))).toBe(false);
    });

    it('refuses symlinks leading out (as a target, or as a folder on the way) and creates nothing outside', async () => {
      const outside = path.join(scratch, 'outside-dir');
      fs.mkdirSync(outside);
      fs.symlinkSync(outside, path.join(inDir(), 'linkdir'));
      await expect(loc.write('linkdir/x.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
      await expect(loc.write('linkdir/deeper/x.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
      expect(fs.readdirSync(outside)).toEqual([]);
      await expect(loc.write('escape.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
      expect(fs.readFileSync(path.join(scratch, 'secret.txt'), 'utf8')).toBe('outside');
      // A symlink to a folder inside the directory is followed.
      fs.symlinkSync(path.join(inDir(), '2024'), path.join(inDir(), 'inner'));
      await loc.write('inner/via-link.csv', Readable.from(['v']));
      expect(fs.readFileSync(path.join(inDir(), '2024', 'via-link.csv'), 'utf8')).toBe('v');
      // A file on the way is not a folder; a folder at the path is not a file.
      await expect(loc.write('a.csv/x.csv', Readable.from(['a']))).rejects.toMatchObject({
        code: 'FF_LOCATION_FAILED',
        message: expect.stringContaining('not a folder'),
      });
      await expect(loc.write('2024', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED', message: expect.stringContaining('folder') });
    });

    it('refuses a directory outside the configured roots (the local path policy, as reads)', async () => {
      const outsideLoc = new LocalLocation(scratch, localPathPolicy({ home: path.join(scratch, 'home'), lakeDir: null, roots: landing }));
      await expect(outsideLoc.write('w.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
      expect(fs.existsSync(path.join(scratch, 'w.csv'))).toBe(false);
      // A connection at the platform's home (a guarded folder) is refused even inside the roots.
      const home = path.join(landing, 'home');
      fs.mkdirSync(home);
      const guarded = new LocalLocation(home, localPathPolicy({ home, lakeDir: null, roots: landing }));
      await expect(guarded.write('w.csv', Readable.from(['a']))).rejects.toMatchObject({ code: 'FF_LOCATION_REFUSED' });
      expect(fs.readdirSync(home)).toEqual([]);
    });

    it('overwrite: false refuses a file another writer put at the path while the body streamed (link, not check-then-rename)', async () => {
      let sent = 0;
      // At 1 MiB, past what the write buffers ahead (~0.5 MiB): the check before the upload has passed.
      const racing = new Readable({
        read() {
          if (sent === 1024 * 1024) fs.writeFileSync(path.join(inDir(), 'race.csv'), 'theirs');
          if (sent >= 2 * 1024 * 1024) return void this.push(null);
          sent += 64 * 1024;
          this.push(Buffer.alloc(64 * 1024, 2));
        },
      });
      await expect(loc.write('race.csv', racing, { overwrite: false })).rejects.toMatchObject({ code: 'FF_LOCATION_EXISTS' });
      expect(fs.readFileSync(path.join(inDir(), 'race.csv'), 'utf8')).toBe('theirs');
      expect(partials(inDir())).toEqual([]);
    });

    it('a body failing midway leaves no file and no partial (a new path, and an existing file kept as it was)', async () => {
      const failing = () => deterministicStream(2 * 1024 * 1024, { seed: 5, failAfterBytes: 1024 * 1024 + 3 }).stream;
      const err = await loc.write('out/failed/f.bin', failing()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'FF_LOCATION_FAILED', message: expect.stringContaining('out/failed/f.bin') });
      expect((err as Error).message).toContain('source stream failed on purpose');
      expect(fs.readdirSync(path.join(inDir(), 'out', 'failed'))).toEqual([]);
      await loc.write('out/keep.csv', Readable.from(['kept\n']));
      await expect(loc.write('out/keep.csv', failing())).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED' });
      expect(fs.readFileSync(path.join(inDir(), 'out', 'keep.csv'), 'utf8')).toBe('kept\n');
      expect(partials(path.join(inDir(), 'out'))).toEqual([]);
      // A body that is another location's stream failing: its code and retryability are kept, the message names both.
      const remote = new Readable({
        read() {
          this.destroy(new LocationError('FF_LOCATION_UNREACHABLE', 'SFTP server at h:22 closed the connection unexpectedly'));
        },
      });
      const err2 = await loc.write('out/from-remote.csv', remote).catch((e: unknown) => e);
      expect(err2).toMatchObject({ code: 'FF_LOCATION_UNREACHABLE', retryable: true });
      expect((err2 as Error).message).toMatch(/out\/from-remote\.csv.*SFTP server at h:22/);
      expect(fs.existsSync(path.join(inDir(), 'out', 'from-remote.csv'))).toBe(false);
    });

    it('an abort stops the write: retryable FF_LOCATION_FAILED, nothing left', async () => {
      const ac = new AbortController();
      // A body that never ends: only the abort can finish the write.
      const endless = new Readable({ read() {} });
      endless.push(Buffer.alloc(1000));
      const writing = loc.write('out/aborted.bin', endless, { signal: ac.signal });
      await new Promise((r) => setImmediate(r));
      ac.abort();
      await expect(writing).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED', retryable: true, message: expect.stringContaining('aborted') });
      expect(endless.destroyed).toBe(true);
      expect(fs.existsSync(path.join(inDir(), 'out', 'aborted.bin'))).toBe(false);
      expect(partials(path.join(inDir(), 'out'))).toEqual([]);
      await expect(loc.write('out/pre.bin', Readable.from(['a']), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'FF_LOCATION_FAILED' });
    });
  });
});
