import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ConfigError } from '@flowforge/service-kit';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { call, startCatalogHost, type CatalogHost } from '../../test/catalog-host';
import { encodeMasterKey, generateMasterKey, MasterKeyring, type MasterKey } from './master-key';
import { readKeyFile } from './master-key.file';
import { SecretCipher } from './secret-cipher';

/**
 * A boot that fails on the master key leaves the modules built before it (DataSource, bus pool) to the
 * exiting process; here the test process lives on, so let their in-flight start-up queries settle
 * before the database is dropped under them.
 */
async function failedStart(start: () => Promise<unknown>): Promise<unknown> {
  const err = await start().then(
    () => null,
    (e: unknown) => e,
  );
  await new Promise((r) => setTimeout(r, 500));
  return err;
}

interface SecretRow {
  connection_id: string;
  field: string;
  key_id: string;
  iv: Buffer;
  auth_tag: Buffer;
  ciphertext: Buffer;
}

async function secretRows(url: string): Promise<SecretRow[]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query<SecretRow>('SELECT * FROM ff_catalog.connection_secrets ORDER BY connection_id, field')).rows;
  } finally {
    await pg.end();
  }
}

/** Decrypts every stored secret with `keys` only: proves which keys the data still depends on. */
function openAll(rows: SecretRow[], keys: MasterKey[]): string[] {
  const cipher = new SecretCipher(new MasterKeyring(keys[0]!, keys.slice(1)));
  return rows.map(
    (r) =>
      JSON.parse(
        cipher.open({ keyId: r.key_id, iv: r.iv, authTag: r.auth_tag, ciphertext: r.ciphertext }, `connection/${r.connection_id}/${r.field}`),
      ) as string,
  );
}

async function seed(host: CatalogHost, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call<{ id: string }>(host.base, 'POST', '/internal/catalog/connections', {
      name: `${prefix}-${i}`,
      type: 'postgres',
      config: { host: '127.0.0.1', database: 'postgres', user: 'postgres', password: `${prefix}-secret-${i}` },
    });
    expect(r.status).toBe(201);
    ids.push(r.body.id);
  }
  return ids;
}

describe('master key rotation (embedded key file)', () => {
  let db: TestDatabase;
  let home: string;
  let host: CatalogHost | undefined;
  const start = () => startCatalogHost({ databaseUrl: db.url, mode: 'embedded', env: { FLOWFORGE_HOME: home } });

  beforeAll(async () => {
    db = await createTestDatabase('ff_catrot');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-rot-home-'));
  });
  afterAll(async () => {
    await host?.close();
    fs.rmSync(home, { recursive: true, force: true });
    await db?.drop();
  });

  it('generates master.key (0600), rotates every secret in one go, and the old key is no longer needed', async () => {
    host = await start();
    const keyFile = path.join(home, 'master.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const oldKey = readKeyFile(keyFile);
    await seed(host, 3, 'rot');
    expect((await secretRows(db.url)).map((r) => r.key_id)).toEqual([oldKey.id, oldKey.id, oldKey.id]);

    // What scripts/catalog-rotate-key.js asks for through the gateway (POST /api/v1/system/secrets/rotate,
    // forwarded here); the script itself, with its token, against gateway and catalog: test/catalog-api.e2e-spec.ts.
    const rotated = await call<{ keyId: string; previousKeyId: string; total: number }>(host.base, 'POST', '/internal/catalog/secrets/rotate');
    const newKey = readKeyFile(keyFile);
    expect(newKey.id).not.toBe(oldKey.id);
    expect(rotated).toMatchObject({ status: 200, body: { keyId: newKey.id, previousKeyId: oldKey.id, total: 3 } });
    expect(fs.existsSync(path.join(home, 'master.key.next'))).toBe(false);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    const rows = await secretRows(db.url);
    expect(rows.map((r) => r.key_id)).toEqual([newKey.id, newKey.id, newKey.id]);
    expect(openAll(rows, [newKey]).sort()).toEqual(['rot-secret-0', 'rot-secret-1', 'rot-secret-2']);
    expect(() => openAll(rows, [oldKey])).toThrow(/FF_SECRET_KEY_UNKNOWN|which this process does not hold/);

    // The running process switched keys: new secrets go under the new key.
    await seed(host, 1, 'after');
    expect(new Set((await secretRows(db.url)).map((r) => r.key_id))).toEqual(new Set([newKey.id]));

    // A restart reads only the new key file and still decrypts everything (an update decrypts to validate).
    await host.close();
    host = await start();
    const list = await call<{ id: string; name: string }[]>(host.base, 'GET', '/internal/catalog/connections');
    for (const c of list.body) {
      expect((await call(host.base, 'PATCH', `/internal/catalog/connections/${c.id}`, { config: { port: 5432 } })).status).toBe(200);
    }
    expect(host.rawLogs()).not.toContain(encodeMasterKey(newKey));
    expect(host.rawLogs()).not.toMatch(/rot-secret-\d/);
  });

  it('a rotation that fails changes nothing; the next run reuses master.key.next and finishes', async () => {
    host ??= await start();
    const keyFile = path.join(home, 'master.key');
    const before = readKeyFile(keyFile);
    const [victim] = await seed(host, 1, 'broken');
    // Corrupt one ciphertext: the rotation cannot decrypt it and must roll back as a whole.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(`UPDATE ff_catalog.connection_secrets SET ciphertext = decode('00', 'hex') || ciphertext WHERE connection_id = $1`, [victim]);
      const rowsBefore = await secretRows(db.url);
      const failed = await call<{ code: string; detail: string }>(host.base, 'POST', '/internal/catalog/secrets/rotate');
      expect(failed.status).toBe(500);
      expect(failed.body).toMatchObject({ code: 'FF_SECRET_TAMPERED', detail: expect.stringContaining(`connection/${victim}/password`) });
      expect(await secretRows(db.url)).toEqual(rowsBefore);
      expect(readKeyFile(keyFile).id).toBe(before.id);
      const pending = readKeyFile(path.join(home, 'master.key.next'));

      // The process still encrypts with the old key (the switch was rolled back).
      const [fresh] = await seed(host, 1, 'during');
      expect((await secretRows(db.url)).find((r) => r.connection_id === fresh)?.key_id).toBe(before.id);

      await pg.query('DELETE FROM ff_catalog.connections WHERE id = $1', [victim]);
      const done = await call<{ keyId: string; total: number }>(host.base, 'POST', '/internal/catalog/secrets/rotate');
      expect(done.status).toBe(200);
      expect(done.body.keyId).toBe(pending.id);
      expect(readKeyFile(keyFile).id).toBe(pending.id);
      expect(new Set((await secretRows(db.url)).map((r) => r.key_id))).toEqual(new Set([pending.id]));
    } finally {
      await pg.end();
    }
  });

  it('refuses to start with a key file readable by others, naming the file', async () => {
    await host?.close();
    host = undefined;
    const keyFile = path.join(home, 'master.key');
    fs.chmodSync(keyFile, 0o644);
    try {
      const err = await failedStart(start);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues[0]).toBe(
        `FF_CONFIG: master key file ${keyFile} is readable or writable by group or others (mode 0644); run \`chmod 600 ${keyFile}\` (or set FLOWFORGE_MASTER_KEY instead)`,
      );
    } finally {
      fs.chmodSync(keyFile, 0o600);
    }
  });
});

