import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type EachMessagePayload,
  type KafkaMessage,
  type IHeaders,
  type LogEntry,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import type { EventCodec, EventDefinition, EventEnvelope, EventInput } from '@flowforge/contracts';
import { schemaMigrationLockKey, type Queryable } from '@flowforge/db';
import { BusError, errorCodeOf, errorMessageOf, isDecodeError, storableErrorText } from '../bus.errors';
import { consoleBusLogger, type BusLogger } from '../bus.logger';
import { BusMetrics } from '../bus.metrics';
import { completeEnvelope } from '../event-envelope';
import {
  DeadLetterHeaders,
  type EventBus,
  type EventContext,
  type EventHandler,
  type PublishManyItem,
  type PublishManyOptions,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
  type TopicOptions,
} from '../event-bus.port';
import { KafkaBusError } from './kafka-bus.errors';
import { assertOutboxSchema, kafkaOutboxSchemaSql, kafkaOutboxSchemaVersion, outboxChannel } from './kafka-outbox.schema';
import { OutboxRelay, type OutboxRelayTuning } from './outbox.relay';
import { abortableSleep as sleep } from '../abortable-sleep';
import { broadcastGroupId } from '../broadcast.group';
import { restoredError, retryPolicyOf, retryVerdict, type RetryPolicy, type RetryState } from '../retry.policy';

/** Topic creation attempts (about 10 s in all) before a start gives up. */
const TOPIC_CREATE_ATTEMPTS = 8;

export { KafkaBusError, type KafkaBusErrorCode } from './kafka-bus.errors';
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
   * Kafka group ids are `<prefix><group>.<topic>` (see kafkaGroupId).
   */
  groupIdPrefix?: string;
  consumer?: KafkaConsumerTuning;
  relay?: OutboxRelayTuning;
  logger?: BusLogger;
  /** prom-client registry for the bus metrics (default: the global registry). */
  metrics?: Registry;
}

/** An encoded frame for the outbox (dead letters keep the original bytes). */
export interface KafkaRawEntry {
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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
  private readonly defaultPartitions: number;
  private readonly defaultRetentionMs: number;
  private readonly replicationFactor: number | undefined;
  private readonly maxEventBytes: number;
  private readonly groupIdPrefix: string;
  private readonly tuning: Required<KafkaConsumerTuning>;
  private readonly endPoolOnClose: boolean;
  private readonly logger: BusLogger;
  private readonly metrics: BusMetrics;
  private readonly relay: OutboxRelay;
  /** For a caller's transaction: the NOTIFY rides along and is delivered at its commit. */
  private readonly insertNotifySql: string;
  /** Autocommit publishes: no NOTIFY in the statement (see appendToOutbox). */
  private readonly insertSql: string;
  private notifyScheduled = false;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription<EventEnvelope>>();
  private readonly checkedOut = new Set<PoolClient>();
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  private admin: Admin | null = null;
  private adminReady: Promise<Admin> | null = null;
  private closed = false;
  private crashed = false;
  private readonly onPoolError = (err: Error): void =>
    this.logger.warn('FF_BUS_CONNECTION_LOST: an idle bus connection failed; it will be replaced', { error: err.message });

  constructor(opts: KafkaEventBusOptions) {
    this.schema = assertOutboxSchema(opts.outboxSchema);
    this.pool = opts.pool;
    this.codec = opts.codec;
    this.producerName = opts.producer ?? opts.clientId;
    this.defaultPartitions = opts.defaultPartitions ?? 8;
    this.defaultRetentionMs = opts.defaultRetentionMs ?? 7 * DAY_MS;
    this.replicationFactor = opts.replicationFactor;
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
    let known = this.topics.get(topic);
    if (!known) {
      known = this.createTopics(topic, opts);
      this.topics.set(topic, known);
      known.catch(() => this.topics.delete(topic));
    }
    return known;
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

  async publishMany<T extends EventEnvelope>(
    def: EventDefinition<T>,
    items: ReadonlyArray<PublishManyItem<T>>,
    opts: PublishManyOptions = {},
  ): Promise<T[]> {
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

  async subscribe<T extends EventEnvelope>(
    def: EventDefinition<T>,
    opts: SubscribeOptions,
    handler: EventHandler<T>,
  ): Promise<Subscription> {
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
      retry: { initialRetryTime: 100, retries: 8 },
    });
    const sub = new KafkaSubscription<T>(
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
        heads: (t) => this.heads(t),
        deleteGroup: (id) => this.deleteGroup(id),
        isCrashed: () => this.crashed,
      },
      { def, topic, group, groupId, handler, retry, broadcast },
      consumer,
    );
    const erased = sub as unknown as KafkaSubscription<EventEnvelope>;
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
    await this.relay.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
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
    void this.admin?.disconnect().catch(() => undefined);
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
    await this.pool.query(this.insertSql, params);
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

