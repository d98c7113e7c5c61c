import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import { Kafka, logLevel as KafkaLogLevel, Partitioners, type LogEntry, type Producer, type TopicMessages } from 'kafkajs';
import type { EventCodec, EventDefinition, EventEnvelope, EventInput } from '@flowforge/contracts';
import { schemaMigrationLockKey, type Queryable } from '@flowforge/db';
import { BusError, errorMessageOf } from '../bus.errors';
import { consoleBusLogger, type BusLogger } from '../bus.logger';
import { BusMetrics } from '../bus.metrics';
import { completeEnvelope } from '../event-envelope';
import type {
  EventBus,
  EventHandler,
  PublishManyItem,
  PublishManyOptions,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  TopicOptions,
} from '../event-bus.port';
import { KafkaBusError } from './kafka-bus.errors';
import { assertOutboxSchema, kafkaOutboxSchemaSql, kafkaOutboxSchemaVersion, outboxChannel } from './kafka-outbox.schema';
import { KafkaGroupMember, kafkaGroupId, type KafkaRawEntry } from './kafka-group.member';
import { KafkaTopicAdmin } from './kafka-topic.admin';
import { OutboxRelay, type OutboxRelayTuning } from './outbox.relay';
import { broadcastGroupId } from '../broadcast.group';
import { retryPolicyOf } from '../retry.policy';
import { PublishCombiner } from '../publish.combiner';

export { KafkaBusError, type KafkaBusErrorCode } from './kafka-bus.errors';
export type { KafkaRawEntry } from './kafka-group.member';
export type { OutboxRelayTuning } from './outbox.relay';

/** Consumer-group timings. Defaults suit production; tests lower them (group joins are slow by default). */
export interface KafkaConsumerTuning {
  /** A member silent this long is evicted (default 30 s; the broker's floor is group.min.session.timeout.ms, 6 s by default). */
  sessionTimeoutMs?: number;
  /** How long a rebalance waits for members to rejoin (default 60 s). */
  rebalanceTimeoutMs?: number;
  /** Heartbeat period, well below a third of the session timeout (default 3 s). */
  heartbeatIntervalMs?: number;
  /** Fetch long-poll; also bounds how late an idle member notices a rebalance (default 1000 ms). */
  maxWaitTimeMs?: number;
  /** Partitions of one subscription handled concurrently, each still in order (default 4). */
  partitionsConsumedConcurrently?: number;
  /**
   * Events handled in one database transaction (default 100). A fetched batch is cut into chunks of this
   * size; each chunk writes its inbox rows and runs its handlers in one transaction, which is what makes
   * the inbox cheap. A chunk whose handler throws is rolled back and replayed one event per transaction
   * (with retries and dead-lettering), so one bad event never holds back or takes down its neighbours.
   */
  maxEventsPerTransaction?: number;
}

export interface KafkaEventBusOptions {
  brokers: string[];
  /** kafkajs client id; also the `producer` of events published without one unless `producer` is set. */
  clientId: string;
  producer?: string;
  /** The service's database: outbox, inbox and handler transactions. The caller owns and ends it... */
  pool: Pool;
  /** ...unless this is set: then close() and crash() end the pool too. */
  endPoolOnClose?: boolean;
  /** The service's own schema (e.g. 'ff_orchestrator'); `outbox` and `inbox` are created in it. */
  outboxSchema: string;
  codec: EventCodec;
  /** Partitions of topics created implicitly (default 8). */
  defaultPartitions?: number;
  /** retention.ms of topics created implicitly (default 7 days). */
  defaultRetentionMs?: number;
  /**
   * Largest encoded event accepted by publish (default 900 KiB, under the broker's default
   * message.max.bytes of 1 MiB with room for key and headers). A larger one would sit in the outbox
   * forever, refused by the broker on every relay round; large data goes to the object store instead.
   */
  maxEventBytes?: number;
  /** Replication factor of created topics (default: the broker's default.replication.factor). */
  replicationFactor?: number;
  /**
   * Prepended to Kafka group ids (e.g. an environment name), so that several deployments or test runs
   * sharing a cluster never join each other's groups. Inbox rows and DLQ headers keep the plain group.
   * Kafka group ids are `<prefix><group>.<topic>` (see kafkaGroupId in kafka-group.member.ts).
   */
  groupIdPrefix?: string;
  consumer?: KafkaConsumerTuning;
  relay?: OutboxRelayTuning;
  logger?: BusLogger;
  /** prom-client registry for the bus metrics (default: the global registry). */
  metrics?: Registry;
}

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const DAY_MS = 24 * 3600 * 1000;

