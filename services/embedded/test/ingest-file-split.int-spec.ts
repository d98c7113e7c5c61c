import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
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

const pipeline = (name: string, table: string): string => `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: ${name}
spec:
  type: ingest.file
  config: ${JSON.stringify({ connection: 'landing', path: 'in/a.csv', reprocess: true, target: { namespace: 'split', table } })}
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

  const startExecutor = async (token: string): Promise<INestApplication> => {
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
        FLOWFORGE_CATALOG_URL: api.base,
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
});
