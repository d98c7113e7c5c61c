import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Pool, type PoolClient } from 'pg';
import { Registry } from 'prom-client';
import { KafkaEventBus, type Subscription } from '@flowforge/bus';
import { AuditRecorded, AvroCodec, PostgresSchemaRegistry, type AuditRecordedEvent } from '@flowforge/contracts';
import { runMigrations, serviceDataSourceOptions } from '@flowforge/db';
import { auditStreamKey, createLogger } from '@flowforge/service-kit';
import { createTestDatabase, requireStack, type TestDatabase } from '@flowforge/testing';
import { authMigrations } from '../migrations';
import { AuditRecordedHandler, UNSTORABLE_ENTRY_ACTION } from './audit-recorded.handler';
import { AuditLog } from './audit.log';

function event(fields: Partial<AuditRecordedEvent> = {}): AuditRecordedEvent {
  return {
    eventId: randomUUID(),
    occurredAt: Date.now(),
    producer: 'gateway',
    traceparent: null,
    schemaVersion: 2,
    actor: 'u-1',
    actorType: 'user',
    actorName: 'ada',
    action: 'job:edit',
    resourceType: 'job',
    resourceId: 'nightly',
    outcome: 'success',
    httpStatus: 201,
    ip: '127.0.0.1',
    userAgent: 'jest',
    traceId: null,
    diff: null,
    ...fields,
  };
}

