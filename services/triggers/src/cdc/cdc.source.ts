import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Consumer, type LogEntry } from 'kafkajs';
import type { Emit, EventSource, SourceEvent, SourceHandle, TriggerSpec } from '../core/event-source';
import { CdcBatchWindow, realScheduler, type CdcBatch, type CdcWindow, type WindowScheduler } from './cdc-batch.window';
import { acceptChange, checkCondition } from './cdc-condition.policy';
import type { CdcConnection, CdcConnectionResolver } from './cdc-connection.port';
import { cdcConfigSchema, type CdcConfig, type CdcOperation } from './cdc.config';
import { cdcConnectMissing, cdcConnectorTimeout } from './cdc.errors';
import { decodeDebeziumMessage } from './debezium-envelope.parser';
import { cdcNames, changeTopic, connectorConfig, type CdcDatabaseKind, type CdcNames } from './debezium-connector.factory';
import { causeOf, KafkaConnectClient } from './kafka-connect.client';
import { checkSourceDatabase, dropSlotAndPublication, slotExists } from './source-database.check';

/** Where the source writes what it does: the service's logger (pino, redacted) in the service, Nest's console logger otherwise. */
export interface CdcLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface CdcSourceOptions {
  /** Default: Nest's Logger('CdcSource'). */
  logger?: CdcLogger;
  /** FLOWFORGE_KAFKA_CONNECT_URL: Kafka Connect with the Debezium plugins. Absent → every start fails with FF_CDC_CONNECT_MISSING. */
  connectUrl?: string;
  /** FLOWFORGE_KAFKA_BROKERS: where this process reads the change topics. */
  kafkaBrokers: string[];
  /** The brokers as Connect's worker reaches them (MariaDB's schema history topic); default kafkaBrokers. */
  connectKafkaBrokers?: string[];
  resolver: CdcConnectionResolver;
  /** How long a start waits for the connector to run and hold its position (default 60 s). */
  startTimeoutMs?: number;
  /** Window timers (tests pass their own). */
  scheduler?: WindowScheduler;
  /** Delay before an emit that failed is tried again, doubled up to 30 s (default 1 s). */
  retryMs?: number;
  /** How often a consuming trigger asks Connect whether its connector failed, to log it (default 30 s). */
  healthCheckMs?: number;
}

/** A trigger's connector as Connect reports it. */
export interface CdcConnectorState {
  /** RUNNING, FAILED (the connector or its task), PAUSED, STOPPED, UNASSIGNED, RESTARTING. */
  state: string;
  /** Why it FAILED: the cause from the trace Connect keeps. */
  cause: string | null;
}

interface Running {
  stop(): Promise<void>;
}

/**
 * The `cdc` trigger type: row changes of PostgreSQL, MariaDB or MySQL tables through a Debezium connector
 * per trigger on Kafka Connect, read back from Kafka, batched per window (services/triggers/src/cdc/README.md).
 * `start` creates or updates the connector and consumes; the handle's `stop` only stops consuming (the
 * connector keeps running, changes wait in Kafka); `remove` deletes the connector, its offsets, topics,
 * consumer group and, for PostgreSQL, its replication slot and publication.
 */
export class CdcSource implements EventSource<CdcConfig> {
  readonly type = 'cdc';
  readonly configSchema = cdcConfigSchema;
  private readonly logger: CdcLogger;
  private readonly kafka: Kafka;
  private readonly connect: KafkaConnectClient | null;
  private readonly running = new Map<string, Running>();

  constructor(private readonly options: CdcSourceOptions) {
    this.logger = options.logger ?? new Logger('CdcSource');
    this.kafka = new Kafka({
      clientId: 'flowforge-cdc',
      brokers: options.kafkaBrokers,
      logLevel: logLevel.ERROR,
      logCreator: () => (entry: LogEntry) => this.logger.warn(`kafka: ${entry.log.message}`),
    });
    this.connect = options.connectUrl ? new KafkaConnectClient(options.connectUrl) : null;
  }

  match(config: CdcConfig, event: SourceEvent): { matched: boolean; reason: string } {
    const p = event.payload;
    if (typeof p.table === 'string' && !config.tables.includes(p.table))
      return { matched: false, reason: `table ${p.table} is not one of ${config.tables.join(', ')}` };
    if (!Array.isArray(p.changes)) return { matched: true, reason: 'no changes listed to check' };
    const reasons: string[] = [];
    for (const c of p.changes as { operation?: unknown; before?: unknown; after?: unknown }[]) {
      const operation = c?.operation as CdcOperation;
      if (!config.operations.includes(operation)) {
        reasons.push(`operation is ${String(operation)}, wanted ${config.operations.join('|')}`);
        continue;
      }
      const change = { operation, before: (c.before ?? null) as Record<string, unknown> | null, after: (c.after ?? null) as Record<string, unknown> | null };
      const r = config.condition ? checkCondition(config.condition, change) : { matched: true, reason: operation };
      if (r.matched) return { matched: true, reason: r.reason };
      reasons.push(r.reason);
    }
    return reasons.length ? { matched: false, reason: reasons[0]! } : { matched: true, reason: 'no changes listed to check' };
  }

