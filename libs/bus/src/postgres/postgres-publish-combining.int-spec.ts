import { Pool, type PoolClient } from 'pg';
import { Registry } from 'prom-client';
import { AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BusTestEventDef } from '../testing';
import { PostgresEventBus } from './postgres-event-bus';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Autocommit publishes (no caller transaction) to one partition are combined while a statement for it
 * is in flight (libs/bus/src/publish.combiner.ts). Each test holds the partition's head row locked from another
 * transaction, so the first publish's statement waits on it while the next ones queue behind it —
 * a deterministic way to have "publishes arriving during a commit".
 */
describe('PostgresEventBus: combined autocommit publishes', () => {
  let db: TestDatabase;
  let admin: Pool;
  let registry: PostgresSchemaRegistry;

  beforeAll(async () => {
    db = await createTestDatabase('ff_bus_comb');
    admin = new Pool({ connectionString: db.url, max: 4 });
    admin.on('error', () => undefined);
    registry = new PostgresSchemaRegistry({ pool: admin });
    await registry.migrate();
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  const newBus = async (): Promise<{ bus: PostgresEventBus; appends: () => number }> => {
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    let appends = 0;
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    // Counts the statements that write the log (the real pool runs them).
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('INSERT INTO ff_bus.log')) appends++;
      return query(...args);
    };
    const bus = new PostgresEventBus({
      pool,
      endPoolOnClose: true,
      codec: new AvroCodec(registry),
      producer: 'test',
      retentionIntervalMs: 0,
      logger: quiet,
      metrics: new Registry(),
    });
    await bus.migrate();
    return { bus, appends: () => appends };
  };

  /** Locks the topic's only head row and waits until a publisher's statement is blocked on it. */
  const holdHead = async (topic: string): Promise<PoolClient> => {
    const client = await admin.connect();
    await client.query('BEGIN');
    await client.query(`SELECT 1 FROM ff_bus.partitions WHERE topic = $1 FOR UPDATE`, [topic]);
    return client;
  };
  const publisherBlocked = async (): Promise<void> => {
    for (let i = 0; i < 500; i++) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO ff_bus.log%'`,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no publisher statement ever waited on the head row');
  };
  const logOf = async (topic: string): Promise<Array<{ offset: number; key: string }>> =>
    (await admin.query<{ offset: number; key: string }>(`SELECT "offset"::int AS "offset", key FROM ff_bus.log WHERE topic = $1 ORDER BY "offset"`, [topic]))
      .rows;

  it('sends the publishes that arrive during a commit as one statement, in call order, gap-free, and close() waits for them', async () => {
    const topic = 'flowforge.test.combined';
    const { bus, appends } = await newBus();
    await bus.ensureTopic(topic, { partitions: 1 });
    const lock = await holdHead(topic);
    const published = Array.from({ length: 50 }, (_, seq) => bus.publish(BusTestEventDef, { seq, key: `k${seq}` }, { key: `k${seq}`, topic }));
    await publisherBlocked();
    // Closing while 49 publishes wait behind the blocked one: each still gets committed and answered.
    const closed = bus.close();
    await lock.query('COMMIT');
    lock.release();
    const events = await Promise.all(published);
    await closed;

    expect(appends()).toBe(2); // the first alone, then the 49 that queued behind it
    const log = await logOf(topic);
    expect(log.map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(log.map((r) => r.key)).toEqual(events.map((e) => e.key));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('fails only the publish whose value the database refuses; the others of its statement commit', async () => {
    const topic = 'flowforge.test.combined-bad';
    const { bus, appends } = await newBus();
    try {
      await bus.ensureTopic(topic, { partitions: 1 });
      const lock = await holdHead(topic);
      const first = bus.publish(BusTestEventDef, { seq: 0, key: 'a' }, { key: 'a', topic });
      await publisherBlocked();
      const keys = ['b', 'bad\u0000key', 'c', 'd'];
      const rest = keys.map((key, i) =>
        bus.publish(BusTestEventDef, { seq: i + 1, key }, { key, topic }).then(
          () => 'ok',
          (err: { code?: string }) => `refused ${err.code}`,
        ),
      );
      await lock.query('COMMIT');
      lock.release();
      await first;
      // 22021: a NUL byte is no character of the database's encoding.
      expect(await Promise.all(rest)).toEqual(['ok', 'refused 22021', 'ok', 'ok']);
      // First alone, the combined four (rolled back), then each of the four on its own.
      expect(appends()).toBe(6);
      const log = await logOf(topic);
      expect(log).toEqual([
        { offset: 0, key: 'a' },
        { offset: 1, key: 'b' },
        { offset: 2, key: 'c' },
        { offset: 3, key: 'd' },
      ]);
    } finally {
      await bus.close();
    }
  });

  it('publishes inside a caller transaction are not combined: they commit or roll back with it', async () => {
    const topic = 'flowforge.test.combined-tx';
    const { bus } = await newBus();
    try {
      await bus.ensureTopic(topic, { partitions: 1 });
      const tx = await admin.connect();
      await tx.query('BEGIN');
      await bus.publish(BusTestEventDef, { seq: 0, key: 'rolled-back' }, { key: 'rolled-back', topic, tx });
      await tx.query('ROLLBACK');
      tx.release();
      await bus.publish(BusTestEventDef, { seq: 1, key: 'kept' }, { key: 'kept', topic });
      expect(await logOf(topic)).toEqual([{ offset: 0, key: 'kept' }]);
    } finally {
      await bus.close();
    }
  });
});
