import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminApiToken, createTestDatabase, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { buildIfNeeded, freePort, spawnHost, stopHost, waitFor, waitReady, type HostProcess } from './host-process';
import { PublicApi } from './public-api';

async function postEcho(api: PublicApi, message: string): Promise<string> {
  const res = await api.call<{ id: string }>('POST', '/api/v1/system/echo', { message });
  expect(res.status).toBe(202);
  expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
  return res.body.id;
}

async function waitHandled(api: PublicApi, id: string, host: HostProcess) {
  return waitFor(
    `echo ${id} handled`,
    async () => {
      const res = await api.call<{ id: string; message: string; handled: boolean; handledCount: number }>('GET', `/api/v1/system/echo/${id}`);
      if (res.status === 404) {
        expect(res.contentType).toContain('application/problem+json');
        return undefined;
      }
      expect(res.status).toBe(200);
      return res.body;
    },
    15_000,
    host,
  );
}

describe('embedded host (one process, every service)', () => {
  let db: TestDatabase;
  let home: string;

  beforeAll(async () => {
    buildIfNeeded();
    db = await createTestDatabase('ff_e2e');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-home-'));
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('serves an echo through the bus, stops cleanly on SIGINT and keeps its data across restarts', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: db.url, PORT: String(port), FLOWFORGE_HOME: home, ...testAdminEnv };

    const first = spawnHost(env);
    await waitReady(base, first);
    const api = new PublicApi(base);
    api.token = await adminApiToken(base);
    expect(first.stdout()).toContain(`FlowForge is ready on http://localhost:${port} (embedded`);

    const ready = (await (await fetch(`${base}/health/ready`)).json()) as { status: string; checks: Record<string, string> };
    expect(ready.status).toBe('up');
    for (const s of [
      'gateway',
      'auth',
      'catalog',
      'orchestrator',
      'scheduler',
      'triggers',
      'ingestion',
      'transformation',
      'quality',
      'reconciliation',
      'lineage',
      'alerting',
    ]) {
      expect(ready.checks[`${s}.db`]).toBe('up');
    }
    expect(ready.checks.bus).toBe('up');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);

    // Validation: problem+json naming the field.
    const bad = await api.call<{ code: string; detail: string; status: number; type: string; title: string; instance: string }>('POST', '/api/v1/system/echo', {
      message: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    const problem = bad.body;
    expect(problem).toMatchObject({ status: 400, code: 'FF_VALIDATION', instance: '/api/v1/system/echo' });
    expect(problem.detail).toContain('message');

    const message = `hello from e2e ✓ ${Date.now()}`;
    const id = await postEcho(api, message);
    const echo = await waitHandled(api, id, first);
    expect(echo).toEqual({ id, message, handled: true, handledCount: 1 });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/ff_bus_published_total\{[^}]*topic="flowforge\.system\.echo-requested"[^}]*\} 1/);
    expect(metrics).toContain('ff_http_request_duration_seconds_bucket');

    const started = Date.now();
    expect(await stopHost(first, 10_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);

    const second = spawnHost(env);
    try {
      await waitReady(base, second);
      // The API token outlives the restart (it is kept in the auth service's tables).
      expect(await waitHandled(api, id, second)).toEqual({ id, message, handled: true, handledCount: 1 });
      const id2 = await postEcho(api, 'second life');
      expect(await waitHandled(api, id2, second)).toMatchObject({ id: id2, message: 'second life', handledCount: 1 });
    } finally {
      expect(await stopHost(second)).toBe(0);
    }
  });

  it('refuses a bad PORT with exit code 78 and a message naming it', async () => {
    const host = spawnHost({ DATABASE_URL: db.url, PORT: 'abc', FLOWFORGE_HOME: home });
    const { code } = await host.exited;
    expect(code).toBe(78);
    expect(host.stderr()).toContain('FF_CONFIG: PORT must be an integer between 1 and 65535 (got "abc")');
    expect(host.stderr()).not.toContain(db.url);
  });
});

describe('embedded host with its own PostgreSQL (no DATABASE_URL)', () => {
  let home: string;

  beforeAll(() => {
    buildIfNeeded();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-home-pg-'));
  }, 120_000);

  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('creates a cluster under FLOWFORGE_HOME and reuses its data on the next start', async () => {
    const port = await freePort();
    const env = { PORT: String(port), FLOWFORGE_HOME: home, FLOWFORGE_PG_PORT: String(await freePort()), ...testAdminEnv };
    const base = `http://127.0.0.1:${port}`;
    const api = new PublicApi(base);

    const first = spawnHost(env);
    let id: string;
    try {
      await waitReady(base, first, 90_000);
      expect(fs.existsSync(path.join(home, 'pg', 'PG_VERSION'))).toBe(true);
      expect(first.stdout()).toContain(`(embedded, data in ${home})`);
      api.token = await adminApiToken(base);
      id = await postEcho(api, 'kept across restarts');
      await waitHandled(api, id, first);
    } finally {
      expect(await stopHost(first)).toBe(0);
    }

    const second = spawnHost(env);
    try {
      await waitReady(base, second, 60_000);
      expect(await waitHandled(api, id, second)).toMatchObject({ id, message: 'kept across restarts', handledCount: 1 });
    } finally {
      expect(await stopHost(second)).toBe(0);
    }
  }, 240_000);
});
