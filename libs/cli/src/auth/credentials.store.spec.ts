import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliFailure } from '../cli.errors';
import { CredentialStore, type StoredCredentials } from './credentials.store';

const A = 'http://127.0.0.1:8080';
const B = 'https://flowforge.example/prefix';

function creds(tag: string): StoredCredentials {
  return {
    username: 'ada',
    userId: 'u-1',
    sessionId: `s-${tag}`,
    accessToken: `access-${tag}`,
    accessExpiresAt: '2026-01-31T10:05:00.000Z',
    refreshToken: `ffr_refresh-${tag}`,
    refreshExpiresAt: '2026-02-01T10:00:00.000Z',
    savedAt: '2026-01-31T10:00:00.000Z',
  };
}

const mode = (p: string): number => fs.statSync(p).mode & 0o777;

describe('CredentialStore', () => {
  let root: string;
  let store: CredentialStore;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cred-'));
    store = new CredentialStore(path.join(root, 'config', 'flowforge'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates its directory 0700 and the file 0600, whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      await store.save(A, creds('1'));
    } finally {
      process.umask(old);
    }
    expect(mode(store.dir)).toBe(0o700);
    expect(mode(store.file)).toBe(0o600);
    expect(path.basename(store.file)).toBe('credentials.json');
  });

  it('keeps one entry per server: saving or removing one leaves the others', async () => {
    expect(store.read(A)).toBeUndefined(); // no file yet: nothing stored, no error
    await store.save(A, creds('a'));
    await store.save(B, creds('b'));
    expect(store.read(A)).toEqual(creds('a'));
    expect(store.read(B)).toEqual(creds('b'));
    expect(store.read('http://127.0.0.1:9999')).toBeUndefined();
    await store.save(A, creds('a2'));
    expect(store.read(B)).toEqual(creds('b'));
    expect(await store.remove(A)).toBe(true);
    expect(await store.remove(A)).toBe(false);
    expect(store.read(A)).toBeUndefined();
    expect(store.read(B)).toEqual(creds('b'));
    expect(JSON.parse(fs.readFileSync(store.file, 'utf8'))).toEqual({ version: 1, servers: { [B]: creds('b') } });
  });

  it('replaces the file whole (a new file renamed over it), leaving no temp or lock file behind', async () => {
    await store.save(A, creds('1'));
    // A second name for the old file: written in place, it would change too; replaced, it keeps the old pair.
    const oldLink = path.join(root, 'old-credentials.json');
    fs.linkSync(store.file, oldLink);
    await store.save(A, creds('2'));
    expect(JSON.parse(fs.readFileSync(oldLink, 'utf8')).servers[A].refreshToken).toBe('ffr_refresh-1');
    expect(store.read(A)?.refreshToken).toBe('ffr_refresh-2');
    expect(fs.readdirSync(store.dir)).toEqual(['credentials.json']);
    expect(mode(store.file)).toBe(0o600);
  });

  it('leaves the stored pair as it was when writing the new one fails', async () => {
    await store.save(A, creds('1'));
    // The write fails before anything is renamed: the temp file cannot be created (its name is taken by a directory)...
    const realOpen = fs.openSync;
    const spy = jest.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      if (String(args[0]).endsWith('.tmp')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return realOpen(...args);
    });
    try {
      await expect(store.save(A, creds('2'))).rejects.toThrow(/cannot write .*credentials\.json: ENOSPC/);
    } finally {
      spy.mockRestore();
    }
    // ...and the old pair is intact, with no temp file left.
    expect(store.read(A)?.refreshToken).toBe('ffr_refresh-1');
    expect(fs.readdirSync(store.dir)).toEqual(['credentials.json']);
  });

  it('serialises read-modify-write across concurrent transactions (the lock)', async () => {
    await store.save(A, creds('0'));
    const bump = () =>
      store.transaction(async (servers) => {
        const n = Number(servers[A]!.sessionId.slice(2));
        await new Promise((r) => setTimeout(r, 20)); // a refresh round trip while holding the lock
        servers[A] = { ...servers[A]!, sessionId: `s-${n + 1}` };
      });
    await Promise.all([bump(), bump(), bump()]);
    expect(store.read(A)?.sessionId).toBe('s-3');
  });

  it('takes over a lock left by a process that died holding it', async () => {
    fs.mkdirSync(store.dir, { recursive: true });
    const lock = `${store.file}.lock`;
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    await store.save(A, creds('1'));
    expect(store.read(A)).toEqual(creds('1'));
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('refuses a file that is not JSON, saying what to do, and ignores incomplete entries', async () => {
    fs.mkdirSync(store.dir, { recursive: true });
    fs.writeFileSync(store.file, '{"version":1,"servers":');
    expect(() => store.read(A)).toThrow(CliFailure);
    expect(() => store.read(A)).toThrow(/is not valid JSON \(FF_CLI_CREDENTIALS_UNREADABLE\); delete it and run `flowforge login` again/);
    fs.writeFileSync(store.file, JSON.stringify({ version: 1, servers: { [A]: { username: 'ada' }, [B]: creds('b') } }));
    expect(store.read(A)).toBeUndefined();
    expect(store.read(B)).toEqual(creds('b'));
  });

  it('lives in $FLOWFORGE_CONFIG_DIR, else ~/.flowforge', () => {
    expect(CredentialStore.fromEnv({ FLOWFORGE_CONFIG_DIR: '/etc/ff', HOME: '/home/ada' }).file).toBe('/etc/ff/credentials.json');
    expect(CredentialStore.fromEnv({ HOME: '/home/ada' }).file).toBe('/home/ada/.flowforge/credentials.json');
    expect(CredentialStore.fromEnv({}).file).toBe(path.join(os.homedir(), '.flowforge', 'credentials.json'));
  });
});