/** The writer on a real PostgreSQL: what it stores, under concurrency, and what it does when PostgreSQL refuses. */
describe('AuditLog and its handler', () => {
  let db: TestDatabase;
  let pool: Pool;
  let log: AuditLog;
  let handler: AuditRecordedHandler;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ff_auditlog');
    const ds = new DataSource(serviceDataSourceOptions({ url: db.url, schema: 'ff_auth', entities: [], migrations: authMigrations }));
    await runMigrations(ds);
    await ds.destroy();
    pool = new Pool({ connectionString: db.url, max: 12 });
    pool.on('error', () => undefined);
    log = new AuditLog(pool);
    const logger = createLogger({
      service: 'test',
      level: 'info',
      destination: new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) }),
    });
    handler = new AuditRecordedHandler(log, logger);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** One bus delivery: the handler in a transaction of its own, committed. */
  async function deliver(events: AuditRecordedEvent[], pause = 0): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (const e of events) {
        await handler.appendOrPlaceholder(client, e);
        if (pause) await new Promise((r) => setTimeout(r, pause));
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  const stored = async (id: string) => (await log.search({ limit: 10_000 })).find((e) => e.id === id);

  const expectOneChain = async () => {
    const v = await log.verify();
    const { rows } = await pool.query<{ n: string; max: string | null }>('SELECT count(*) AS n, max(seq) AS max FROM ff_auth.audit_log');
    expect(v).toMatchObject({ ok: true, checked: Number(rows[0]!.n) });
    expect(Number(rows[0]!.max)).toBe(Number(rows[0]!.n));
  };

  it('forms one gapless chain from many concurrent deliveries (one per partition)', async () => {
    const before = (await log.verify()).checked;
    const actors = Array.from({ length: 8 }, (_, i) => `conc-${i}`);
    await Promise.all(
      actors.map((actor) =>
        deliver(
          Array.from({ length: 5 }, (_, n) => event({ actor, resourceId: `${actor}-${n}` })),
          5,
        ),
      ),
    );
    await expectOneChain();
    expect((await log.verify()).checked).toBe(before + 40);
    const entries = await log.search({ limit: 10_000 });
    for (const actor of actors) {
      expect(entries.filter((e) => e.actorId === actor).map((e) => e.resourceId)).toEqual([0, 1, 2, 3, 4].map((n) => `${actor}-${n}`));
    }
  });

  it('stores raw NUL bytes, lone surrogates and a 1 MB field bounded, exactly as hashed', async () => {
    const e = event({
      resourceId: 'a\0b',
      actorName: 'x\uDC00y',
      userAgent: 'u'.repeat(1024 * 1024),
      diff: JSON.stringify({ route: 'PUT /api/v1/jobs/:name', ['k\0']: `v\uD800`, big: 'b'.repeat(1024 * 1024) }),
    });
    await deliver([e]);
    const entry = await stored(e.eventId);
    expect(entry).toMatchObject({ resourceId: 'a\\u0000b', actorName: 'x\uFFFDy', changes: { route: 'PUT /api/v1/jobs/:name', 'k\\u0000': 'v\uFFFD' } });
    expect(entry!.userAgent!.length).toBeLessThanOrEqual(1024);
    expect((entry!.changes as { big: string }).big.length).toBeLessThanOrEqual(8192);
    // A search with the raw value finds it (filters are made storable the same way) instead of failing.
    expect((await log.search({ limit: 10, resourceId: 'a\0b' })).map((x) => x.id)).toEqual([e.eventId]);
    expect((await log.search({ limit: 10, actor: 'x\uDC00y' })).map((x) => x.id)).toEqual([e.eventId]);
    await expectOneChain();
  });

  it('puts an audit:entry-unstorable entry in place of an event PostgreSQL refuses, and the rest of the transaction commits', async () => {
    const bad = event({ occurredAt: -8.64e15, resourceId: 'bad-date' });
    const good = event({ resourceId: 'after-bad-date' });
    logs.length = 0;
    await deliver([bad, good]);
    const placeholder = await stored(bad.eventId);
    expect(placeholder).toMatchObject({
      action: UNSTORABLE_ENTRY_ACTION,
      outcome: 'error',
      resourceType: 'audit-entry',
      resourceId: bad.eventId,
      changes: { event: { resourceId: 'bad-date', producer: 'gateway', action: 'job:edit' }, error: { code: expect.stringMatching(/^22/) } },
    });
    const next = await stored(good.eventId);
    expect(next!.seq).toBe(placeholder!.seq + 1);
    expect(logs.join('')).toContain(`FF_AUDIT_ENTRY_UNSTORABLE: audit event ${bad.eventId}`);
    // A redelivery of the refused event is skipped like any stored one.
    await deliver([bad]);
    expect((await log.search({ limit: 10_000, resourceId: bad.eventId })).length).toBe(1);
    await expectOneChain();
  });

  it('throws (for the bus to retry) when the database itself fails, and writes no placeholder', async () => {
    const e = event({ resourceId: 'lost-connection' });
    const client: PoolClient = await pool.connect();
    client.on('error', () => undefined);
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await expect(handler.appendOrPlaceholder(client, e)).rejects.toThrow();
    } finally {
      client.release(true);
    }
    expect(await stored(e.eventId)).toBeUndefined();
    expect((await log.search({ limit: 10_000, action: UNSTORABLE_ENTRY_ACTION })).some((p) => p.resourceId === e.eventId)).toBe(false);
    await expectOneChain();
  });

  // Distributed mode: two consumers of one group on Kafka, each handling several partitions at once.
  const stack = requireStack('audit chain over the Kafka bus', ['kafkaBrokers']);
  (stack ? it : it.skip)(
    'forms one gapless chain from actor-keyed events consumed by two Kafka members, partitions concurrently',
    async () => {
      const runId = randomUUID().slice(0, 8);
      const topic = `flowforge.audit.recorded.t${runId}`;
      const registry = new PostgresSchemaRegistry({ pool });
      await registry.migrate();
      const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
      const buses = [0, 1].map(
        (i) =>
          new KafkaEventBus({
            brokers: stack!.kafkaBrokers!,
            clientId: `ff-audit-${runId}-${i}`,
            producer: 'gateway',
            pool: new Pool({ connectionString: db.url, max: 6 }),
            endPoolOnClose: true,
            outboxSchema: 'ff_auth',
            codec: new AvroCodec(registry),
            defaultPartitions: 6,
            groupIdPrefix: `ff-audit-${runId}.`,
            consumer: { sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 5_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 200, partitionsConsumedConcurrently: 4 },
            relay: { pollIntervalMs: 100, lockRetryMs: 200, maxBackoffMs: 1_000 },
            logger: quiet,
            metrics: new Registry(),
          }),
      );
      const subs: Subscription[] = [];
      try {
        await buses[0]!.migrate();
        await buses[0]!.ensureTopic(topic, { partitions: 6 });
        for (const bus of buses) subs.push(await bus.subscribe(AuditRecorded, { group: 'auth', topic }, (e, ctx) => handler.appendOrPlaceholder(ctx.tx, e)));
        const actors = Array.from({ length: 12 }, (_, i) => ({ type: 'user' as const, id: `kafka-${runId}-${i}`, ip: null }));
        const perActor = 10;
        await Promise.all(
          actors.map(async (actor, i) => {
            for (let n = 0; n < perActor; n++) {
              await buses[i % 2]!.publish(
                AuditRecorded,
                {
                  actor: actor.id,
                  actorType: 'user',
                  actorName: actor.id,
                  action: 'job:edit',
                  resourceType: 'job',
                  resourceId: `${actor.id}-${n}`,
                  outcome: 'success',
                  httpStatus: 201,
                  ip: null,
                  userAgent: null,
                  traceId: null,
                  diff: null,
                },
                { key: auditStreamKey(actor), topic },
              );
            }
          }),
        );
        const mine = async () => (await log.search({ limit: 10_000 })).filter((e) => e.actorId?.startsWith(`kafka-${runId}-`));
        const deadline = Date.now() + 45_000;
        while ((await mine()).length < actors.length * perActor && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        const entries = await mine();
        expect(entries).toHaveLength(actors.length * perActor);
        for (const actor of actors) {
          expect(entries.filter((e) => e.actorId === actor.id).map((e) => e.resourceId)).toEqual(
            Array.from({ length: perActor }, (_, n) => `${actor.id}-${n}`),
          );
        }
        await expectOneChain();
      } finally {
        for (const sub of subs) await sub.close().catch(() => undefined);
        for (const bus of buses) await bus.close().catch(() => undefined);
      }
    },
    90_000,
  );
});