describe('master key rotation (FLOWFORGE_MASTER_KEY)', () => {
  let db: TestDatabase;
  const hosts: CatalogHost[] = [];
  const start = async (env: Record<string, string>) => {
    const h = await startCatalogHost({ databaseUrl: db.url, env });
    hosts.push(h);
    return h;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_catrotenv');
  });
  afterAll(async () => {
    for (const h of hosts) await h.close().catch(() => undefined);
    await db?.drop();
  });

  it('standalone without a key does not start (config error naming the variable)', async () => {
    const err = await failedStart(() => start({}));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]).toMatch(/^FF_CONFIG: FLOWFORGE_MASTER_KEY must be .*it is not set/);
  });

  it('new key + previous key, rotate, then the previous key can go', async () => {
    const a = generateMasterKey();
    const b = generateMasterKey();
    const first = await start({ FLOWFORGE_MASTER_KEY: encodeMasterKey(a) });
    const [id] = await seed(first, 2, 'env');
    await first.close();

    const during = await start({ FLOWFORGE_MASTER_KEY: encodeMasterKey(b), FLOWFORGE_MASTER_KEY_PREVIOUS: encodeMasterKey(a) });
    expect((await call(during.base, 'PATCH', `/internal/catalog/connections/${id}`, { description: 'touched' })).status).toBe(200);
    const rotated = await call<{ keyId: string; rotatedFrom: Record<string, number>; next: string }>(during.base, 'POST', '/internal/catalog/secrets/rotate');
    expect(rotated.body).toMatchObject({ keyId: b.id, rotatedFrom: { [a.id]: 2 }, next: expect.stringContaining('remove FLOWFORGE_MASTER_KEY_PREVIOUS') });
    await during.close();
    const rows = await secretRows(db.url);
    expect(openAll(rows, [b]).sort()).toEqual(['env-secret-0', 'env-secret-1']);

    const after = await start({ FLOWFORGE_MASTER_KEY: encodeMasterKey(b) });
    expect((await call(after.base, 'PATCH', `/internal/catalog/connections/${id}`, { config: { port: 5432 } })).status).toBe(200);
    await after.close();

    // And the old key alone can no longer read them: the failure names the missing key, not a secret.
    const stale = await start({ FLOWFORGE_MASTER_KEY: encodeMasterKey(a) });
    const refused = await call<{ code: string; detail: string }>(stale.base, 'POST', `/internal/catalog/connections/${id}/test`);
    expect(refused.status).toBe(500);
    expect(refused.body).toMatchObject({ code: 'FF_SECRET_KEY_UNKNOWN', detail: expect.stringContaining(b.id) });
    expect(refused.text).not.toContain('env-secret');
  });
});
