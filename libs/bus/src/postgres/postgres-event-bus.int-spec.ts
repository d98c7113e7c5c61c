import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import type { EventBus } from '../event-bus.port';
import { AvroCodec, PostgresSchemaRegistry, type EventCodec } from '@flowforge/contracts';
import { BusTestEventDef, describeEventBusContract, type EventBusHarness } from '../testing';
import { PostgresEventBus } from './postgres-event-bus';

jest.setTimeout(60_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function makePostgresHarness(): Promise<EventBusHarness & { pools: Pool[]; codec: EventCodec; url: string }> {
  const db: TestDatabase = await createTestDatabase('ff_bus');
  const admin = new Pool({ connectionString: db.url, max: 4 });
  admin.on('error', () => undefined);
  // The real codec over the real Postgres registry, in the same database as the bus.
  const registry = new PostgresSchemaRegistry({ pool: admin });
  await registry.migrate();
  const codec = new AvroCodec(registry);
  const pools: Pool[] = [admin];
  const byBus = new Map<EventBus, PostgresEventBus>();
  let migrated = false;
  let injector: PostgresEventBus | null = null;
  const createBus = async (): Promise<PostgresEventBus> => {
    const pool = new Pool({ connectionString: db.url, max: 8 });
    const bus = new PostgresEventBus({
      pool,
      endPoolOnClose: true,
      codec,
      producer: 'bus-contract',
      pollIntervalMs: 200,
      leaseMs: 1000,
      retentionIntervalMs: 0,
      logger: quiet,
      metrics: new Registry(),
    });
    if (!migrated) {
      await bus.migrate();
      migrated = true;
    }
    byBus.set(bus, bus);
    return bus;
  };
  return {
    pools,
    codec,
    url: db.url,
    db: admin,
    createBus,
    async injectRawFrame(topic, key, frame) {
      injector ??= await createBus();
      await injector.publishRaw(topic, [{ key, headers: {}, payload: frame }]);
    },
    async readTopic(topic) {
      const { rows } = await admin.query<{ key: string; headers: Record<string, string>; payload: Buffer }>(
        `SELECT key, headers, payload FROM ff_bus.log WHERE topic = $1 ORDER BY partition, "offset"`,
        [topic],
      );
      return rows;
    },
    async kill(bus) {
      await byBus.get(bus)!.crash();
    },
    async groupsOf(topic) {
      const { rows } = await admin.query<{ group_id: string }>(
        `SELECT group_id FROM ff_bus.consumer_partitions WHERE topic = $1
         UNION SELECT group_id FROM ff_bus.consumer_members WHERE topic = $1
         UNION SELECT group_id FROM ff_bus.broadcast_groups WHERE topic = $1 ORDER BY 1`,
        [topic],
      );
      return rows.map((r) => r.group_id);
    },
    async begin() {
      const client = await admin.connect();
      await client.query('BEGIN');
      return {
        tx: client,
        commit: async () => {
          await client.query('COMMIT');
          client.release();
        },
        rollback: async () => {
          await client.query('ROLLBACK');
          client.release();
        },
      };
    },
    async cleanup() {
      await injector?.close();
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await db.drop();
    },
  };
}

describeEventBusContract('PostgresEventBus', makePostgresHarness);

describe('PostgresEventBus specifics', () => {
  let h: Awaited<ReturnType<typeof makePostgresHarness>>;
  beforeAll(async () => {
    h = await makePostgresHarness();
  });
  afterAll(async () => {
    await h.cleanup();
  });

  it('retention deletes only rows every group has committed past and that are older than retention', async () => {
    const bus = (await h.createBus()) as PostgresEventBus;
    const topic = 'flowforge.test.retention';
    await bus.ensureTopic(topic, { partitions: 1, retentionMs: 0 });
    const seen: number[] = [];
    const sub = await bus.subscribe(BusTestEventDef, { group: 'fast', topic }, async (ev) => {
      seen.push(ev.seq);
    });
    await bus.publishMany(
      BusTestEventDef,
      [0, 1, 2].map((seq) => ({ key: 'k', event: { seq, key: 'k' } })),
      { topic },
    );
    await waitUntil(() => seen.length === 3);
    await sub.close();
    // A second group that never consumed holds everything back...
    const slow = await bus.subscribe(BusTestEventDef, { group: 'slow', topic }, async () => {
      throw new Error('never handled in this test');
    });
    await slow.close();
    await h.db.query(`UPDATE ff_bus.consumer_partitions SET committed_offset = 1 WHERE group_id = 'slow' AND topic = $1`, [topic]);
    const r = await bus.runRetention();
    const left = await h.db.query<{ offset: string }>(`SELECT "offset"::text AS offset FROM ff_bus.log WHERE topic = $1 ORDER BY 1`, [topic]);
    expect(r.deletedEvents).toBe(1);
    expect(left.rows.map((x) => x.offset)).toEqual(['1', '2']);
    await bus.close();
  });

  it('counts published, consumed and dead-lettered events and samples lag in its registry', async () => {
    const registry = new Registry();
    const pool = new Pool({ connectionString: h.url, max: 6 });
    const bus = new PostgresEventBus({
      pool,
      endPoolOnClose: true,
      codec: h.codec,
      producer: 'metrics',
      leaseMs: 1000,
      pollIntervalMs: 100,
      retentionIntervalMs: 0,
      logger: quiet,
      metrics: registry,
    });
    await bus.migrate();
    const topic = 'flowforge.test.metrics';
    // A set: handlers before the failing one in its batch run again when the prefix is replayed.
    const handled = new Set<number>();
    await bus.subscribe(BusTestEventDef, { group: 'm', topic, maxAttempts: 1 }, async (ev) => {
      if (ev.seq === 3) throw new Error('bad');
      handled.add(ev.seq);
    });
    await bus.publishMany(
      BusTestEventDef,
      [0, 1, 2, 3, 4].map((seq) => ({ key: 'k', event: { seq, key: 'k' } })),
      { topic },
    );
    await waitUntil(() => handled.size === 4);
    const value = async (name: string, labels: Record<string, string>): Promise<number | undefined> =>
      (await registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
    // Counters move when the batch commits, a moment after its handlers ran.
    await waitUntil(async () => (await value('ff_bus_dead_lettered_total', { topic, group: 'm' })) === 1);
    await waitUntil(async () => (await value('ff_bus_consumed_total', { topic, group: 'm' })) === 4);
    expect(await value('ff_bus_published_total', { topic })).toBe(5);
    expect(await value('ff_bus_published_total', { topic: `${topic}.dlq` })).toBe(1);
    expect(await value('ff_bus_consumed_total', { topic, group: 'm' })).toBe(4);
    expect(await value('ff_bus_dead_lettered_total', { topic, group: 'm' })).toBe(1);
    expect(await value('ff_bus_handler_failures_total', { topic, group: 'm' })).toBe(1);
    expect((await registry.getSingleMetric('ff_bus_consumer_lag')!.get()).values.length).toBeGreaterThan(0);
    await bus.close();
  });

  it('migrate() is idempotent and safe to run concurrently', async () => {
    const buses = await Promise.all([1, 2, 3].map(() => h.createBus() as Promise<PostgresEventBus>));
    await Promise.all(buses.map((b) => b.migrate()));
    const { rows } = await h.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = 'ff_bus'`);
    expect(rows[0]!.n).toBe('7');
    await Promise.all(buses.map((b) => b.close()));
  });

  it('migrate() beside busy consumers takes no lock once the schema is current', async () => {
    const bus = (await h.createBus()) as PostgresEventBus;
    await bus.migrate();
    // A consumer mid-batch holds ROW EXCLUSIVE on the inbox and the group's offsets. CREATE INDEX IF NOT
    // EXISTS would wait for it (SHARE lock even when the index exists) — or deadlock with it.
    const consumer = await h.pools[0]!.connect();
    try {
      await consumer.query('BEGIN');
      await consumer.query('LOCK TABLE ff_bus.inbox, ff_bus.consumer_partitions IN ROW EXCLUSIVE MODE');
      const late = (await h.createBus()) as PostgresEventBus;
      const migrating = late.migrate().then(() => 'migrated');
      const outcome = await Promise.race([migrating, new Promise((r) => setTimeout(() => r('blocked behind the consumer'), 3_000))]);
      await consumer.query('COMMIT');
      await migrating;
      await late.close();
      expect(outcome).toBe('migrated');
    } finally {
      consumer.release();
    }
    await bus.close();
  });

  it('deletes the broadcast group of a replica that died without closing once broadcastTtlMs passed, and a live replica whose group was swept resumes', async () => {
    const make = (): PostgresEventBus =>
      new PostgresEventBus({
        pool: new Pool({ connectionString: h.url, max: 6 }),
        endPoolOnClose: true,
        codec: h.codec,
        producer: 'broadcast',
        leaseMs: 600,
        pollIntervalMs: 100,
        broadcastTtlMs: 1_500,
        retentionIntervalMs: 0,
        logger: quiet,
        metrics: new Registry(),
      });
    const topic = 'flowforge.test.broadcast-expiry';
    const groupRows = async (prefix: string): Promise<number> =>
      (
        await h.db.query<{ n: number }>(
          `SELECT ((SELECT count(*) FROM ff_bus.consumer_partitions WHERE starts_with(group_id, $1))
                 + (SELECT count(*) FROM ff_bus.consumer_members WHERE starts_with(group_id, $1))
                 + (SELECT count(*) FROM ff_bus.broadcast_groups WHERE starts_with(group_id, $1))
                 + (SELECT count(*) FROM ff_bus.inbox WHERE starts_with(group_id, $1)))::int AS n`,
          [prefix],
        )
      ).rows[0]!.n;

    const dying = make();
    await dying.migrate();
    const heard: number[] = [];
    await dying.subscribe(BusTestEventDef, { group: 'dying', topic, broadcast: true }, async (ev) => {
      heard.push(ev.seq);
    });
    await dying.publish(BusTestEventDef, { seq: 1, key: 'k' }, { key: 'k', topic });
    await waitUntil(() => heard.includes(1));
    await dying.crash();
    const sweeper = make();
    // Within its lease the group stays: a replica between two heartbeats is not gone.
    expect((await sweeper.runRetention()).deletedBroadcastGroups).toBe(0);
    expect(await groupRows('dying.')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_700));
    expect((await sweeper.runRetention()).deletedBroadcastGroups).toBe(1);
    expect(await groupRows('dying.')).toBe(0);

    // A live replica silent past its TTL (swept meanwhile) recreates its group and hears what comes next.
    const live = make();
    const got: number[] = [];
    await live.subscribe(BusTestEventDef, { group: 'live', topic, broadcast: true }, async (ev) => {
      got.push(ev.seq);
    });
    await h.db.query(`UPDATE ff_bus.broadcast_groups SET expires_at = now() - interval '1 second' WHERE starts_with(group_id, 'live.')`);
    expect((await sweeper.runRetention()).deletedBroadcastGroups).toBe(1);
    await waitUntil(async () => (await h.db.query(`SELECT 1 FROM ff_bus.broadcast_groups WHERE starts_with(group_id, 'live.')`)).rows.length === 1);
    await sweeper.publish(BusTestEventDef, { seq: 2, key: 'k' }, { key: 'k', topic });
    await waitUntil(() => got.includes(2));
    expect(got).toEqual([2]);
    await live.close();
    expect(await groupRows('live.')).toBe(0);
    await sweeper.close();
  });

  it('refuses an invalid topic name with a stable code', async () => {
    const bus = await h.createBus();
    await expect(bus.ensureTopic('no spaces allowed')).rejects.toThrow(/FF_BUS_INVALID_TOPIC/);
    await bus.close();
  });
});

async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
