import type { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { createHostApp, createLogger, loadHostConfig, type FlowForgeLogger } from '@flowforge/service-kit';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { triggersService } from '../triggers.definition';
import { TriggerFirer, type FiringTrigger } from './trigger.firer';
import { TriggerRuntime } from './trigger.runtime';
import { TriggerStore } from './trigger.store';

const quiet: FlowForgeLogger = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/**
 * The trigger core on PostgreSQL and the Postgres bus, the triggers service alone (no orchestrator: the
 * run requests stay in the bus log, where they are counted): dedup under concurrency, the firing and
 * the request in one transaction, and pull sources leased to one replica at a time.
 */
describe('trigger core (firer, leases, runtime)', () => {
  let db: TestDatabase;
  let home: string;
  let pool: Pool;
  const apps: INestApplication[] = [];
  const key = randomBytes(32).toString('base64');

  const start = async (): Promise<INestApplication> => {
    const services = [triggersService];
    const config = loadHostConfig({
      host: 'triggers',
      services,
      env: {
        DATABASE_URL: db.url,
        FLOWFORGE_HOME: home,
        FLOWFORGE_TRIGGERS_SECRET_KEY: key,
        FLOWFORGE_TRIGGERS_SYNC_MS: '100',
        FLOWFORGE_TRIGGERS_LEASE_SECONDS: '2',
      },
      requireDatabaseUrl: true,
    });
    const app = await createHostApp({ mode: 'standalone', host: 'triggers', services, config, logger: quiet, port: 0 });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_triggers_core');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-trig-core-'));
    pool = new Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await pool?.end();
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const requests = async (runIds: string[]): Promise<number> =>
    (await pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.run.requested' AND key = ANY($1)`, [runIds])).rows[0].n as number;

  const insertTrigger = async (
    app: INestApplication,
    type: string,
    config: Record<string, unknown>,
    params: Record<string, string> = {},
  ): Promise<FiringTrigger> => {
    const id = randomUUID();
    const name = `t-${id.slice(0, 8)}`;
    await app
      .get(TriggerStore)
      .insert(pool, { id, name, description: null, workflow: 'wf', type, config, secrets: {}, params, enabled: true, createdBy: 'test' });
    return { id, name, workflow: 'wf', type, config, params };
  };

  it('fires once per dedup key, even when the same event arrives concurrently: one firing, one run requested', async () => {
    const app = await start();
    const firer = app.get(TriggerFirer);
    const t = await insertTrigger(app, 'kafka', { brokers: ['127.0.0.1:1'], topic: 't' }, { order: '${payload.order}' });
    const event = { payload: { order: 'o-1' }, dedupKey: 'topic/0/42' };
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => firer.fire(t, event)));
    const fired = outcomes.filter((o) => o.runId);
    expect(fired).toHaveLength(1);
    expect(outcomes.filter((o) => o.reason === `duplicate of ${fired[0]!.firingId}`)).toHaveLength(7);
    expect(await requests([fired[0]!.runId!])).toBe(1);
    const rows = await pool.query(`SELECT matched, params, run_id FROM ff_triggers.firings WHERE trigger_id = $1`, [t.id]);
    expect(rows.rows).toEqual([{ matched: true, params: { order: 'o-1' }, run_id: fired[0]!.runId }]);
  });

  it('records a non-match (filter or missing field) with its reason and requests no run', async () => {
    const app = apps[0]!;
    const firer = app.get(TriggerFirer);
    const t = await insertTrigger(app, 'kafka', { brokers: ['127.0.0.1:1'], topic: 't', filter: { fields: { kind: 'order' } } }, { order: '${payload.order}' });
    const filtered = await firer.fire(t, { payload: { kind: 'refund', order: 'x' } });
    expect(filtered).toMatchObject({ matched: false, runId: null, reason: 'field "kind" is "refund", wanted "order"' });
    const missing = await firer.fire(t, { payload: { kind: 'order' } });
    expect(missing).toMatchObject({ matched: false, runId: null, reason: 'parameter "order": payload.order is missing from the event' });
    expect((await pool.query(`SELECT count(*)::int AS n FROM ff_triggers.firings WHERE trigger_id = $1 AND NOT matched`, [t.id])).rows[0].n).toBe(2);
  });

  it('a lease is held by one replica at a time, and taken over once it expires', async () => {
    const store = apps[0]!.get(TriggerStore);
    const t = await insertTrigger(apps[0]!, 'webhook', { auth: 'token' });
    expect([...(await store.lease(pool, 'replica-a', [t.id], 60))]).toEqual([t.id]);
    expect([...(await store.lease(pool, 'replica-b', [t.id], 60))]).toEqual([]);
    expect([...(await store.lease(pool, 'replica-a', [t.id], 60))]).toEqual([t.id]);
    await pool.query(`UPDATE ff_triggers.leases SET expires_at = now() - interval '1 second' WHERE trigger_id = $1`, [t.id]);
    expect([...(await store.lease(pool, 'replica-b', [t.id], 60))]).toEqual([t.id]);
    expect([...(await store.lease(pool, 'replica-a', [t.id], 60))]).toEqual([]);
  });

  it('runs each enabled trigger on exactly one of two replicas; the other takes over when it stops; a disabled one runs nowhere', async () => {
    const a = apps[0]!;
    const b = await start();
    const t = await insertTrigger(a, 'webhook', { auth: 'token' });
    const runningOn = () => [a, b].filter((app) => apps.includes(app)).map((app) => app.get(TriggerRuntime).runningIds().includes(t.id));
    const deadline = Date.now() + 15_000;
    while (!runningOn().some(Boolean) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    expect(runningOn().filter(Boolean)).toHaveLength(1);
    const owner = runningOn()[0] ? a : b;
    apps.splice(apps.indexOf(owner), 1);
    await owner.close();
    const survivor = owner === a ? b : a;
    const deadline2 = Date.now() + 15_000;
    while (!survivor.get(TriggerRuntime).runningIds().includes(t.id)) {
      if (Date.now() > deadline2) throw new Error('the surviving replica did not take the trigger over');
      await new Promise((r) => setTimeout(r, 50));
    }
    await pool.query(`UPDATE ff_triggers.triggers SET enabled = false, version = version + 1 WHERE id = $1`, [t.id]);
    const deadline3 = Date.now() + 15_000;
    while (survivor.get(TriggerRuntime).runningIds().includes(t.id)) {
      if (Date.now() > deadline3) throw new Error('the disabled trigger still runs');
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);
});
