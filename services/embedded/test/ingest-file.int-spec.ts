import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { EventBus, Subscription } from '@flowforge/bus';
import { AssetCommitted, AuditRecorded, type AssetCommittedEvent, type AuditRecordedEvent } from '@flowforge/contracts';
import { authService } from '@flowforge/service-auth';
import { catalogService } from '@flowforge/service-catalog';
import { gatewayService } from '@flowforge/service-gateway';
import { ingestionService } from '@flowforge/service-ingestion';
import {
  createHostApp,
  createLogger,
  EVENT_BUS,
  EXECUTOR_TOKEN_HEADER,
  HOST_RUNTIME,
  loadHostConfig,
  startHostApp,
  type HostRuntime,
} from '@flowforge/service-kit';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { adminApiToken, createTestDatabase, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { waitFor } from './host-process';
import { isFinalRun, PublicApi, stepOf, type PublicRun, type PublicStep } from './public-api';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

interface Preview {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  snapshotId: string;
}

interface Asset {
  id: string;
  table: string;
  currentSnapshot: { id: string; sequence: number; rowCount: number; operation: string; schema: { name: string; type: string }[] } | null;
}

/** A job + a one-step workflow running it, as YAML (config as JSON: YAML's flow style is JSON's superset). */
const pipeline = (name: string, config: Record<string, unknown>): string => `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: ${name}
spec:
  type: ingest.file
  config: ${JSON.stringify(config)}
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
 * The `ingest.file` job end to end, in one process as embedded: gateway, auth, catalog, orchestrator and
 * the ingestion executor on a fresh database, a `local` connection under a landing root, workflows applied
 * and run through the public API. No part is stubbed: the files are read by DuckDB, staged in the local
 * lake, committed by the catalog, and the connection's secrets travel on the executor-only route.
 */
describe('ingest.file through the embedded platform', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let runtime: HostRuntime;
  let api: PublicApi;
  let home: string;
  let landing: string;
  const committed: AssetCommittedEvent[] = [];
  const audited: AuditRecordedEvent[] = [];
  const subs: Subscription[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ff_ingest_file');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-ingest-home-'));
    landing = path.join(home, 'landing');
    fs.mkdirSync(path.join(landing, 'in'), { recursive: true });
    fs.mkdirSync(path.join(landing, 'drift'), { recursive: true });
    fs.writeFileSync(path.join(landing, 'in', 'a.csv'), 'id,name,amount\n1,alice,10.5\n2,bob,20\n');
    // Messy: a ragged row (record line 3, the header is line 1), a row with bytes that are not UTF-8 (line 5) among valid accents.
    fs.writeFileSync(
      path.join(landing, 'in', 'b.csv'),
      Buffer.concat([
        Buffer.from('id,name,amount\n3,carol,30.5\n4,dave\n5,zoë,50.25\n6,'),
        Buffer.from([0xff, 0xfe, 0x41]),
        Buffer.from(',60.5\n7,éva,70.75\n'),
      ]),
    );
    // Does not fit the table: amount is text here, DOUBLE there.
    fs.writeFileSync(path.join(landing, 'drift', 'c.csv'), 'id,name,amount\n8,gus,lots\n9,hal,some\n');

    const services = [gatewayService, authService, catalogService, orchestratorService, ingestionService];
    const env = {
      DATABASE_URL: db.url,
      FLOWFORGE_HOME: home,
      FLOWFORGE_MASTER_KEY: randomBytes(32).toString('base64'),
      FLOWFORGE_LOCAL_CONNECTION_ROOTS: landing,
      FLOWFORGE_LAKE_GC_INTERVAL_MINUTES: '0',
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200',
      ...testAdminEnv,
    };
    const config = loadHostConfig({ host: 'embedded', services, env, requireDatabaseUrl: true });
    app = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger: quiet, port: 0 });
    const base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    runtime = app.get<HostRuntime>(HOST_RUNTIME);
    const bus = app.get<EventBus>(EVENT_BUS);
    subs.push(await bus.subscribe(AssetCommitted, { group: 'test-ingest-committed' }, async (e) => void committed.push(e)));
    subs.push(await bus.subscribe(AuditRecorded, { group: 'test-ingest-audit' }, async (e) => void audited.push(e)));
    api = new PublicApi(base);
    api.token = await adminApiToken(base, 'ingest-test');
    const created = await api.call('POST', '/api/v1/connections', { name: 'landing', type: 'local', config: { path: landing } });
    expect(created.status).toBe(201);
    // The executor announces its job types at start; the orchestrator's registry has them a moment later.
    await waitFor(
      'ingest.file to be registered',
      async () => ((await api.call('GET', '/api/v1/job-types/ingest.file')).status === 200 ? true : undefined),
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    for (const s of subs) await s.close();
    await app?.close();
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);

  const run = async (workflow: string): Promise<{ run: PublicRun; step: PublicStep }> => {
    const started = await api.startRun(workflow);
    const done = await api.waitRun(started.body.id, isFinalRun, 60_000);
    return { run: done, step: stepOf(done, 'load') };
  };
  const assetByTable = async (table: string): Promise<Asset | undefined> => {
    const res = await api.call<Asset[]>('GET', `/api/v1/assets?layer=bronze&namespace=sales&table=${table}`);
    expect(res.status).toBe(200);
    return res.body[0];
  };
  const preview = async (assetId: string): Promise<Preview> => {
    const res = await api.call<Preview>('GET', `/api/v1/assets/${assetId}/preview?limit=1000`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const snapshots = async (assetId: string): Promise<{ id: string }[]> => (await api.call<{ id: string }[]>('GET', `/api/v1/assets/${assetId}/snapshots`)).body;

  it('announces ingest.file with a config schema the console can render', async () => {
    const res = await api.call<{ type: string; executor: string; configSchema: Record<string, unknown> }>('GET', '/api/v1/job-types/ingest.file');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'ingest.file', executor: 'ingestion' });
    const schema = res.body.configSchema as {
      $schema: string;
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['connection', 'target']);
    for (const field of [
      'connection',
      'path',
      'glob',
      'regex',
      'format',
      'options',
      'target',
      'mode',
      'onSchemaChange',
      'maxRejected',
      'reprocess',
      'afterSuccess',
      'limits',
    ]) {
      expect(schema.properties[field]?.description).toEqual(expect.any(String));
    }
  });

  it('refuses bad configs when the job is applied, naming the field', async () => {
    const good = { connection: 'landing', glob: 'in/*.csv', target: { namespace: 'sales', table: 'orders' } };
    const problem = async (config: Record<string, unknown>): Promise<string> => {
      const res = await api.apply<{ code: string; detail: string }>(pipeline('bad-config', config));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('FF_JOB_INVALID');
      return res.body.detail;
    };
    expect(await problem({ ...good, bogus: 1 })).toMatch(/config has unknown property "bogus"/);
    expect(await problem({ ...good, path: 'in/a.csv' })).toMatch(/config\.glob cannot be combined with path/);
    expect(await problem({ ...good, target: { namespace: 'sales', table: 'Orders-2024' } })).toMatch(/config\.target\.table must match pattern/);
    expect(await problem({ ...good, mode: 'upsert' })).toMatch(/config\.mode must be equal to one of the allowed values/);
    const neither = await problem({ connection: 'landing', target: good.target });
    expect(neither).toMatch(/missing required property "path"/);
  });

  it('hands connection secrets only to holders of the executor credential, and audits each read', async () => {
    const url = `${api.base}/internal/catalog/executor/connections/by-name/landing`;
    const caller = { 'x-flowforge-executor': 'ingestion', 'x-flowforge-run-id': 'run-audit-1', 'x-flowforge-step-id': 'load', 'x-flowforge-attempt': '1' };
    expect((await fetch(url, { headers: caller })).status).toBe(403);
    const internalOnly = await fetch(url, { headers: { ...runtime.internalHeaders(), ...caller } });
    expect(internalOnly.status).toBe(401);
    expect(((await internalOnly.json()) as { code: string }).code).toBe('FF_EXECUTOR_CREDENTIAL_REQUIRED');
    const wrong = await fetch(url, { headers: { ...runtime.internalHeaders(), [EXECUTOR_TOKEN_HEADER]: 'x'.repeat(43), ...caller } });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { code: string }).code).toBe('FF_EXECUTOR_CREDENTIAL_INVALID');
    // The gateway holds the internal token only: a public caller cannot reach the route through it either.
    expect((await api.call('GET', '/api/v1/executor/connections/by-name/landing')).status).toBe(404);
    const missingIds = await fetch(url, { headers: runtime.executorHeaders() });
    expect(missingIds.status).toBe(400);
    expect(((await missingIds.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain('header.x-flowforge-run-id');
    expect(audited.filter((a) => a.action === 'connection:secret-read')).toHaveLength(0);

    const ok = await fetch(url, { headers: { ...runtime.executorHeaders(), ...caller } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'landing', type: 'local', config: { path: landing } });
    const unknown = await fetch(`${api.base}/internal/catalog/executor/connections/by-name/nowhere`, { headers: { ...runtime.executorHeaders(), ...caller } });
    expect(unknown.status).toBe(404);
    const entry = await waitFor(
      'the secret read in the audit trail',
      async () => audited.find((a) => a.action === 'connection:secret-read' && a.diff?.includes('run-audit-1')),
      10_000,
    );
    expect(entry).toMatchObject({ actor: 'executor:ingestion', actorType: 'system', resourceType: 'connection', outcome: 'success' });
    expect(entry.actorName).toContain('run run-audit-1, step load, attempt 1');
  });

  it('decrypts a secret for the executor only, audits field names, and fails a step on a connection that holds no files', async () => {
    const secret = `Pw-${randomBytes(12).toString('hex')}`;
    const made = await api.call('POST', '/api/v1/connections', {
      name: 'warehouse',
      type: 'postgres',
      config: { host: 'db.example.com', database: 'dw', user: 'etl', password: secret },
    });
    expect(made.status).toBe(201);
    const caller = { 'x-flowforge-executor': 'ingestion', 'x-flowforge-run-id': 'run-secret-1', 'x-flowforge-step-id': 'load', 'x-flowforge-attempt': '2' };
    const read = await fetch(`${api.base}/internal/catalog/executor/connections/by-name/warehouse`, { headers: { ...runtime.executorHeaders(), ...caller } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { config: { password: string } }).config.password).toBe(secret);
    const entry = await waitFor('the secret read', async () => audited.find((a) => a.diff?.includes('run-secret-1')), 10_000);
    expect(entry.diff).toContain('password');
    expect(JSON.stringify(entry)).not.toContain(secret);

    await api.apply(pipeline('wrong-kind', { connection: 'warehouse', path: 'x.csv', target: { namespace: 'sales', table: 'nowhere' } }));
    const { run: done, step } = await run('wrong-kind');
    expect(done.state).toBe('failed');
    expect(step.errorCode).toBe('FF_LOCATION_UNSUPPORTED');
    expect(step.errorMessage).toMatch(/connection "warehouse": a "postgres" connection is not a file location/);
    await waitFor("the run's secret read", async () => audited.find((a) => a.diff?.includes(done.id)), 10_000);
    // The secret reached the executor and went nowhere else: not the run, its logs, any answer, any audit entry or event.
    const logs = await api.call('GET', `/api/v1/runs/${done.id}/logs`);
    expect(logs.status).toBe(200);
    for (const text of [...api.responses, JSON.stringify(audited), JSON.stringify(committed)]) expect(text).not.toContain(secret);
  });

  it('succeeds without a commit when a glob matches nothing, and fails on a path that does not exist', async () => {
    await api.apply(pipeline('load-nothing', { connection: 'landing', glob: 'later/**/*.csv', target: { namespace: 'sales', table: 'later' } }));
    const empty = await run('load-nothing');
    expect(empty.run.state).toBe('succeeded');
    expect(empty.step.outputs).toEqual({
      asset: null,
      snapshot: null,
      committed: false,
      rowsWritten: 0,
      rowsRejected: 0,
      bytesRead: 0,
      files: [],
      skipped: [],
    });
    expect(await assetByTable('later')).toBeUndefined();
    await api.apply(pipeline('load-missing', { connection: 'landing', path: 'in/missing.csv', target: { namespace: 'sales', table: 'later' } }));
    const missing = await run('load-missing');
    expect(missing.run.state).toBe('failed');
    expect(missing.step.errorCode).toBe('FF_LOCATION_NOT_FOUND');
    expect(missing.step.errorMessage).toContain('in/missing.csv');
  });

  let first: { asset: string; snapshot: string; runId: string };

  it('loads two CSV files into a Bronze table with audit columns, the messy rows into the rejects asset', async () => {
    const applied = await api.apply(pipeline('load-orders', { connection: 'landing', glob: 'in/*.csv', target: { namespace: 'sales', table: 'orders' } }));
    expect(applied.status).toBeLessThan(300);
    const { run: done, step } = await run('load-orders');
    expect({ state: done.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
    const out = step.outputs as Record<string, unknown> & { files: { path: string; rows: number; rejected: number; size: number }[] };
    expect(out).toMatchObject({ committed: true, rowsWritten: 5, rowsRejected: 2, skipped: [] });
    expect(out.files.map((f) => [f.path, f.rows, f.rejected])).toEqual([
      ['in/a.csv', 2, 0],
      ['in/b.csv', 3, 2],
    ]);
    expect(out.bytesRead).toBe(fs.statSync(path.join(landing, 'in/a.csv')).size + fs.statSync(path.join(landing, 'in/b.csv')).size);
    // The counters the executor returned with the outcome are the attempt's metrics in the run's view.
    expect(step.attempts.at(-1)!.metrics).toEqual({
      rowsWritten: 5,
      rowsRejected: 2,
      bytesRead: out.bytesRead,
      files: 2,
    });
    first = { asset: out.asset as string, snapshot: out.snapshot as string, runId: done.id };

    const asset = (await assetByTable('orders'))!;
    expect(asset).toMatchObject({ id: first.asset, currentSnapshot: { id: first.snapshot, rowCount: 5 } });
    const rows = (await preview(asset.id)).rows;
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    expect([...byId.keys()].sort()).toEqual(['1', '2', '3', '5', '7']);
    expect(byId.get('5')).toMatchObject({ name: 'zoë', amount: 50.25, _ff_run_id: done.id, _ff_source_file: 'in/b.csv', _ff_source_line: '4' });
    expect(byId.get('1')).toMatchObject({ name: 'alice', amount: 10.5, _ff_source_file: 'in/a.csv', _ff_source_line: '2' });
    expect(rows.every((r) => typeof r._ff_ingested_at === 'string' && r._ff_ingested_at === rows[0]!._ff_ingested_at)).toBe(true);

    const rejects = (await assetByTable('orders__rejects'))!;
    expect(out.rejectsAsset).toMatchObject({ asset: rejects.id, snapshot: rejects.currentSnapshot!.id, table: 'orders__rejects' });
    const rejected = (await preview(rejects.id)).rows;
    expect(rejected.map((r) => [r.file, r.line, r._ff_run_id])).toEqual([
      ['in/b.csv', '3', done.id],
      ['in/b.csv', '5', done.id],
    ]);
    expect(String(rejected[0]!.reason)).toMatch(/column/i);
    expect(String(rejected[1]!.reason)).toMatch(/INVALID ENCODING|encoding/i);
    expect(String(rejected[0]!.raw)).toContain('4,dave');

    const event = await waitFor('AssetCommitted of the load', async () => committed.find((e) => e.snapshotId === first.snapshot), 10_000);
    expect(event).toMatchObject({ assetId: first.asset, table: 'orders', rowCount: 5, runId: done.id });
    expect(event.inputs).toEqual([
      { connection: 'landing', path: 'in/a.csv', size: fs.statSync(path.join(landing, 'in/a.csv')).size, etag: null },
      { connection: 'landing', path: 'in/b.csv', size: fs.statSync(path.join(landing, 'in/b.csv')).size, etag: null },
    ]);
    const rejectsEvent = await waitFor('AssetCommitted of the rejects', async () => committed.find((e) => e.assetId === rejects.id), 10_000);
    expect(rejectsEvent.inputs.map((i) => i.path)).toEqual(['in/a.csv', 'in/b.csv']);
    // The connection's secrets never reach an event, a response or the step's outputs: a local connection has none,
    // but its read was audited for this very run.
    await waitFor("the run's secret read", async () => audited.find((a) => a.action === 'connection:secret-read' && a.diff?.includes(done.id)), 10_000);
  });

  it('skips files the table already has: a second run commits nothing and keeps the snapshot', async () => {
    const { run: done, step } = await run('load-orders');
    expect({ state: done.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
    expect(step.outputs).toEqual({
      asset: first.asset,
      snapshot: first.snapshot,
      committed: false,
      rowsWritten: 0,
      rowsRejected: 0,
      bytesRead: 0,
      files: [],
      skipped: ['in/a.csv', 'in/b.csv'],
    });
    expect((await assetByTable('orders'))!.currentSnapshot!.id).toBe(first.snapshot);
    expect(await snapshots(first.asset)).toHaveLength(1);
  });

  it('reads them again with reprocess: true, appending to the table', async () => {
    await api.apply(pipeline('reload-orders', { connection: 'landing', glob: 'in/*.csv', reprocess: true, target: { namespace: 'sales', table: 'orders' } }));
    const { run: done, step } = await run('reload-orders');
    expect({ state: done.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
    expect(step.outputs).toMatchObject({ committed: true, rowsWritten: 5, rowsRejected: 2, skipped: [] });
    const asset = (await assetByTable('orders'))!;
    expect(asset.currentSnapshot).toMatchObject({ id: (step.outputs as { snapshot: string }).snapshot, rowCount: 10, operation: 'append', sequence: 2 });
    expect((await preview(asset.id)).rows.filter((r) => r._ff_run_id === done.id)).toHaveLength(5);
    first = { ...first, snapshot: asset.currentSnapshot!.id };
  });

  it('fails a file whose schema the table refuses, naming column and types, and commits nothing', async () => {
    await api.apply(pipeline('drift-orders', { connection: 'landing', path: 'drift/c.csv', target: { namespace: 'sales', table: 'orders' } }));
    const before = committed.length;
    const { run: done, step } = await run('drift-orders');
    expect(done.state).toBe('failed');
    expect(step.errorCode).toBe('FF_INGEST_SCHEMA_CHANGE');
    expect(step.errorMessage).toMatch(/amount/);
    expect(step.errorMessage).toMatch(/DOUBLE/);
    expect(step.errorMessage).toMatch(/VARCHAR/);
    expect(step.attempts).toHaveLength(1); // not retryable: the same file fails the same way
    const asset = (await assetByTable('orders'))!;
    expect(asset.currentSnapshot!.id).toBe(first.snapshot);
    expect(await snapshots(asset.id)).toHaveLength(2);
    expect(committed.slice(before).filter((e) => e.assetId === asset.id)).toHaveLength(0);
  });

  it('quarantines the rows that do not fit under onSchemaChange: quarantine, keeping the table schema', async () => {
    await api.apply(
      pipeline('quarantine-orders', {
        connection: 'landing',
        path: 'drift/c.csv',
        onSchemaChange: 'quarantine',
        target: { namespace: 'sales', table: 'orders' },
      }),
    );
    const before = (await assetByTable('orders'))!.currentSnapshot!;
    const { run: done, step } = await run('quarantine-orders');
    expect({ state: done.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
    expect(step.outputs).toMatchObject({ committed: true, rowsWritten: 0, rowsRejected: 2 });
    const after = (await assetByTable('orders'))!.currentSnapshot!;
    expect(after).toMatchObject({ rowCount: before.rowCount, operation: 'append', sequence: before.sequence + 1 });
    expect(after.schema.find((c) => c.name === 'amount')?.type).toBe('DOUBLE');
    const rejects = (await assetByTable('orders__rejects'))!;
    const quarantined = (await preview(rejects.id)).rows.filter((r) => r._ff_run_id === done.id);
    expect(quarantined.map((r) => [r.file, r.line])).toEqual([
      ['drift/c.csv', '2'],
      ['drift/c.csv', '3'],
    ]);
    expect(String(quarantined[0]!.reason)).toMatch(/amount/);
    first = { ...first, snapshot: after.id };
  });

  it('fails when rejects exceed maxRejected, committing nothing to the table or its rejects', async () => {
    await api.apply(
      pipeline('strict-orders', {
        connection: 'landing',
        path: 'in/b.csv',
        reprocess: true,
        maxRejected: { count: 1 },
        target: { namespace: 'sales', table: 'orders' },
      }),
    );
    const rejectsBefore = (await assetByTable('orders__rejects'))!.currentSnapshot!.id;
    const { run: done, step } = await run('strict-orders');
    expect(done.state).toBe('failed');
    expect(step.errorCode).toBe('FF_INGEST_TOO_MANY_REJECTED');
    expect(step.errorMessage).toMatch(/2 of 5 rows rejected/);
    expect((await assetByTable('orders'))!.currentSnapshot!.id).toBe(first.snapshot);
    expect((await assetByTable('orders__rejects'))!.currentSnapshot!.id).toBe(rejectsBefore);
  });

  it('archives the files after success when asked', async () => {
    fs.mkdirSync(path.join(landing, 'new'), { recursive: true });
    fs.writeFileSync(path.join(landing, 'new', 'd.csv'), 'id,name,amount\n10,ida,1.25\n');
    await api.apply(
      pipeline('archive-orders', {
        connection: 'landing',
        path: 'new/d.csv',
        afterSuccess: { action: 'archive', archivePrefix: 'done/' },
        target: { namespace: 'sales', table: 'orders' },
      }),
    );
    const { run: done, step } = await run('archive-orders');
    expect({ state: done.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
    expect(step.outputs).toMatchObject({ rowsWritten: 1, rowsRejected: 0 });
    expect(step.outputs).not.toHaveProperty('rejectsAsset');
    expect(fs.existsSync(path.join(landing, 'new', 'd.csv'))).toBe(false);
    expect(fs.readFileSync(path.join(landing, 'done', 'new', 'd.csv'), 'utf8')).toContain('10,ida');
  });
  it('evolves the table for a file with a new column: an append that rewrites the rows before it with the new schema', async () => {
    fs.mkdirSync(path.join(landing, 'wide'), { recursive: true });
    fs.writeFileSync(path.join(landing, 'wide', 'e.csv'), 'id,name,amount,region\n11,jo,2.5,north\n');
    await api.apply(
      pipeline('evolve-orders', { connection: 'landing', path: 'wide/e.csv', onSchemaChange: 'evolve', target: { namespace: 'sales', table: 'orders' } }),
    );
    const before = (await assetByTable('orders'))!.currentSnapshot!;
    const { run: done, step } = await run('evolve-orders');
    expect({ state: done.state, code: step.errorCode, error: step.errorMessage }).toEqual({ state: 'succeeded', code: null, error: null });
    const after = (await assetByTable('orders'))!.currentSnapshot!;
    expect(after).toMatchObject({ rowCount: before.rowCount + 1, operation: 'overwrite', sequence: before.sequence + 1 });
    const names = after.schema.map((c) => c.name);
    expect(names.slice(0, 4)).toEqual(['id', 'name', 'amount', 'region']);
    expect(names.slice(-4)).toEqual(['_ff_run_id', '_ff_source_file', '_ff_source_line', '_ff_ingested_at']);
    const rows = (await preview((step.outputs as { asset: string }).asset)).rows;
    expect(rows).toHaveLength(before.rowCount + 1);
    expect(rows.find((r) => r.id === '11')).toMatchObject({ region: 'north', _ff_run_id: done.id });
    expect(rows.find((r) => r.id === '1')).toMatchObject({ region: null, name: 'alice' });
  });

  it('loads the sample data set with docs/examples/ingest-samples.yaml (the README example), the messy file included', async () => {
    const samples = path.join(landing, 'samples');
    fs.mkdirSync(samples, { recursive: true });
    const data = path.join(__dirname, '../../../docs/examples/data');
    for (const f of fs.readdirSync(data)) fs.copyFileSync(path.join(data, f), path.join(samples, f));
    expect((await api.call('POST', '/api/v1/connections', { name: 'samples', type: 'local', config: { path: samples } })).status).toBe(201);
    const applied = await api.apply(fs.readFileSync(path.join(__dirname, '../../../docs/examples/ingest-samples.yaml'), 'utf8'));
    expect(applied.status).toBeLessThan(300);
    const started = await api.startRun('ingest-samples');
    const done = await api.waitRun(started.body.id, isFinalRun, 60_000);
    const outputs = (id: string) => stepOf(done, id).outputs as { rowsWritten: number; rowsRejected: number };
    expect({ state: done.state, steps: ['customers', 'orders', 'payments'].map((id) => [id, stepOf(done, id).state, stepOf(done, id).errorMessage]) }).toEqual({
      state: 'succeeded',
      steps: [
        ['customers', 'succeeded', null],
        ['orders', 'succeeded', null],
        ['payments', 'succeeded', null],
      ],
    });
    expect([outputs('customers'), outputs('orders'), outputs('payments')].map((o) => [o.rowsWritten, o.rowsRejected])).toEqual([
      [60, 0],
      [200, 0],
      [40, 2],
    ]);
    const payments = (await api.call<Asset[]>('GET', '/api/v1/assets?layer=bronze&namespace=samples&table=payments')).body[0]!;
    expect(payments.currentSnapshot!.schema.find((c) => c.name === 'amount')?.type).toBe('DOUBLE');
    expect(payments.currentSnapshot!.schema.find((c) => c.name === 'paid_on')?.type).toBe('DATE');
  });
});