  private async createTopics(topic: string, opts: TopicOptions): Promise<void> {
    const config = (name: string): { topic: string; numPartitions: number; replicationFactor?: number; configEntries: { name: string; value: string }[] } => ({
      topic: name,
      numPartitions: opts.partitions ?? this.defaultPartitions,
      ...(this.replicationFactor === undefined ? {} : { replicationFactor: this.replicationFactor }),
      configEntries: [{ name: 'retention.ms', value: String(opts.retentionMs ?? this.defaultRetentionMs) }],
    });
    // The DLQ is provisioned with its topic, so dead-lettering never waits on topic creation.
    const names = topic.endsWith('.dlq') ? [topic] : [topic, `${topic}.dlq`];
    // Several processes start at once and ensure the same topics: while another's creation is still
    // propagating, the broker answers UNKNOWN_TOPIC_OR_PARTITION ("does not host this topic-partition")
    // to the leader wait. That, and any error kafkajs marks retriable, is retried (listing again first).
    for (let attempt = 1; ; attempt++) {
      try {
        const admin = await this.adminClient();
        // Only the missing ones: kafkajs logs TOPIC_ALREADY_EXISTS at error level, and every process of every
        // service ensures the same topics at start. A creation racing ours still resolves (false), quietly enough.
        const existing = new Set(await admin.listTopics());
        const missing = names.filter((n) => !existing.has(n));
        // Existing topics are never altered (partition count, retention): that is an operator's decision.
        if (missing.length > 0) await admin.createTopics({ topics: missing.map(config), waitForLeaders: true });
        // Listed is not ready: a topic another process has just created may have no partition leader yet,
        // and a consumer subscribing then fails. Return once every partition has one.
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
        if (leaderless.length > 0) throw Object.assign(new Error(`no partition leader yet for ${leaderless.join(', ')}`), { retriable: true });
        return;
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable !== false;
        if (!retriable || attempt >= TOPIC_CREATE_ATTEMPTS || this.closed) {
          throw new KafkaBusError('FF_BUS_KAFKA_TOPIC', `creating ${names.join(', ')} failed: ${errorMessageOf(err)}`);
        }
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 2_000)));
      }
    }
  }

  /**
   * The high watermark of every partition of a topic: where a broadcast subscriber starts. Right after
   * the topic was created this client's metadata may still name no leader or an old one
   * (NOT_LEADER_FOR_PARTITION): errors kafkajs marks retriable are retried on refreshed metadata.
   */
  private async heads(topic: string): Promise<{ partition: number; offset: string }[]> {
    for (let attempt = 1; ; attempt++) {
      const admin = await this.adminClient();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true || attempt >= TOPIC_CREATE_ATTEMPTS || this.closed) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 2_000)));
        await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      }
    }
  }

  /**
   * Deletes a consumer group that has just been left (a broadcast replica closing). The coordinator may
   * still count the member for a moment after its LeaveGroup (GROUP_NOT_EMPTY): retried a few times.
   */
  private async deleteGroup(groupId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const admin = await this.adminClient();
        await admin.deleteGroups([groupId]);
        return;
      } catch (err) {
        // Gone already (deleted by a previous try whose answer was lost): the goal is reached.
        if (groupErrorType(err) === 'GROUP_ID_NOT_FOUND') return;
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (attempt - 1), 1_000)));
      }
    }
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

  private adminClient(): Promise<Admin> {
    if (!this.adminReady) {
      const admin = (this.admin ??= this.kafka.admin());
      const ready = admin.connect().then(() => admin);
      ready.catch(() => (this.adminReady = null));
      this.adminReady = ready;
    }
    return this.adminReady;
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

interface SubscriptionRuntime {
  /** Retry rows (autocommit statements outside the handler transactions). */
  pool: Pool;
  codec: EventCodec;
  metrics: BusMetrics;
  logger: BusLogger;
  schema: string;
  partitionsConsumedConcurrently: number;
  maxEventsPerTransaction: number;
  checkout(): Promise<PoolClient>;
  release(client: PoolClient, broken: boolean): void;
  deadLetter(dlqTopic: string, entry: KafkaRawEntry): Promise<void>;
  heads(topic: string): Promise<{ partition: number; offset: string }[]>;
  deleteGroup(groupId: string): Promise<void>;
  isCrashed(): boolean;
}

interface SubscriptionConfig<T extends EventEnvelope> {
  def: EventDefinition<T>;
  topic: string;
  /** The group of inbox rows, retry rows and DLQ headers (a broadcast replica's own, suffix included). */
  group: string;
  /** The Kafka consumer group id (kafkaGroupId of the above). */
  groupId: string;
  handler: EventHandler<T>;
  retry: RetryPolicy;
  /** Starts at the high watermarks, and deletes its Kafka group and rows on close. */
  broadcast: boolean;
}

interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

type Attempt = { kind: 'handled' } | { kind: 'duplicate' } | { kind: 'failed'; error: unknown };

/** Fast-path result; `index` is the chunk position of the event that needs the slow path. */
type ChunkOutcome = { kind: 'committed' } | { kind: 'fallback'; index: number; failure?: { error: unknown } };

/**
 * One subscription = one kafkajs consumer in the subscription's group. Offsets are resolved by hand
 * (eachBatchAutoResolve off) and only after the transaction holding the events' inbox rows committed;
 * kafkajs auto-commits resolved offsets after each batch (and on graceful stop). The fast path handles a
 * chunk of a fetched batch in one transaction; the slow path (a handler threw, or a frame cannot be
 * decoded) handles one event per transaction with retries and dead-lettering. Throwing out of eachBatch
 * leaves the unresolved rest for redelivery: kafkajs retries it (transient errors) or the next owner of
 * the partition does (crash, close during backoff, rebalance).
 */
class KafkaSubscription<T extends EventEnvelope> {
  private readonly abort = new AbortController();
  private closing: Promise<void> | null = null;
  private readonly insertInboxSql: string;
  private readonly insertInboxManySql: string;
  private readonly retries: string;

  constructor(
    private readonly rt: SubscriptionRuntime,
    private readonly cfg: SubscriptionConfig<T>,
    private readonly consumer: Consumer,
  ) {
    this.insertInboxSql = `INSERT INTO "${rt.schema}".inbox (group_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS fresh`;
    // Duplicates inside one statement are skipped like conflicts with older rows (DO NOTHING).
    this.insertInboxManySql = `INSERT INTO "${rt.schema}".inbox (group_id, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id`;
    this.retries = `"${rt.schema}".consumer_retries`;
  }

  async start(): Promise<void> {
    const { topic, group } = this.cfg;
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (e) => {
      this.rt.metrics.lag.set({ topic, group, partition: String(e.payload.partition) }, Number(e.payload.offsetLag));
    });
    // A broadcast group starts at the heads as they are now: read before joining, so that whatever lands
    // from here on is delivered. (An event still in some outbox, not relayed yet, lands later: delivered.)
    const heads = this.cfg.broadcast ? await this.rt.heads(topic) : [];
    await this.consumer.connect();
    // A new group starts at the beginning, like the Postgres bus (committed offset 0): events published
    // before the first member joined are not skipped.
    await this.consumer.subscribe({ topics: [topic], fromBeginning: !this.cfg.broadcast });
    const running = this.consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.rt.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    // run() creates the consumer group synchronously; seeks queued now are applied (and committed) by the
    // first fetch of each partition. "latest" alone would be resolved only then, after this returns.
    for (const h of heads) this.consumer.seek({ topic, partition: h.partition, offset: h.offset });
    await running;
  }

  /**
   * Finishes the in-flight event (a retry backoff is cut short and left for redelivery), then leaves the
   * group; a broadcast replica then deletes its group, inbox and retry rows (nobody will resume them).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      await this.consumer.disconnect();
      if (this.cfg.broadcast && !this.rt.isCrashed()) await this.forget();
    })();
    return this.closing;
  }

  /**
   * A broadcast group that cannot be deleted now is harmless: it holds no partitions, and the broker
   * drops it once its committed offsets expire (offsets.retention.minutes after it became empty, 7 days
   * by default); its inbox and retry rows go with the relay's housekeeping.
   */
  private async forget(): Promise<void> {
    const { group, groupId, topic } = this.cfg;
    try {
      await this.rt.deleteGroup(groupId);
    } catch (err) {
      this.rt.logger.warn('FF_BUS_KAFKA_GROUP_DELETE: could not delete a closed broadcast group; the broker expires it with its offsets', {
        group: groupId,
        topic,
        error: errorMessageOf(err),
      });
    }
    const client = await this.rt.checkout();
    let broken = false;
    try {
      await client.query(`DELETE FROM "${this.rt.schema}".inbox WHERE group_id = $1`, [group]);
      await client.query(`DELETE FROM ${this.retries} WHERE group_id = $1`, [group]);
    } catch (err) {
      broken = true;
      this.rt.logger.warn('FF_BUS_RELEASE: could not delete the rows of a closed broadcast group; housekeeping will', {
        group,
        topic,
        error: errorMessageOf(err),
      });
    } finally {
      this.rt.release(client, broken);
    }
  }

  /** See KafkaEventBus.crash(). */
  crash(): void {
    this.abort.abort();
    this.closing ??= this.consumer.disconnect().catch(() => undefined);
  }

  private get halted(): boolean {
    return this.abort.signal.aborted || this.rt.isCrashed();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    const size = this.rt.maxEventsPerTransaction;
    // The event that made the last chunk fall back, and why: it goes straight to the slow path, where the
    // fast path's failed handler run counts as its first attempt — or, when an earlier run of this
    // process or another owner recorded it failing, where that count left off.
    type Slow = { index: number; failure?: { error: unknown }; restored?: RetryState };
    const restored = messages.length > 0 ? await this.loadRetry(topic, partition) : null;
    const restoredIndex = restored ? messages.findIndex((m) => m.offset === restored.offset) : -1;
    // The recorded event waits for the slow path even when another one falls back before it.
    const recorded: Slow | null = restored && restoredIndex >= 0 ? { index: restoredIndex, restored } : null;
    let slow: Slow | null = recorded;
    let i = 0;
    while (i < messages.length) {
      if (this.rt.isCrashed()) throw stopped('the bus crashed');
      // A rebalance took the partition (stale) or the consumer is stopping: the rest goes to the next owner.
      if (!isRunning() || isStale() || this.halted) return;
      if (slow?.index === i) {
        const message = messages[i]!;
        await this.onMessage({ topic, partition, message, heartbeat }, slow.failure, slow.restored);
        resolveOffset(message.offset);
        i += 1;
        slow = recorded && recorded.index >= i ? recorded : null;
      } else {
        // A chunk never reaches past the event waiting for the slow path.
        const chunk = messages.slice(i, Math.min(i + size, slow?.index ?? messages.length));
        const outcome = await this.handleChunk(topic, partition, chunk);
        if (outcome.kind === 'committed') {
          resolveOffset(chunk[chunk.length - 1]!.offset);
          i += chunk.length;
        } else {
          // Nothing committed. The events before the offending one go again as a shorter chunk.
          slow = { index: i + outcome.index, ...(outcome.failure ? { failure: outcome.failure } : {}) };
        }
      }
      await heartbeat();
    }
  }

  /**
   * Fast path: the chunk's inbox rows and handlers in one transaction. Returns false — with nothing
   * committed — when the slow path must take over: a frame that does not decode or has no valid
   * eventId (it is dead-lettered there, in order), or a handler that threw (retried there one by one).
   */
  private async handleChunk(topic: string, partition: number, chunk: KafkaMessage[]): Promise<ChunkOutcome> {
    const events: { event: T; message: KafkaMessage }[] = [];
    for (const [index, message] of chunk.entries()) {
      let event: T;
      try {
        event = await this.rt.codec.decode(this.cfg.def, message.value ?? Buffer.alloc(0));
      } catch (err) {
        // Anything but a decode error (registry unreachable...) is transient: thrown, kafkajs redelivers.
        if (!isDecodeError(err)) throw err;
        return { kind: 'fallback', index };
      }
      if (typeof event.eventId !== 'string' || !UUID_RE.test(event.eventId)) return { kind: 'fallback', index };
      events.push({ event, message });
    }
    const { group, handler } = this.cfg;
    const client = await this.rt.checkout();
    let broken = false;
    // Index of the event whose handler is running; -1 outside handlers.
    let failedAt = -1;
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ event_id: string }>(this.insertInboxManySql, [
        group,
        events.map((e) => e.event.eventId.toLowerCase()),
      ]);
      const fresh = new Set(inserted.rows.map((r) => r.event_id));
      for (const [index, { event, message }] of events.entries()) {
        failedAt = index;
        // Set.delete: an event repeated inside the chunk (a relay re-send) runs once, like across chunks.
        if (!fresh.delete(event.eventId.toLowerCase())) continue;
        const started = performance.now();
        try {
          await handler(event, {
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? '',
            headers: stringHeaders(message.headers),
            attempt: 1,
            tx: client,
          });
        } finally {
          this.rt.metrics.handlerDuration.observe({ topic, group }, (performance.now() - started) / 1000);
        }
        if (this.rt.isCrashed()) throw stopped('the bus crashed during the handler');
      }
      failedAt = -1;
      await client.query('COMMIT');
      this.rt.metrics.consumed.inc({ topic, group }, events.length);
      return { kind: 'committed' };
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (this.rt.isCrashed()) throw stopped('the bus crashed during the handler');
      // A database failure (not a handler's) sends the chunk the slow way from its start, with nothing counted.
      return failedAt >= 0 ? { kind: 'fallback', index: failedAt, failure: { error } } : { kind: 'fallback', index: 0 };
    } finally {
      this.rt.release(client, broken);
    }
  }

  /**
   * Slow path: one event per transaction. `failure` = its first attempt already ran (in a fast-path chunk)
   * and threw this; `restored` = where its retries stood, as recorded by an earlier owner.
   */
  private async onMessage(
    { topic, partition, message, heartbeat }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>,
    failure?: { error: unknown },
    restored?: RetryState,
  ): Promise<void> {
    if (this.rt.isCrashed()) throw stopped('the bus crashed');
    const d: Delivery = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? '',
      headers: stringHeaders(message.headers),
      payload: message.value ?? Buffer.alloc(0),
    };
    let event: T;
    try {
      event = await this.rt.codec.decode(this.cfg.def, d.payload);
    } catch (err) {
      // Anything but a decode error (registry unreachable...) is transient: thrown, kafkajs redelivers.
      if (!isDecodeError(err)) throw err;
      return this.deadLetter(d, err, 0);
    }
    if (typeof event.eventId !== 'string' || !UUID_RE.test(event.eventId)) {
      return this.deadLetter(d, new BusError('FF_BUS_INVALID_EVENT_ID', `eventId ${JSON.stringify(event.eventId)} is not a uuid`), 0);
    }
    const { group } = this.cfg;
    let state: RetryState | null = restored ?? null;
    if (failure) state = await this.failed(d, state, 1, failure.error);
    for (;;) {
      if (state) {
        const verdict = retryVerdict(this.cfg.retry, state.attempts, Date.now() - state.firstFailedAt);
        if (verdict.kind === 'dead') {
          await this.deadLetter(d, state.error, state.attempts);
          await this.clearRetry(d);
          return;
        }
        await this.backoff(verdict.delayMs, heartbeat);
        if (this.halted) throw stopped('the subscription is closing; the event is left for the next owner of the partition');
        // Recorded before it runs: an attempt that takes the process down still counts after a restart.
        state = { ...state, attempts: state.attempts + 1 };
        await this.saveRetry(d, state);
      }
      const attempt = state?.attempts ?? 1;
      const outcome: Attempt = await this.attempt(event, d, attempt, state !== null);
      if (outcome.kind !== 'failed') {
        this.rt.metrics.consumed.inc({ topic, group });
        return;
      }
      state = await this.failed(d, state, attempt, outcome.error);
    }
  }

  /** Counts, logs and records a failed attempt; returns where the event now stands. */
  private async failed(d: Delivery, state: RetryState | null, attempt: number, error: unknown): Promise<RetryState> {
    const { group, topic } = this.cfg;
    this.rt.metrics.failed.inc({ topic, group });
    this.rt.logger.warn('FF_BUS_HANDLER_FAILED: handler threw; will retry', {
      group,
      topic,
      partition: d.partition,
      offset: d.offset,
      attempt,
      error: errorMessageOf(error),
    });
    const next: RetryState = { offset: d.offset, attempts: Math.max(attempt, state?.attempts ?? 0), firstFailedAt: state?.firstFailedAt ?? Date.now(), error };
    await this.saveRetry(d, next);
    return next;
  }

  /** Where the next event of a partition stands, if an earlier run recorded it failing. */
  private async loadRetry(topic: string, partition: number): Promise<RetryState | null> {
    const { rows } = await this.rt.pool.query<{ offset: string; attempts: number; error: string | null; error_code: string | null; elapsed_ms: number }>(
      `SELECT "offset"::text AS "offset", attempts, error, error_code, (extract(epoch FROM now() - first_failed_at) * 1000)::float8 AS elapsed_ms
       FROM ${this.retries} WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [this.cfg.group, topic, partition],
    );
    const r = rows[0];
    if (!r) return null;
    // The database's clock measured the time since the first failure; carried over to ours.
    return { offset: r.offset, attempts: r.attempts, firstFailedAt: Date.now() - Math.max(r.elapsed_ms, 0), error: restoredError(r.error, r.error_code) };
  }

  /** Best effort: when the database is unreachable the attempt fails anyway, and memory keeps counting. */
  private async saveRetry(d: Delivery, state: RetryState): Promise<void> {
    try {
      await this.rt.pool.query(
        `INSERT INTO ${this.retries} (group_id, topic, partition, "offset", attempts, first_failed_at, error, error_code)
         VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 millisecond', $7, $8)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", attempts = EXCLUDED.attempts,
           first_failed_at = EXCLUDED.first_failed_at, error = EXCLUDED.error, error_code = EXCLUDED.error_code, updated_at = now()`,
        [
          this.cfg.group,
          d.topic,
          d.partition,
          d.offset,
          state.attempts,
          Math.max(Date.now() - state.firstFailedAt, 0),
          storableErrorText(errorMessageOf(state.error)),
          storableErrorText(errorCodeOf(state.error)),
        ],
      );
    } catch (err) {
      this.rt.logger.warn('FF_BUS_RETRY_STATE: could not record the retry state of a failing event; counting in memory', {
        group: this.cfg.group,
        topic: d.topic,
        partition: d.partition,
        offset: d.offset,
        error: errorMessageOf(err),
      });
    }
  }

  private async clearRetry(d: Delivery): Promise<void> {
    await this.rt.pool
      .query(`DELETE FROM ${this.retries} WHERE group_id = $1 AND topic = $2 AND partition = $3 AND "offset" = $4`, [this.cfg.group, d.topic, d.partition, d.offset])
      .catch(() => undefined); // a row left behind names an offset already passed: never matched again
  }

  /** One handler run in one transaction with its inbox row; a duplicate commits the no-op and skips the handler. */
  private async attempt(event: T, d: Delivery, attempt: number, retrying: boolean): Promise<Attempt> {
    const { group, handler, topic } = this.cfg;
    const client = await this.rt.checkout();
    let broken = false;
    try {
      await client.query('BEGIN');
      const inbox = await client.query(this.insertInboxSql, [group, event.eventId.toLowerCase()]);
      // A retried event that succeeds (or turns out done) ends its retry row in the same transaction.
      if (retrying) {
        await client.query(`DELETE FROM ${this.retries} WHERE group_id = $1 AND topic = $2 AND partition = $3`, [group, d.topic, d.partition]);
      }
      if (inbox.rowCount === 0) {
        await client.query('COMMIT');
        return { kind: 'duplicate' };
      }
      const ctx: EventContext = {
        topic: d.topic,
        partition: d.partition,
        offset: d.offset,
        key: d.key,
        headers: d.headers,
        attempt,
        tx: client,
      };
      const started = performance.now();
      try {
        await handler(event, ctx);
      } finally {
        this.rt.metrics.handlerDuration.observe({ topic, group }, (performance.now() - started) / 1000);
      }
      // A crashed bus must not commit; its connection is gone anyway, this only makes the intent explicit.
      if (this.rt.isCrashed()) throw stopped('the bus crashed during the handler');
      await client.query('COMMIT');
      return { kind: 'handled' };
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (this.rt.isCrashed()) throw stopped('the bus crashed during the handler');
      return { kind: 'failed', error };
    } finally {
      this.rt.release(client, broken);
    }
  }

  /**
   * The original bytes go to `<topic>.dlq` through the outbox; the offset is resolved only after that
   * insert committed, so a crash in between dead-letters the event again rather than losing it.
   */
  private async deadLetter(d: Delivery, error: unknown, attempts: number): Promise<void> {
    const { group, topic } = this.cfg;
    const message = storableErrorText(errorMessageOf(error));
    this.rt.logger.warn('FF_BUS_DEAD_LETTERED: event moved to the dead-letter topic', {
      group,
      topic,
      partition: d.partition,
      offset: d.offset,
      attempts,
      error: message,
    });
    await this.rt.deadLetter(`${topic}.dlq`, {
      key: d.key,
      headers: {
        ...d.headers,
        [DeadLetterHeaders.error]: message,
        [DeadLetterHeaders.errorCode]: storableErrorText(errorCodeOf(error)),
        [DeadLetterHeaders.originalTopic]: topic,
        [DeadLetterHeaders.originalPartition]: String(d.partition),
        [DeadLetterHeaders.originalOffset]: d.offset,
        [DeadLetterHeaders.group]: group,
        [DeadLetterHeaders.attempts]: String(attempts),
      },
      payload: d.payload,
    });
    this.rt.metrics.deadLettered.inc({ topic, group });
  }

  /** Sleeps in heartbeat-sized slices: kafkajs only heartbeats when told to, and a long backoff must not cost the partition. */
  private async backoff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (!this.halted && Date.now() < until) {
      await sleep(Math.min(until - Date.now(), 1_000), this.abort.signal);
      if (!this.halted) await heartbeat().catch(() => undefined);
    }
  }
}

/**
 * The Kafka consumer group of one subscription. The port's group is a logical consumer (a service, a
 * feature) that may subscribe to several topics, each subscription with its own consumer; members of one
 * Kafka group subscribed to different topics make the broker assign partitions to members that never
 * read them (endless rebalances, events never consumed). So the Kafka group is per (group, topic), like
 * the Postgres bus's offsets; the inbox and the DLQ headers keep the plain group.
 */
export function kafkaGroupId(prefix: string, group: string, topic: string): string {
  return `${prefix}${group}.${topic}`;
}

/** The protocol error type (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP...) of a kafkajs DeleteGroups failure, through retry wrappers. */
function groupErrorType(err: unknown): string | undefined {
  let e = err as { groups?: { error?: { type?: unknown } }[]; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const type = e.groups?.find((g) => typeof g.error?.type === 'string')?.error?.type;
    if (typeof type === 'string') return type;
    e = e.cause as typeof e;
  }
  return undefined;
}

function stopped(why: string): KafkaBusError {
  return new KafkaBusError('FF_BUS_KAFKA_STOPPED', why);
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

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}


function noop(): void {
  // intentionally empty: see checkout()
}
