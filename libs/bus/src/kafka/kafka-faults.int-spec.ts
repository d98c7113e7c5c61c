/**
 * The Kafka bus under faults (issue 3, "Faults and bad input"):
 *  - the broker is killed by pid (SIGKILL) in the middle of a bounded publish loop and started again:
 *    no event lost, none handled twice, producer and consumers recover by themselves within 30 s;
 *  - the schema registry is down at publish time: publish fails with a clear error, nothing of the
 *    caller's transaction is half-written, and events already in the outbox are delivered anyway;
 *    a consumer that cannot reach the registry to decode retries instead of dead-lettering.
 * The broker test kills a broker of its own (PrivateKafka): the shared one serves other suites.
 */
import { readFileSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { AvroCodec, ConfluentSchemaRegistry, PostgresSchemaRegistry, type EventDefinition } from '@flowforge/contracts';
import { createTestDatabase, PrivateKafka, requireStack, type TestDatabase } from '@flowforge/testing';
import { BusTestEventDef, type BusTestEvent } from '../testing';
import type { BusLogger } from '../bus.logger';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-event-bus';

jest.setTimeout(240_000);

const stack = requireStack('Kafka bus faults', ['kafkaBrokers', 'schemaRegistryUrl']);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** The bus's log lines, kept to explain a timeout (printed only when a wait fails). */
const logs: string[] = [];
const t0 = Date.now();
const record =
  (level: string) =>
  (message: string, meta?: unknown): void =>
    void logs.push(`+${Date.now() - t0} ms ${level} ${message} ${meta ? JSON.stringify(meta) : ''}`.slice(0, 400));
const recording = { info: record('info'), warn: record('warn'), error: record('error') };

function busOptions(db: TestDatabase, brokers: string[], schema: string, codec: AvroCodec, tag: string, logger: BusLogger = quiet): KafkaEventBusOptions {
  return {
    brokers,
    clientId: `ff-faults-${tag}`,
    pool: new Pool({ connectionString: db.url, max: 8 }),
    endPoolOnClose: true,
    outboxSchema: schema,
    codec,
    defaultPartitions: 4,
    groupIdPrefix: `ff-faults-${tag}.`,
    consumer: { sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 5_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
    relay: { pollIntervalMs: 200, lockRetryMs: 200, maxBackoffMs: 1_000 },
    logger,
    metrics: new Registry(),
  };
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number, state?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${state ? ` (${await state()})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Closed after each test even when it failed half-way, so a failure never leaves jest hanging on open clients.
const open: { close(): Promise<void> }[] = [];
const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close().catch(() => undefined)));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A killed process nobody has reaped yet (a zombie: containers often run without an init) counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

if (stack?.kafkaBrokers && stack.schemaRegistryUrl) {
  const registryUrl = stack.schemaRegistryUrl;

  describe('KafkaEventBus: broker killed by pid mid-publish', () => {
    let kafka: PrivateKafka;
    let db: TestDatabase;

    beforeAll(async () => {
      [kafka, db] = await Promise.all([PrivateKafka.start(), createTestDatabase('ff_kfault')]);
    });
    afterAll(async () => {
      await Promise.all([kafka?.stop(), db?.drop()]);
    });

    it('loses nothing, handles nothing twice, and recovers by itself within 30 s of the restart', async () => {
      const admin = track(poolCloser(new Pool({ connectionString: db.url, max: 2 })));
      await admin.query('CREATE TABLE handled (event_id uuid PRIMARY KEY, seq int NOT NULL, times int NOT NULL)');
      const registry = new PostgresSchemaRegistry({ pool: admin });
      await registry.migrate();
      const codec = new AvroCodec(registry);
      const topic = 'flowforge.test.faults.broker';
      const publisher = track(new KafkaEventBus(busOptions(db, kafka.brokers, 'ff_fault_pub', codec, 'pub', recording)));
      const consumer = track(new KafkaEventBus(busOptions(db, kafka.brokers, 'ff_fault_sub', codec, 'sub', recording)));
      await Promise.all([publisher.migrate(), consumer.migrate()]);
      // Committed effects count once per event: a second committed run would make times = 2.
      await consumer.subscribe(BusTestEventDef, { group: 'faults', topic }, async (ev, ctx) => {
        await ctx.tx.query(
          `INSERT INTO handled (event_id, seq, times) VALUES ($1, $2, 1)
           ON CONFLICT (event_id) DO UPDATE SET times = handled.times + 1`,
          [ev.eventId, ev.seq],
        );
      });

      const BATCHES = 80;
      const PER_BATCH = 25;
      let killedPid = 0;
      let restarted: Promise<void> | null = null;
      let restartedAt = 0;
      let unsentWhileDown = 0;
      for (let b = 0; b < BATCHES; b++) {
        if (b === 20) killedPid = kafka.kill();
        if (b === 40) {
          // The fault is real: the broker process is gone and events are piling up in the outbox.
          expect(isAlive(killedPid)).toBe(false);
          unsentWhileDown = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_fault_pub.outbox WHERE sent_at IS NULL`)).rows[0]!.n;
          // Restarted while the loop keeps publishing: the outbox takes every event whatever the broker does.
          restarted = kafka.restart().then(() => void (restartedAt = performance.now()));
        }
        const items = Array.from({ length: PER_BATCH }, (_, i) => {
          const seq = b * PER_BATCH + i;
          return { event: { seq, key: `k${seq % 16}` }, key: `k${seq % 16}` };
        });
        await publisher.publishMany(BusTestEventDef, items, { topic });
        await sleep(40);
      }
      expect(killedPid).toBeGreaterThan(0);
      expect(unsentWhileDown).toBeGreaterThan(0);
      await restarted;
      const total = BATCHES * PER_BATCH;
      const counts = async (): Promise<{ n: number; dup: number }> =>
        (await admin.query<{ n: number; dup: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE times > 1)::int AS dup FROM handled`)).rows[0]!;
      await waitFor(
        `${total} events handled after the broker restart`,
        async () => (await counts()).n === total,
        30_000,
        async () => {
          const unsent = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_fault_pub.outbox WHERE sent_at IS NULL`)).rows[0]!.n;
          return `handled ${(await counts()).n}, unsent in the outbox ${unsent}; bus logs:\n${logs.join('\n')}`;
        },
      );
      const recoveredInMs = performance.now() - restartedAt;
      expect(recoveredInMs).toBeLessThanOrEqual(30_000);

      // Every sequence number, exactly once; every outbox row marked sent.
      const seqs = await admin.query<{ n: number; min: number; max: number }>(
        `SELECT count(DISTINCT seq)::int AS n, min(seq) AS min, max(seq) AS max FROM handled`,
      );
      expect(seqs.rows[0]).toEqual({ n: total, min: 0, max: total - 1 });
      expect((await counts()).dup).toBe(0);
      await waitFor(
        'outbox drained',
        async () => (await admin.query(`SELECT 1 FROM ff_fault_pub.outbox WHERE sent_at IS NULL LIMIT 1`)).rowCount === 0,
        10_000,
      );
      // Redeliveries may have happened (that is what the inbox is for) but none ran twice.
      await sleep(1_000);
      expect((await counts()).dup).toBe(0);
    });
  });

  describe('KafkaEventBus: schema registry down', () => {
    let db: TestDatabase;
    let proxy: RegistryProxy;

    beforeAll(async () => {
      db = await createTestDatabase('ff_kregdown');
      proxy = await RegistryProxy.start(new URL(registryUrl));
    });
    afterAll(async () => {
      await proxy?.close();
      await db?.drop();
    });

    it('refuses a publish with a clear error, keeps the outbox intact, and the consumer waits for the registry instead of dead-lettering', async () => {
      const suffix = Date.now().toString(36);
      const topic = `flowforge.test.faults.registry.${suffix}`;
      // Subjects of their own, so nothing is cached anywhere before this test.
      const def: EventDefinition<BusTestEvent> = { ...BusTestEventDef, subject: `${topic}-value` };
      const lateDef: EventDefinition<BusTestEvent> = { ...BusTestEventDef, subject: `${topic}.late-value` };
      const viaProxy = (): AvroCodec => new AvroCodec(new ConfluentSchemaRegistry({ url: proxy.url }));
      const publisher = track(new KafkaEventBus(busOptions(db, stack.kafkaBrokers!, 'ff_reg_pub', viaProxy(), `rpub-${suffix}`)));
      const consumer = track(new KafkaEventBus(busOptions(db, stack.kafkaBrokers!, 'ff_reg_sub', viaProxy(), `rsub-${suffix}`)));
      await Promise.all([publisher.migrate(), consumer.migrate()]);
      const admin = track(poolCloser(new Pool({ connectionString: db.url, max: 2 })));
      await admin.query('CREATE TABLE IF NOT EXISTS state (id text PRIMARY KEY)');

      // Registry up: the first event is encoded (its schema registered) and committed to the outbox.
      await publisher.publish(def, { seq: 1, key: 'a' }, { key: 'a', topic });

      proxy.down();
      // Registry down, schema not cached: the publish fails naming the registry, and the caller's
      // transaction rolls back — the state change and the event both or neither.
      const tx = await admin.connect();
      await tx.query('BEGIN');
      await tx.query(`INSERT INTO state (id) VALUES ('late')`);
      const failed = publisher.publish(lateDef, { seq: 2, key: 'a' }, { key: 'a', topic, tx });
      await expect(failed).rejects.toMatchObject({ code: 'FF_SCHEMA_REGISTRY_UNAVAILABLE' });
      await expect(failed).rejects.toThrow(proxy.url);
      await tx.query('ROLLBACK');
      tx.release();
      expect((await admin.query(`SELECT 1 FROM state`)).rowCount).toBe(0);
      const outbox = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_reg_pub.outbox WHERE topic = $1`, [topic]);
      expect(outbox.rows[0]!.n).toBe(1);

      // The relay does not need the registry: the committed event reaches Kafka. The consumer cannot
      // decode it yet (its codec has never seen the schema id): that is transient, not a dead letter.
      const handled: number[] = [];
      const dead: number[] = [];
      await consumer.subscribe(def, { group: 'reg', topic }, async (ev) => {
        handled.push(ev.seq);
      });
      const dlqReader = track(
        new KafkaEventBus(
          busOptions(db, stack.kafkaBrokers!, 'ff_reg_dlq', new AvroCodec(new ConfluentSchemaRegistry({ url: registryUrl })), `rdlq-${suffix}`),
        ),
      );
      await dlqReader.migrate();
      await dlqReader.subscribe(def, { group: 'reg-dlq', topic: `${topic}.dlq` }, async (ev) => {
        dead.push(ev.seq);
      });
      await waitFor(
        'the relay to ship the committed event',
        async () => (await admin.query(`SELECT 1 FROM ff_reg_pub.outbox WHERE topic = $1 AND sent_at IS NOT NULL`, [topic])).rowCount === 1,
        20_000,
      );
      await sleep(3_000);
      expect(handled).toEqual([]);

      proxy.up();
      await waitFor('the event handled once the registry is back', async () => handled.length === 1, 30_000);
      expect(handled).toEqual([1]);
      expect(dead).toEqual([]);
    });
  });
} else {
  describe.skip('Kafka bus faults (needs FLOWFORGE_TEST_KAFKA_BROKERS and FLOWFORGE_TEST_SCHEMA_REGISTRY_URL)', () => {
    it('needs the stack', () => undefined);
  });
}

function poolCloser(pool: Pool): Pool & { close(): Promise<void> } {
  return Object.assign(pool, { close: () => pool.end() });
}

/** A TCP proxy in front of the real registry that the test can take down (connections refused) and bring back. */
class RegistryProxy {
  private readonly sockets = new Set<Socket>();
  private available = true;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    readonly url: string,
  ) {}

  static async start(target: URL): Promise<RegistryProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const proxy = new RegistryProxy(server, target, `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  down(): void {
    this.available = false;
    for (const s of this.sockets) s.destroy();
  }

  up(): void {
    this.available = true;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    // Down = the connection is reset at once, as a stopped server's port would answer.
    if (!this.available) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(Number(this.target.port), this.target.hostname);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}