  async start(trigger: TriggerSpec<CdcConfig>, emit: Emit): Promise<SourceHandle> {
    const connect = this.requireConnect();
    const config = trigger.config;
    const names = cdcNames(trigger.id);
    const conn = await this.options.resolver.resolve(config.connection, trigger.id);
    const kind = await checkSourceDatabase(conn, config);
    await this.ensureConnector(connect, kind, names, config, conn);
    const topics = config.tables.map((t) => changeTopic(names, t));
    // Made before subscribing: a subscription only covers topics that exist, and Debezium makes a table's
    // topic on its first change.
    await this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    });
    const consumer = await this.consume(trigger, names, topics, emit);
    this.logger.log(
      `FF_CDC: trigger ${trigger.id} consumes ${kind} ${conn.host}:${conn.port} ${config.tables.join(', ')} through connector ${names.connector}`,
    );
    const handle = { stop: () => consumer.stop() };
    this.running.set(trigger.id, handle);
    return {
      stop: async () => {
        if (this.running.get(trigger.id) === handle) this.running.delete(trigger.id);
        await handle.stop();
      },
    };
  }

  /**
   * Deletes everything the trigger's CDC made: its consumer (when running), the connector with its
   * offsets, its topics and consumer group, and for PostgreSQL the replication slot and publication.
   * For a trigger deleted for good (a disabled trigger is only stopped). Idempotent.
   */
  async remove(trigger: TriggerSpec<CdcConfig>): Promise<void> {
    const connect = this.requireConnect();
    const names = cdcNames(trigger.id);
    const running = this.running.get(trigger.id);
    if (running) {
      this.running.delete(trigger.id);
      await running.stop();
    }
    // The connector first: it needs no connection, and a connection deleted from the catalog before its
    // trigger must not keep the connector (and its slot) alive.
    await this.dropConnector(connect, names);
    let conn: CdcConnection | null = null;
    try {
      conn = await this.options.resolver.resolve(trigger.config.connection, trigger.id);
    } catch (e) {
      this.logger.warn(
        `FF_CDC_SLOT_LEFT: trigger ${trigger.id}: connection "${trigger.config.connection}" cannot be resolved (${(e as Error).message}); ` +
          `if it was PostgreSQL, drop replication slot ${names.slot} and publication ${names.publication} on that server by hand`,
      );
    }
    if (conn?.type === 'postgres') await dropSlotAndPublication(conn, names);
    await this.withAdmin(async (admin) => {
      const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${names.topicPrefix}.`) || t === names.topicPrefix || t === names.heartbeatTopic);
      if (ours.length) await admin.deleteTopics({ topics: ours });
      await admin.deleteGroups([names.consumerGroup]).catch(() => undefined);
    });
    this.logger.log(
      `FF_CDC: trigger ${trigger.id}: connector ${names.connector}, its offsets and topics${conn?.type === 'postgres' ? `, slot ${names.slot}` : ''} removed`,
    );
  }

  /** The connector with its Connect offsets and its schema history topic. */
  private async dropConnector(connect: KafkaConnectClient, names: CdcNames): Promise<void> {
    await connect.remove(names.connector, this.options.startTimeoutMs ?? 60_000);
    await this.withAdmin(async (admin) => {
      if (!(await admin.listTopics()).includes(names.schemaHistoryTopic)) return;
      await admin.deleteTopics({ topics: [names.schemaHistoryTopic] });
      // Gone before a new connector of the same name writes (and the start waits for) a new history.
      for (let i = 0; i < 50 && (await admin.listTopics()).includes(names.schemaHistoryTopic); i++) await new Promise((r) => setTimeout(r, 200));
    });
  }

  /** The trigger's connector as Connect reports it; null when it has none (never started, or removed). */
  async connectorState(trigger: Pick<TriggerSpec<CdcConfig>, 'id'>): Promise<CdcConnectorState | null> {
    const s = await this.requireConnect().status(cdcNames(trigger.id).connector);
    if (!s) return null;
    const failed = s.connector.state === 'FAILED' ? s.connector : s.tasks.find((t) => t.state === 'FAILED');
    if (failed) return { state: 'FAILED', cause: causeOf(failed.trace) };
    const task = s.tasks.find((t) => t.state !== 'RUNNING');
    return { state: s.connector.state === 'RUNNING' && task ? task.state : s.connector.state, cause: null };
  }

  private requireConnect(): KafkaConnectClient {
    if (!this.connect) throw cdcConnectMissing();
    return this.connect;
  }

  private async ensureConnector(connect: KafkaConnectClient, kind: CdcDatabaseKind, names: CdcNames, config: CdcConfig, conn: CdcConnection): Promise<void> {
    const secrets = conn.password ? [conn.password] : [];
    const cc = connectorConfig(kind, names, config, conn, this.options.connectKafkaBrokers ?? this.options.kafkaBrokers);
    await connect.validate(cc, secrets);
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const existing = kind === 'postgres' ? null : await connect.config(names.connector);
    if (existing && (existing['table.include.list'] !== cc['table.include.list'] || existing['database.include.list'] !== cc['database.include.list'])) {
      // The binlog connectors know the schema only of the tables their history recorded: other tables
      // need a new connector (capture starts again at the current binlog position).
      await this.dropConnector(connect, names);
    }
    await connect.apply(names.connector, cc, timeoutMs, secrets);
    const what = `capturing ${config.tables.join(', ')} from ${kind} ${conn.host}:${conn.port}${kind === 'postgres' ? `/${conn.database ?? 'postgres'}` : ''}`;
    await connect.waitRunning(names.connector, timeoutMs, secrets).catch((e: Error) => {
      e.message = `${e.message} (${what})`;
      throw e;
    });
    // RUNNING is not yet "reading": wait until the connector holds its position, so a change committed
    // after start() resolved is never missed (PostgreSQL: the slot exists; MariaDB: the schema snapshot,
    // taken after the binlog position, is in the history topic).
    for (;;) {
      const ready =
        kind === 'postgres'
          ? await slotExists(conn, names)
          : await this.withAdmin(async (admin) => {
              const offsets = await admin.fetchTopicOffsets(names.schemaHistoryTopic).catch(() => []);
              return offsets.some((o) => BigInt(o.high) > 0n);
            });
      if (ready) return;
      await connect.waitRunning(names.connector, 1, secrets).catch((e: Error) => {
        if (!(e as { code?: string }).code?.endsWith('TIMEOUT')) throw e;
      });
      if (Date.now() >= deadline) throw cdcConnectorTimeout(`CDC connector ${names.connector} runs but holds no position after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  private async consume(trigger: TriggerSpec<CdcConfig>, names: CdcNames, topics: string[], emit: Emit): Promise<Running> {
    const config = trigger.config;
    const consumer: Consumer = this.kafka.consumer({ groupId: names.consumerGroup, allowAutoTopicCreation: false });
    let stopping = false;
    let wake: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (wake = r));
    let queue: Promise<void> = Promise.resolve();
    let queued = 0;
    const retryMs = this.options.retryMs ?? 1_000;

    const emitOnce = async (batch: CdcBatch): Promise<boolean> => {
      for (let delay = retryMs; ; delay = Math.min(delay * 2, 30_000)) {
        if (stopping) return false;
        try {
          const outcome = await emit({ payload: batch.payload, dedupKey: batch.dedupKey, meta: batch.meta });
          this.logger.debug(`trigger ${trigger.id}: ${batch.payload.count} change(s) of ${batch.payload.table}: ${outcome.reason}`);
          return true;
        } catch (e) {
          this.logger.warn(
            `FF_CDC_EMIT_FAILED: trigger ${trigger.id}, ${batch.payload.count} change(s) of ${batch.payload.table}: ${(e as Error).message}; again in ${delay} ms`,
          );
          let t: NodeJS.Timeout | undefined;
          await Promise.race([new Promise((r) => (t = setTimeout(r, delay))), stopped]);
          clearTimeout(t);
        }
      }
    };
    const flush = async (w: CdcWindow): Promise<void> => {
      for (const batch of w.batches) if (!(await emitOnce(batch))) return;
      if (stopping) return;
      // Offsets only after every emit of the window resolved: a crash before this line reads the window again.
      await consumer.commitOffsets(w.commits);
    };
    const window = new CdcBatchWindow(
      config,
      (w) => {
        if (stopping) return;
        queued++;
        queue = queue
          .then(() => flush(w))
          .catch((e: Error) => this.logger.error(`FF_CDC_COMMIT_FAILED: trigger ${trigger.id}: ${e.message}`))
          .finally(() => queued--);
      },
      this.options.scheduler ?? realScheduler,
    );

    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
    } catch (e) {
      await consumer.disconnect();
      throw e;
    }
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (stopping) return;
        // Back-pressure: while emits fail or lag, stop reading instead of queueing windows without bound.
        while (queued >= 2 && !stopping) await queue;
        if (stopping) return;
        const decoded = decodeDebeziumMessage(message.key, message.value);
        const change = 'change' in decoded && acceptChange(config, decoded.change).matched ? decoded.change : null;
        window.add(change, { topic, partition, offset: message.offset });
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([joined, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
    clearTimeout(timer);
    // A connector that fails later (the database gone, a slot dropped by hand) captures nothing more:
    // say so once per cause rather than stay silent.
    let reported: string | null = null;
    const health = setInterval(() => {
      this.connectorState(trigger)
        .then((st) => {
          const cause = st?.state === 'FAILED' ? st.cause : null;
          if (cause && cause !== reported) {
            this.logger.error(
              `FF_CDC_CONNECTOR_FAILED: trigger ${trigger.id}: connector ${names.connector} failed: ${cause}; no changes are captured until the trigger is started again`,
            );
          }
          reported = cause;
        })
        .catch(() => undefined);
    }, this.options.healthCheckMs ?? 30_000);
    health.unref();
    return {
      stop: async () => {
        if (stopping) return;
        stopping = true;
        clearInterval(health);
        wake();
        window.discard();
        await queue;
        await consumer.disconnect();
        window.discard();
      },
    };
  }
}
