import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { authService } from '@flowforge/service-auth';
import { catalogService } from '@flowforge/service-catalog';
import { gatewayService } from '@flowforge/service-gateway';
import { ingestionService } from '@flowforge/service-ingestion';
import { createHostApp, createLogger, generateInternalToken, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { adminApiToken, createTestDatabase, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { waitFor } from './host-process';
import { isFinalRun, PublicApi, stepOf } from './public-api';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

const pipeline = (name: string, table: string, file = 'in/a.csv'): string => `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: ${name}
spec:
  type: ingest.file
  config: ${JSON.stringify({ connection: 'landing', path: file, reprocess: true, target: { namespace: 'split', table } })}
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: ${name}
spec:
  steps:
    - { id: load, job: ${name} }
`;

/**
 * The ingestion executor in a host of its own, as when services run as separate processes: it reaches the
 * catalog over HTTP at FLOWFORGE_CATALOG_URL with the shared internal token, and reads connection
 * secrets with the executor credential both hosts were given. An executor holding another credential is
 * refused by the catalog, and its step fails without a retry.
 */
describe('ingest.file with the executor in a separate host', () => {
  let db: TestDatabase;
  let platform: INestApplication;
  let api: PublicApi;
  let home: string;
  let landing: string;
  const internalToken = generateInternalToken();
  const executorToken = generateInternalToken();

  const startExecutor = async (token: string, catalogUrl?: string): Promise<INestApplication> => {
    const services = [ingestionService];
    const config = loadHostConfig({
      host: 'ingestion',
      services,
      env: {
        DATABASE_URL: db.url,
        FLOWFORGE_HOME: home,
        FLOWFORGE_LOCAL_CONNECTION_ROOTS: landing,
        FLOWFORGE_INTERNAL_TOKEN: internalToken,
        FLOWFORGE_EXECUTOR_TOKEN: token,
        FLOWFORGE_CATALOG_URL: catalogUrl ?? api.base,
      },
      requireDatabaseUrl: true,
    });
    const app = await createHostApp({ mode: 'standalone', host: 'ingestion', services, config, logger: quiet, port: 0 });
    await startHostApp(app, 0, '127.0.0.1');
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_ingest_split');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-ingest-split-'));
    landing = path.join(home, 'landing');
    fs.mkdirSync(path.join(landing, 'in'), { recursive: true });
    fs.writeFileSync(path.join(landing, 'in', 'a.csv'), 'id,name\n1,alice\n2,bob\n');
    const services = [gatewayService, authService, catalogService, orchestratorService];
    const config = loadHostConfig({
      host: 'embedded',
      services,
      env: {
        DATABASE_URL: db.url,
        FLOWFORGE_HOME: home,
        FLOWFORGE_MASTER_KEY: randomBytes(32).toString('base64'),
        FLOWFORGE_LOCAL_CONNECTION_ROOTS: landing,
        FLOWFORGE_INTERNAL_TOKEN: internalToken,
        FLOWFORGE_EXECUTOR_TOKEN: executorToken,
        FLOWFORGE_LAKE_GC_INTERVAL_MINUTES: '0',
        ...testAdminEnv,
      },
      requireDatabaseUrl: true,
    });
    platform = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger: quiet, port: 0 });
    api = new PublicApi(`http://127.0.0.1:${await startHostApp(platform, 0, '127.0.0.1')}`);
    api.token = await adminApiToken(api.base, 'split-test');
    expect((await api.call('POST', '/api/v1/connections', { name: 'landing', type: 'local', config: { path: landing } })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await platform?.close();
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('loads through a separate executor that holds the shared executor credential', async () => {
    const executor = await startExecutor(executorToken);
    try {
      await waitFor(
        'ingest.file to be registered',
        async () => ((await api.call('GET', '/api/v1/job-types/ingest.file')).status === 200 ? true : undefined),
        30_000,
      );
      expect((await api.apply(pipeline('split-load', 'people'))).status).toBeLessThan(300);
      const run = await api.waitRun((await api.startRun('split-load')).body.id, isFinalRun, 60_000);
      const step = stepOf(run, 'load');
      expect({ state: run.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
      expect(step.outputs).toMatchObject({ committed: true, rowsWritten: 2 });
      const preview = await api.call<{ rows: { name: string }[] }>('GET', `/api/v1/assets/${(step.outputs as { asset: string }).asset}/preview`);
      expect(preview.body.rows.map((r) => r.name).sort()).toEqual(['alice', 'bob']);
    } finally {
      await executor.close();
    }
  }, 90_000);

  it('fails the step, without a retry, when the executor holds another credential than the catalog', async () => {
    const executor = await startExecutor(generateInternalToken());
    try {
      expect((await api.apply(pipeline('split-refused', 'refused'))).status).toBeLessThan(300);
      const run = await api.waitRun((await api.startRun('split-refused')).body.id, isFinalRun, 60_000);
      const step = stepOf(run, 'load');
      expect(run.state).toBe('failed');
      expect(step.errorCode).toBe('FF_EXECUTOR_CREDENTIAL_INVALID');
      expect(step.errorMessage).toContain('reading connection "landing"');
      expect(step.attempts).toHaveLength(1);
    } finally {
      await executor.close();
    }
  }, 90_000);

  it('commits the rejects again when another writer appended to the rejects table in between (a real race, staged by a proxy)', async () => {
    fs.writeFileSync(path.join(landing, 'in', 'messy.csv'), 'id,name\n1,alice\n2,bob,extra\n3,carol\n');
    // Between the executor and the catalog: before the executor's first rejects commit reaches the catalog, the
    // same commit is made by "another writer" (another idempotency key), so the executor's parent is stale.
    let raced = 0;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const body = Buffer.concat(chunks).toString();
          const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<
            string,
            string
          >;
          const forward = (text: string): Promise<Response> =>
            fetch(`${api.base}${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : text });
          if (req.method === 'POST' && req.url === '/internal/catalog/assets/commit' && raced === 0) {
            const commit = JSON.parse(body) as { table: string; idempotencyKey: string; files: { path: string }[] };
            if (commit.table.endsWith('__rejects')) {
              raced++;
              // Another writer's own files (copies of these, beside them in the lake), committed first.
              const lake = path.join(home, 'lake');
              const files = commit.files.map((f) => {
                const copy = path.posix.join(path.posix.dirname(f.path), `other-${path.posix.basename(f.path)}`);
                fs.copyFileSync(path.join(lake, f.path), path.join(lake, copy));
                return { ...f, path: copy };
              });
              const other = await forward(JSON.stringify({ ...commit, files, idempotencyKey: `${commit.idempotencyKey}/another-writer` }));
              if (other.status >= 300) throw new Error(`the other writer's commit answered ${other.status}: ${await other.text()}`);
            }
          }
          const answer = await forward(body);
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })().catch((err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const executor = await startExecutor(executorToken, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      await waitFor(
        'ingest.file to be registered',
        async () => ((await api.call('GET', '/api/v1/job-types/ingest.file')).status === 200 ? true : undefined),
        30_000,
      );
      // The first rejects commit of this table: a first load makes the rejects asset, the second one races.
      expect((await api.apply(pipeline('split-race', 'raced', 'in/messy.csv'))).status).toBeLessThan(300);
      const first = await api.waitRun((await api.startRun('split-race')).body.id, isFinalRun, 60_000);
      const firstStep = stepOf(first, 'load');
      expect({ state: first.state, code: firstStep.errorCode, error: firstStep.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
      expect(raced).toBe(1);
      const step = stepOf(first, 'load');
      expect(step.outputs).toMatchObject({ committed: true, rowsWritten: 2, rowsRejected: 1 });
      const rejectsAsset = (step.outputs as { rejectsAsset: { asset: string } }).rejectsAsset.asset;
      // Both commits are there: the other writer's and the executor's, made again on top of it.
      const snapshots = await api.call<{ id: string }[]>('GET', `/api/v1/assets/${rejectsAsset}/snapshots`);
      expect(snapshots.body).toHaveLength(2);
      const logs = await api.call<{ items: { message: string }[] }>('GET', `/api/v1/runs/${first.id}/logs`);
      expect(logs.body.items.map((l) => l.message)).toContain('the rejects table moved on meanwhile; committing again (try 2)');
    } finally {
      await executor.close();
      await new Promise((r) => proxy.close(r));
    }
  }, 90_000);
});
