import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { AssetCommitted, AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import { attemptPrefix, openDuckDb, writeParquet } from '@flowforge/engine';
import { LocalObjectStore } from '@flowforge/storage';
import { generateInternalToken, INTERNAL_TOKEN_HEADER } from '@flowforge/service-kit';
import { adminApiToken, bearer, createTestDatabase, TEST_ADMIN, testAdminEnv, type TestDatabase } from '@flowforge/testing';

const repoRoot = path.resolve(__dirname, '../../..');
const main = (service: string) => path.join(repoRoot, `dist/services/${service}/src/main.js`);

interface Host {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function spawnHost(service: string, env: Record<string, string>): Host {
  let out = '';
  const base = { ...process.env };
  delete base.DATABASE_URL;
  const child = spawn(process.execPath, [main(service)], { cwd: repoRoot, env: { ...base, LOG_LEVEL: 'debug', ...env }, stdio: 'pipe' });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function waitReady(base: string, host: Host): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (host.child.exitCode !== null) throw new Error(`host exited (${host.child.exitCode}):\n${host.output()}`);
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`host not ready:\n${host.output()}`);
}

async function stop(host: Host): Promise<number | null> {
  host.child.kill('SIGINT');
  return host.exited;
}

/**
 * The real thing, as deployed in distributed mode: the built gateway and catalog as two processes (the
 * Postgres bus between them; the auth service as a third, the gateway checks the admin's token with it),
 * driven through /api/v1. Secrets are sent in, then searched for everywhere
 * they must not be: every response, every process's whole log output (debug level) and every event on
 * the bus. (The embedded host's key file is covered by src/secrets/secret-rotation.int-spec.ts.)
 */
describe('catalog through the gateway (gateway, auth and catalog processes)', () => {
  let db: TestDatabase;
  let home: string;
  const responses: string[] = [];
  const secrets = ['e2e-Pg-Passw0rd', 'e2e-Bearer-T0ken', 'e2e-Header-Key', 'e2e-Sasl-Secret'];

  beforeAll(async () => {
    execFileSync(process.execPath, ['-e', "require('./scripts/start').buildIfNeeded()"], { cwd: repoRoot, stdio: 'inherit' });
    db = await createTestDatabase('ff_cate2e');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cat-e2e-'));
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('connections, a commit, preview and download, key rotation across restarts — and no secret leaks anywhere', async () => {
    const [gatewayPort, catalogPort, authPort] = [await freePort(), await freePort(), await freePort()];
    const base = `http://127.0.0.1:${gatewayPort}`;
    const catalogUrl = `http://127.0.0.1:${catalogPort}`;
    const authUrl = `http://127.0.0.1:${authPort}`;
    let token = '';
    const [oldKey, newKey] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    // The processes share one internal token, as a deployment does; the test holds it too, for its /internal calls.
    const internalToken = generateInternalToken();
    const catalogEnv = {
      DATABASE_URL: db.url,
      PORT: String(catalogPort),
      FLOWFORGE_HOME: home,
      FLOWFORGE_LAKE_DIR: path.join(home, 'lake'),
      FLOWFORGE_INTERNAL_TOKEN: internalToken,
    };
    const api = async <T>(method: string, p: string, body?: unknown, at = base): Promise<{ status: number; body: T; headers: Headers }> => {
      const credentials: Record<string, string> = p.startsWith('/internal/') ? { [INTERNAL_TOKEN_HEADER]: internalToken } : bearer(token);
      const res = await fetch(`${at}${p}`, {
        method,
        headers: { ...credentials, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      responses.push(text);
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
    };
    const outputs: string[] = [];
    const hosts: Host[] = [];
    const start = async (service: string, env: Record<string, string>, url: string) => {
      const h = spawnHost(service, env);
      hosts.push(h);
      await waitReady(url, h);
      return h;
    };
    const stopAll = async () => {
      for (const h of hosts.splice(0)) {
        outputs.push(h.output());
        expect(await stop(h)).toBe(0);
      }
    };

    try {
      let catalog = await start('catalog', { ...catalogEnv, FLOWFORGE_MASTER_KEY: oldKey }, catalogUrl);
      await start('auth', { DATABASE_URL: db.url, PORT: String(authPort), FLOWFORGE_INTERNAL_TOKEN: internalToken, ...testAdminEnv }, authUrl);
      await start(
        'gateway',
        {
          DATABASE_URL: db.url,
          PORT: String(gatewayPort),
          FLOWFORGE_CATALOG_URL: catalogUrl,
          FLOWFORGE_AUTH_URL: authUrl,
          FLOWFORGE_INTERNAL_TOKEN: internalToken,
        },
        base,
      );
      token = await adminApiToken(base);

      const pg = await api<{ id: string; config: Record<string, unknown> }>('POST', '/api/v1/connections', {
        name: 'e2e-postgres',
        type: 'postgres',
        // Loopback: only an administrator (this token's owner) may allow it.
        config: { host: '127.0.0.1', database: 'postgres', user: 'postgres', password: secrets[0], allowPrivateNetworks: true },
      });
      expect(pg.status).toBe(201);
      expect(pg.body.config.password).toEqual({ set: true });
      const httpConn = await api<{ id: string }>('POST', '/api/v1/connections', {
        name: 'e2e-http',
        type: 'http',
        config: { baseUrl: 'http://169.254.169.254/', token: secrets[1], headers: { 'x-key': secrets[2] } },
      });
      const kafka = await api<{ id: string }>('POST', '/api/v1/connections', {
        name: 'e2e-kafka',
        type: 'kafka',
        config: { brokers: ['127.0.0.1:9'], sasl: { mechanism: 'plain', username: 'u', password: secrets[3] } },
      });
      expect([httpConn.status, kafka.status]).toEqual([201, 201]);

      expect((await api<{ ok: boolean }>('POST', `/api/v1/connections/${pg.body.id}/test`)).body).toMatchObject({ ok: true });
      expect((await api<{ ok: boolean; code: string }>('POST', `/api/v1/connections/${httpConn.body.id}/test`)).body).toMatchObject({
        ok: false,
        code: 'FF_CONN_FORBIDDEN_ADDRESS',
      });
      expect((await api<{ ok: boolean }>('POST', `/api/v1/connections/${kafka.body.id}/test`)).body).toMatchObject({ ok: false });
      const bad = await api<{ code: string; errors: { field: string }[]; instance: string }>('POST', '/api/v1/connections', {
        name: 'bad',
        type: 'postgres',
        config: { host: 'h', port: 0, database: 'd', user: 'u' },
      });
      expect(bad).toMatchObject({ status: 400, body: { code: 'FF_VALIDATION', errors: [{ field: 'config.port' }], instance: '/api/v1/connections' } });

      // A writer stages Parquet in the lake and commits through the catalog's internal API.
      const ref = { layer: 'gold' as const, namespace: 'kpi', table: 'daily' };
      const duck = await openDuckDb();
      const written = await writeParquet(
        new LocalObjectStore({ root: path.join(home, 'lake') }),
        attemptPrefix(ref, 'e2e-1'),
        { sql: `SELECT DATE '2025-01-01' + i::INT AS day, i * 10 AS revenue FROM range(0, 3) t(i)` },
        { db: duck },
      );
      duck.close();
      const committed = await api<{ snapshot: { id: string; assetId: string } }>(
        'POST',
        '/internal/catalog/assets/commit',
        { ...ref, parentSnapshotId: null, ...written, idempotencyKey: 'e2e/1' },
        catalogUrl,
      );
      expect(committed.status).toBe(201);
      const assetId = committed.body.snapshot.assetId;

      const assets = await api<{ id: string }[]>('GET', '/api/v1/assets?layer=gold&namespace=kpi');
      expect(assets.body.map((a) => a.id)).toEqual([assetId]);
      expect((await api<{ rows: unknown[] }>('GET', `/api/v1/assets/${assetId}/preview?limit=2`)).body.rows).toEqual([
        { day: '2025-01-01', revenue: '0' },
        { day: '2025-01-02', revenue: '10' },
      ]);
      const csv = await fetch(`${base}/api/v1/assets/${assetId}/download?format=csv`, { headers: bearer(token) });
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toBe('attachment; filename="gold.kpi.daily.1.csv"');
      expect(await csv.text()).toBe('day,revenue\n2025-01-01,0\n2025-01-02,10\n2025-01-03,20\n');
      expect((await api<{ code: string }>('GET', '/api/v1/assets?layer=platinum')).body).toMatchObject({ code: 'FF_VALIDATION' });

      // Rotation: restart the catalog with the new key (the old one as previous), re-encrypt with the script,
      // then restart with the new key only — every secret still decrypts.
      outputs.push(catalog.output());
      hosts.splice(hosts.indexOf(catalog), 1);
      expect(await stop(catalog)).toBe(0);
      catalog = await start('catalog', { ...catalogEnv, FLOWFORGE_MASTER_KEY: newKey, FLOWFORGE_MASTER_KEY_PREVIOUS: oldKey }, catalogUrl);
      const rotated = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/catalog-rotate-key.js'), '--url', base], {
        encoding: 'utf8',
        env: { ...process.env, FLOWFORGE_TOKEN: token },
      });
      expect(rotated).toMatch(/master key rotated to [0-9a-f]{16} \(was [0-9a-f]{16}\): 4 secret\(s\) re-encrypted\n.*remove FLOWFORGE_MASTER_KEY_PREVIOUS/);
      outputs.push(catalog.output());
      hosts.splice(hosts.indexOf(catalog), 1);
      expect(await stop(catalog)).toBe(0);
      await start('catalog', { ...catalogEnv, FLOWFORGE_MASTER_KEY: newKey }, catalogUrl);
      expect((await api<{ ok: boolean }>('POST', `/api/v1/connections/${pg.body.id}/test`)).body).toMatchObject({ ok: true });
    } finally {
      await stopAll();
    }

    // Events: every frame decoded with its schema, plus the raw bytes, never carry a secret.
    const pool = new Pool({ connectionString: db.url, max: 2 });
    try {
      const codec = new AvroCodec(new PostgresSchemaRegistry(pool));
      const frames = (
        await pool.query<{ topic: string; payload: Buffer; headers: unknown }>('SELECT topic, payload, headers FROM ff_bus.log ORDER BY topic, "offset"')
      ).rows;
      const committedEvents = await Promise.all(frames.filter((f) => f.topic === AssetCommitted.topic).map((f) => codec.decode(AssetCommitted, f.payload)));
      expect(committedEvents).toHaveLength(1);
      const published = JSON.stringify(committedEvents) + frames.map((f) => JSON.stringify(f.headers) + f.payload.toString('latin1')).join('\n');
      const logs = outputs.join('\n');
      expect(logs).toContain('connection test failed');
      for (const s of [...secrets, oldKey, newKey, internalToken, token, TEST_ADMIN.password]) {
        expect({ s, responses: responses.some((r) => r.includes(s)), logs: logs.includes(s), events: published.includes(s) }).toEqual({
          s,
          responses: false,
          logs: false,
          events: false,
        });
      }
    } finally {
      await pool.end();
    }
  }, 240_000);
});
