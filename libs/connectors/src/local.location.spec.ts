import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
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
});
