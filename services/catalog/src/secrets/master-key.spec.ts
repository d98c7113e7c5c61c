import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@flowforge/service-kit';
import { catalogConfigVariables } from '../catalog.config';
import { encodeMasterKey, generateMasterKey, masterKeyId } from './master-key';
import { loadOrCreateKeyFile } from './master-key.file';
import { resolveMasterKeyring } from './master-keyring.resolver';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('FLOWFORGE_MASTER_KEY', () => {
  it('accepts the base64 of 32 bytes and leaves it unset by default', () => {
    const key = encodeMasterKey(generateMasterKey());
    expect(loadConfig(catalogConfigVariables, { FLOWFORGE_MASTER_KEY: key }).FLOWFORGE_MASTER_KEY).toBe(key);
    expect(loadConfig(catalogConfigVariables, {}).FLOWFORGE_MASTER_KEY).toBe('');
  });

  it.each([
    ['not base64', 'not base64 at all!', 'is not base64'],
    ['16 bytes', Buffer.alloc(16, 7).toString('base64'), 'decodes to 16 bytes'],
  ])('names the variable for a bad value (%s) without echoing it', (_what, value, reason) => {
    const issues = issuesOf(() => loadConfig(catalogConfigVariables, { FLOWFORGE_MASTER_KEY: value }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^FF_CONFIG: FLOWFORGE_MASTER_KEY must be the base64 encoding of 32 random bytes/);
    expect(issues[0]).toContain(reason);
    expect(issues[0]).not.toContain(value);
  });

  it('checks every key of FLOWFORGE_MASTER_KEY_PREVIOUS', () => {
    const good = encodeMasterKey(generateMasterKey());
    const issues = issuesOf(() => loadConfig(catalogConfigVariables, { FLOWFORGE_MASTER_KEY_PREVIOUS: `${good},AAAA` }));
    expect(issues[0]).toMatch(/^FF_CONFIG: FLOWFORGE_MASTER_KEY_PREVIOUS must be the base64 encoding of 32 random bytes.*decodes to 3 bytes/);
  });

  it('key ids are stable per key and differ between keys', () => {
    const a = generateMasterKey();
    expect(masterKeyId(Buffer.from(a.key))).toBe(a.id);
    expect(generateMasterKey().id).not.toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('master key file (embedded mode)', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-catalog-key-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('is generated with mode 0600 on first start and reused afterwards', () => {
    const first = loadOrCreateKeyFile(path.join(home, 'nested'));
    expect(first.created).toBe(true);
    const file = path.join(home, 'nested', 'master.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateKeyFile(path.join(home, 'nested'));
    expect(second.created).toBe(false);
    expect(second.key.id).toBe(first.key.id);
    expect(second.key.key.equals(first.key.key)).toBe(true);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses a key file with mode %s, naming the path', (mode) => {
    loadOrCreateKeyFile(home);
    const file = path.join(home, 'master.key');
    fs.chmodSync(file, mode);
    const issues = issuesOf(() => loadOrCreateKeyFile(home));
    expect(issues[0]).toContain(`FF_CONFIG: master key file ${file} is readable or writable by group or others`);
    expect(issues[0]).toContain(`chmod 600 ${file}`);
  });

  it('refuses a key file that does not hold a key, naming the path', () => {
    fs.writeFileSync(path.join(home, 'master.key'), 'hello\n', { mode: 0o600 });
    expect(issuesOf(() => loadOrCreateKeyFile(home))[0]).toContain(`master key file ${path.join(home, 'master.key')} must be the base64 encoding`);
  });

  it('resolver: the variable wins; standalone without it is a config error naming FLOWFORGE_MASTER_KEY', () => {
    const env = generateMasterKey();
    const fromEnv = resolveMasterKeyring({ masterKey: encodeMasterKey(env), previousKeys: '', home, mayGenerate: true });
    expect(fromEnv).toMatchObject({ origin: 'environment', created: false });
    expect(fromEnv.keyring.current.id).toBe(env.id);
    expect(fs.existsSync(path.join(home, 'master.key'))).toBe(false);

    expect(issuesOf(() => resolveMasterKeyring({ masterKey: '', previousKeys: '', home, mayGenerate: false }))[0]).toMatch(
      /^FF_CONFIG: FLOWFORGE_MASTER_KEY must be the base64 encoding of 32 random bytes.*it is not set; only the embedded host generates one/,
    );

    const embedded = resolveMasterKeyring({ masterKey: '', previousKeys: '', home, mayGenerate: true });
    expect(embedded).toMatchObject({ origin: 'key-file', created: true, file: path.join(home, 'master.key'), rotationPending: false });
  });
});