/**
 * EventBus on Kafka (distributed mode; docs/architecture.md, Two ways to run). Publishing never talks to Kafka: it writes
 * the service's outbox in the caller's transaction, and the OutboxRelay produces committed rows with the
 * idempotent producer. Consumer groups, partitions and offsets are Kafka's; each event is handled in a
 * database transaction that also writes the inbox row, and the Kafka offset is committed only after
 * that transaction, so a redelivery finds the inbox row and is acknowledged without running twice.
 */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly pool: Pool;
  private readonly codec: EventCodec;
  private readonly producerName: string;
  private readonly schema: string;
  private readonly maxEventBytes: number;
  private readonly groupIdPrefix: string;
  private readonly tuning: Required<KafkaConsumerTuning>;
  private readonly endPoolOnClose: boolean;
  private readonly logger: BusLogger;
  private readonly metrics: BusMetrics;
  private readonly relay: OutboxRelay;
  private readonly topicAdmin: KafkaTopicAdmin;
  /** For a caller's transaction: the NOTIFY rides along and is delivered at its commit. */
  private readonly insertNotifySql: string;
  /** Autocommit publishes: no NOTIFY in the statement (see appendToOutbox). */
  private readonly insertSql: string;
  private notifyScheduled = false;
  /** Autocommit publishes of one topic, combined into one outbox INSERT while one is in flight. */
  private readonly combiner: PublishCombiner<{ topic: string; entry: KafkaRawEntry }>;
  private readonly subscriptions = new Set<KafkaGroupMember<EventEnvelope>>();
  private readonly checkedOut = new Set<PoolClient>();
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  private closed = false;
  private crashed = false;
  private readonly onPoolError = (err: Error): void =>
    this.logger.warn('FF_BUS_CONNECTION_LOST: an idle bus connection failed; it will be replaced', { error: err.message });

  constructor(opts: KafkaEventBusOptions) {
    this.schema = assertOutboxSchema(opts.outboxSchema);
    this.pool = opts.pool;
    this.codec = opts.codec;
    this.producerName = opts.producer ?? opts.clientId;
    this.maxEventBytes = opts.maxEventBytes ?? 900 * 1024;
    this.groupIdPrefix = opts.groupIdPrefix ?? '';
    this.endPoolOnClose = opts.endPoolOnClose ?? false;
    this.logger = opts.logger ?? consoleBusLogger;
    this.metrics = new BusMetrics(opts.metrics);
    this.tuning = {
      sessionTimeoutMs: opts.consumer?.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: opts.consumer?.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: opts.consumer?.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeMs: opts.consumer?.maxWaitTimeMs ?? 1_000,
      partitionsConsumedConcurrently: opts.consumer?.partitionsConsumedConcurrently ?? 4,
      maxEventsPerTransaction: Math.max(1, opts.consumer?.maxEventsPerTransaction ?? 100),
    };
    const logger = this.logger;
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 100, retries: 5 },
      logLevel: KafkaLogLevel.WARN,
      // kafkajs logs through the bus logger, so one configuration silences or routes both.
      logCreator: () => (entry: LogEntry) => {
        const context = { namespace: entry.namespace, ...entry.log };
        const message = `kafkajs: ${entry.log.message}`;
        // Retries are bounded on purpose (see producerClient): said once per producer, it is not a warning here.
        if (entry.log.message.startsWith('Limiting retries for the idempotent producer')) logger.info(message, context);
        else if (entry.level === KafkaLogLevel.ERROR) logger.error(message, context);
        else if (entry.level === KafkaLogLevel.WARN) logger.warn(message, context);
        else logger.info(message, context);
      },
    });
    this.topicAdmin = new KafkaTopicAdmin(
      this.kafka,
      { partitions: opts.defaultPartitions ?? 8, retentionMs: opts.defaultRetentionMs ?? 7 * DAY_MS, replicationFactor: opts.replicationFactor },
      () => this.closed,
    );
    // One statement = atomic even without a transaction. The NOTIFY rides along and is delivered at commit,
    // so the relay wakes exactly when the rows become visible; WITH ORDINALITY keeps the batch's order in ids.
    const insert = `
      INSERT INTO "${this.schema}".outbox (topic, key, headers, payload)
      SELECT $1, e.key, e.headers, e.payload
      FROM unnest($2::text[], $3::jsonb[], $4::bytea[]) WITH ORDINALITY AS e(key, headers, payload, ord)`;
    this.insertNotifySql = `${insert}
      CROSS JOIN (SELECT pg_notify('${outboxChannel(this.schema)}', '')) AS n
      ORDER BY e.ord`;
    this.insertSql = `${insert}
      ORDER BY e.ord`;
    this.combiner = new PublishCombiner<{ topic: string; entry: KafkaRawEntry }>(
      { maxEntries: 500, maxBytes: 4 * 1024 * 1024, bytesOf: (r) => r.entry.payload.length },
      async (run) => {
        const entries = run.map((r) => r.entry);
        await this.pool.query(this.insertSql, [
          run[0]!.topic,
          entries.map((e) => e.key),
          entries.map((e) => JSON.stringify(e.headers)),
          entries.map((e) => e.payload),
        ]);
      },
    );
    // Without a listener, an idle pooled client losing its server would crash the process.
    this.pool.on('error', this.onPoolError);
    this.relay = new OutboxRelay(
      {
        pool: this.pool,
        schema: this.schema,
        logger: this.logger,
        metrics: this.metrics,
        ensureTopic: (topic) => this.ensureTopic(topic),
        send: (batch) => this.send(batch),
      },
      opts.relay,
    );
  }

  /** Creates `<schema>.outbox` and `<schema>.inbox` (idempotent; safe from several processes at once), then starts the relay. */
  async migrate(): Promise<void> {
    const version = kafkaOutboxSchemaVersion();
    const current = async (db: Queryable): Promise<boolean> => {
      const { rows } = await db.query<{ version: string | null }>(`SELECT obj_description(to_regclass($1), 'pg_class') AS version`, [
        `"${this.schema}".outbox`,
      ]);
      return rows[0]?.version === version;
    };
    try {
      if (await current(this.pool)) {
        this.startRelay();
        return;
      }
    } catch (err) {
      throw new KafkaBusError('FF_BUS_KAFKA_MIGRATION', `reading ${this.schema}.outbox failed: ${errorMessageOf(err)}`);
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // The service's own migrations may be creating the same schema right now: share their lock.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schemaMigrationLockKey(this.schema)]);
      if (!(await current(client))) {
        for (const sql of kafkaOutboxSchemaSql(this.schema)) await client.query(sql);
        // A hex literal: COMMENT takes no parameters.
        await client.query(`COMMENT ON TABLE "${this.schema}".outbox IS '${version}'`);
      }
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw new KafkaBusError('FF_BUS_KAFKA_MIGRATION', `creating ${this.schema}.outbox/inbox failed: ${errorMessageOf(err)}`);
    }
    this.startRelay();
  }

  /**
   * Starts this process's outbox relay (idempotent). migrate(), publish and subscribe start it too; a
   * process that only needs to drain an outbox left by a previous run calls it at boot.
   */
  startRelay(): void {
    if (!this.closed) this.relay.start();
  }

  async ensureTopic(topic: string, opts: TopicOptions = {}): Promise<void> {
    assertTopic(topic);
    return this.topicAdmin.ensure(topic, opts);
  }

  async publish<T extends EventEnvelope>(def: EventDefinition<T>, event: EventInput<T>, opts: PublishOptions): Promise<T> {
    this.assertOpen();
    const topic = opts.topic ?? def.topic;
    assertTopic(topic);
    const full = completeEnvelope(def, event, this.producerName);
    const payload = await this.codec.encode(def, full);
    await this.appendToOutbox(topic, [{ key: opts.key, headers: withTraceparent(full, opts.headers), payload }], opts.tx);
    return full;
  }

  async publishMany<T extends EventEnvelope>(def: EventDefinition<T>, items: ReadonlyArray<PublishManyItem<T>>, opts: PublishManyOptions = {}): Promise<T[]> {
    this.assertOpen();
    const topic = opts.topic ?? def.topic;
    assertTopic(topic);
    const full = items.map((item) => completeEnvelope(def, item.event, this.producerName));
    const entries: KafkaRawEntry[] = [];
    for (let i = 0; i < items.length; i++) {
      entries.push({ key: items[i]!.key, headers: withTraceparent(full[i]!, items[i]!.headers), payload: await this.codec.encode(def, full[i]!) });
    }
    await this.appendToOutbox(topic, entries, opts.tx);
    return full;
  }

  /**
   * Writes already-encoded frames to the outbox (dead letters keep the original bytes; tools that
   * re-drive a DLQ use it too). Same transactional rules as publish.
   */
  async publishRaw(topic: string, entries: KafkaRawEntry[], tx?: Queryable): Promise<void> {
    this.assertOpen();
    assertTopic(topic);
    await this.appendToOutbox(topic, entries, tx);
  }

  async subscribe<T extends EventEnvelope>(def: EventDefinition<T>, opts: SubscribeOptions, handler: EventHandler<T>): Promise<Subscription> {
    this.assertOpen();
    const topic = opts.topic ?? def.topic;
    const retry = retryPolicyOf(opts);
    await this.ensureTopic(topic);
    // Dead letters travel through the outbox, so a consuming process needs a relay as well.
    this.startRelay();
    const broadcast = opts.broadcast === true;
    // A broadcast replica consumes in a group of its own (inbox, retry rows and DLQ headers included).
    const group = broadcast ? broadcastGroupId(opts.group) : opts.group;
    const groupId = kafkaGroupId(this.groupIdPrefix, group, topic);
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      rebalanceTimeout: this.tuning.rebalanceTimeoutMs,
      heartbeatInterval: this.tuning.heartbeatIntervalMs,
      maxWaitTimeInMs: this.tuning.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // Pauses capped at 2 s (kafkajs lets them grow to 30 s): a consumer that lost its broker for a while
      // otherwise sleeps up to that long after the broker is back before it rejoins.
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 2_000 },
    });
    const sub = new KafkaGroupMember<T>(
      {
        pool: this.pool,
        codec: this.codec,
        metrics: this.metrics,
        logger: this.logger,
        schema: this.schema,
        partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
        maxEventsPerTransaction: this.tuning.maxEventsPerTransaction,
        checkout: () => this.checkout(),
        release: (client, broken) => this.release(client, broken),
        deadLetter: (dlqTopic, entry) => this.appendToOutbox(dlqTopic, [entry]),
        heads: (t) => this.topicAdmin.heads(t),
        deleteGroup: (id) => this.topicAdmin.deleteGroup(id),
        isCrashed: () => this.crashed,
      },
      { def, topic, group, groupId, handler, retry, broadcast },
      consumer,
    );
    const erased = sub as unknown as KafkaGroupMember<EventEnvelope>;
    this.subscriptions.add(erased);
    try {
      await sub.start();
    } catch (err) {
      this.subscriptions.delete(erased);
      await sub.close().catch(() => undefined);
      throw new KafkaBusError('FF_BUS_KAFKA_SUBSCRIBE', `group "${group}" on "${topic}": ${errorMessageOf(err)}`);
    }
    return {
      close: async () => {
        await sub.close();
        this.subscriptions.delete(erased);
      },
    };
  }

  /** Graceful drain: subscriptions finish their in-flight event and leave their groups, the relay finishes its round. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    // Publishes accepted before close() still get their outcome before the pool may end.
    await this.combiner.idle();
    await this.relay.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.topicAdmin.disconnect();
    if (this.endPoolOnClose) await this.pool.end();
    else this.pool.off('error', this.onPoolError);
  }

  /**
   * TEST HOOK — simulates a process crash: handler transactions die with their connections (the server
   * rolls them back), no Kafka offset is committed for an event whose transaction did not commit, the
   * relay stops without marking anything more. Consumers are told to leave their groups in the
   * background — a real crash would wait for the session timeout instead; the outcome for the group is
   * the same, only sooner.
   */
  async crash(): Promise<void> {
    this.crashed = true;
    this.closed = true;
    this.relay.crash();
    for (const s of this.subscriptions) s.crash();
    this.subscriptions.clear();
    await Promise.all(
      [...this.checkedOut].map(async (client) => {
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }),
    );
    void this.producer?.disconnect().catch(() => undefined);
    void this.topicAdmin.disconnect();
    // Not awaited: pool.end() waits for handlers still stuck in user code to hand their clients back.
    if (this.endPoolOnClose) void this.pool.end().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new BusError('FF_BUS_CLOSED', 'the event bus was closed; create a new one to publish or subscribe');
  }

  /**
   * A transaction that sent NOTIFY holds a server-wide lock through its commit (WAL flush included), so
   * NOTIFY-per-publish serialises every publishing session of the cluster. Only a caller's transaction
   * needs the NOTIFY inside (it is delivered at that commit, whenever it comes); an autocommit publish is
   * visible when the INSERT returns, so it wakes this process's relay directly and, when the relay
   * leading this schema lives in another process, sends one NOTIFY per event-loop tick for all of them.
   */
  private async appendToOutbox(topic: string, entries: KafkaRawEntry[], tx?: Queryable): Promise<void> {
    if (entries.length === 0) return;
    for (const e of entries) {
      if (e.payload.length > this.maxEventBytes) {
        throw new KafkaBusError(
          'FF_BUS_KAFKA_EVENT_TOO_LARGE',
          `an event for "${topic}" (key "${e.key}") is ${e.payload.length} bytes encoded; the limit is ${this.maxEventBytes} (maxEventBytes): put large data in the object store and send its location`,
        );
      }
    }
    this.startRelay();
    const params = [topic, entries.map((e) => e.key), entries.map((e) => JSON.stringify(e.headers)), entries.map((e) => e.payload)];
    if (tx) {
      await tx.query(this.insertNotifySql, params);
      return;
    }
    // One publish of many rows is a batch already; single publishes are combined (libs/bus/src/publish.combiner.ts).
    if (entries.length === 1) await this.combiner.append(topic, { topic, entry: entries[0]! });
    else await this.pool.query(this.insertSql, params);
    if (this.relay.isLeader) this.relay.nudge();
    else this.scheduleNotify();
  }

  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      // Lost only if the database is unreachable, and then the relay's fallback poll finds the rows.
      this.pool.query(`SELECT pg_notify('${outboxChannel(this.schema)}', '')`).catch(() => undefined);
    });
  }

  private async send(batch: TopicMessages[]): Promise<void> {
    const producer = await this.producerClient();
    await producer.sendBatch({ topicMessages: batch, acks: -1 });
  }

  private producerClient(): Promise<Producer> {
    if (!this.producerReady) {
      // Idempotent + one request in flight: broker-side dedupe of the producer's own retries, and no
      // reordering within a partition when a request is retried. Retries are bounded (kafkajs would retry
      // forever and then warns): with the broker down, send() must fail so that the relay can back off and
      // stop() can return; the relay re-sends the same rows, and what the broker had already written is
      // either deduplicated by the producer sequence or absorbed by the consumers' inbox.
      const producer = (this.producer ??= this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }));
      const ready = producer.connect().then(() => producer);
      ready.catch(() => (this.producerReady = null));
      this.producerReady = ready;
    }
    return this.producerReady;
  }

  private async checkout(): Promise<PoolClient> {
    const client = await this.pool.connect();
    // A connection killed while checked out emits 'error' outside any query; the query path reports it.
    client.on('error', noop);
    this.checkedOut.add(client);
    return client;
  }

  private release(client: PoolClient, broken: boolean): void {
    this.checkedOut.delete(client);
    client.off('error', noop);
    client.release(broken || this.crashed ? true : undefined);
  }
}

function assertTopic(topic: string): void {
  if (!TOPIC_RE.test(topic)) {
    throw new BusError('FF_BUS_INVALID_TOPIC', `topic "${topic}" must be 1-249 characters of [A-Za-z0-9._-]`);
  }
}

/** W3C trace context travels as a Kafka header too, so tracing works without decoding the payload. */
function withTraceparent(event: EventEnvelope, headers: Record<string, string> | undefined): Record<string, string> {
  const out = { ...headers };
  if (event.traceparent && out.traceparent === undefined) out.traceparent = event.traceparent;
  return out;
}

function noop(): void {
  // intentionally empty: see checkout()
}
