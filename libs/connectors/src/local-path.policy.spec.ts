import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkLocalPath, localPathPolicy, realPathLenient } from './local-path.policy';

describe('local path policy', () => {
  let scratch: string;
  let home: string;

  beforeAll(() => {
    scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ff-lpp-')));
    home = path.join(scratch, 'home');
    fs.mkdirSync(path.join(home, 'landing', 'a'), { recursive: true });
    fs.mkdirSync(path.join(scratch, 'elsewhere'));
    fs.symlinkSync(path.join(scratch, 'elsewhere'), path.join(home, 'landing', 'link'));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('defaults to <FLOWFORGE_HOME>/landing and accepts folders there, existing or not', async () => {
    const policy = localPathPolicy({ home, lakeDir: null, roots: '' });
    expect(policy.roots).toEqual([path.join(home, 'landing')]);
    await expect(checkLocalPath(path.join(home, 'landing', 'a'), policy)).resolves.toEqual({ ok: true, realPath: path.join(home, 'landing', 'a') });
    await expect(checkLocalPath(path.join(home, 'landing', 'new', 'x'), policy)).resolves.toMatchObject({ ok: true });
  });

  it('judges the real path: a symlink leaving the root is refused, naming where it leads', async () => {
    const policy = localPathPolicy({ home, lakeDir: null, roots: '' });
    await expect(checkLocalPath(path.join(home, 'landing', 'link'), policy)).resolves.toEqual({
      ok: false,
      reason: expect.stringContaining(`(really ${path.join(scratch, 'elsewhere')}) is outside the folders local connections may use`),
    });
    await expect(checkLocalPath(path.join(home, 'landing', 'link', 'deeper'), policy)).resolves.toMatchObject({ ok: false });
  });

  it('refuses /, system folders and the platform data even when a root is /', async () => {
    const policy = localPathPolicy({ home, lakeDir: path.join(home, 'lake'), roots: '/' });
    for (const p of ['/', '/etc', '/etc/passwd.d', '/root', '/root/.ssh', '/proc/self', home, path.join(home, 'lake', 'x'), path.join(home, 'pg'), scratch]) {
      await expect(checkLocalPath(p, policy)).resolves.toMatchObject({ ok: false });
    }
    await expect(checkLocalPath(path.join(scratch, 'elsewhere'), policy)).resolves.toMatchObject({ ok: true });
  });

  it('refuses "..", NUL bytes and relative paths before looking at the disk', async () => {
    const policy = localPathPolicy({ home, lakeDir: null, roots: '' });
    await expect(checkLocalPath(`${home}/landing/../../elsewhere`, policy)).resolves.toEqual({ ok: false, reason: 'must not contain ".." segments' });
    await expect(checkLocalPath(`${home}/landing/a\u0000`, policy)).resolves.toEqual({ ok: false, reason: 'must not contain a NUL byte' });
    await expect(checkLocalPath('landing/a', policy)).resolves.toEqual({ ok: false, reason: 'must be an absolute directory path' });
  });

  it('realPathLenient resolves the existing prefix and appends the rest', async () => {
    await expect(realPathLenient(path.join(home, 'landing', 'link', 'not', 'yet'))).resolves.toBe(path.join(scratch, 'elsewhere', 'not', 'yet'));
  });
});
