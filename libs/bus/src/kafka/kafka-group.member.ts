import { performance } from 'node:perf_hooks';
import { escapeLiteral, type Pool, type PoolClient, type QueryResult } from 'pg';
import type { Consumer, EachBatchPayload, EachMessagePayload, IHeaders, KafkaMessage } from 'kafkajs';
import type { EventCodec, EventDefinition, EventEnvelope } from '@flowforge/contracts';
import { BusError, errorMessageOf, isDecodeError } from '../bus.errors';
import type { BusLogger } from '../bus.logger';
import type { BusMetrics } from '../bus.metrics';
import { deadLetterHeaders } from '../dead-letter.headers';
import { type EventContext, type EventHandler } from '../event-bus.port';
import { abortableSleep as sleep } from '../abortable-sleep';
import { retryVerdict, type RetryPolicy, type RetryState } from '../retry.policy';
import { KafkaBusError } from './kafka-bus.errors';
import { KafkaRetryStore } from './kafka-retry.store';

/** An encoded frame for the outbox (dead letters keep the original bytes). */
export interface KafkaRawEntry {
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/** Pause before restarting a consumer kafkajs left crashed: doubling from the base, capped. */
const CRASH_RESTART_BASE_MS = 500;
const CRASH_RESTART_MAX_MS = 30_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a subscription's consumer needs from its bus (kept narrow so the member does not see the whole bus). */
export interface MemberRuntime {
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

export interface MemberConfig<T extends EventEnvelope> {
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
export class KafkaGroupMember<T extends EventEnvelope> {
  private readonly abort = new AbortController();
  private closing: Promise<void> | null = null;
  private readonly insertInboxSql: string;
  /** Followed by the ids as an array literal (see handleChunk). */
  private readonly beginInsertInboxManySql: string;
  private readonly retries: KafkaRetryStore;
  /**
   * Partitions known to have no retry row of this group: their batches skip the lookup (a query per
   * fetched batch, on the consumer's path: bench/bus-kafka.bench.ts, latency). Only this member writes a
   * row while it owns the partition; another owner may have written one before, so a rebalance forgets
   * everything (generation) and so does this member's own save.
   */
  private readonly noRetryRow = new Set<number>();
  private generation = 0;
  /** Restarts after crashes kafkajs does not restart (see start); reset by the next batch handled. */
  private crashRestarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly rt: MemberRuntime,
    private readonly cfg: MemberConfig<T>,
    private readonly consumer: Consumer,
  ) {
    this.insertInboxSql = `INSERT INTO "${rt.schema}".inbox (group_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS fresh`;
    // Duplicates inside one statement are skipped like conflicts with older rows (DO NOTHING).
    this.beginInsertInboxManySql = `BEGIN; INSERT INTO "${rt.schema}".inbox (group_id, event_id) SELECT ${escapeLiteral(cfg.group)}, unnest(`;
    this.retries = new KafkaRetryStore(rt.pool, rt.schema, cfg.group, rt.logger);
  }

  async start(): Promise<void> {
    const { topic, group } = this.cfg;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.generation++;
      this.noRetryRow.clear();
    });
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (e) => {
      this.crashRestarts = 0;
      this.rt.metrics.lag.set({ topic, group, partition: String(e.payload.partition) }, Number(e.payload.offsetLag));
    });
    // A broadcast group starts at the heads as they are now: read before joining, so that whatever lands
    // from here on is delivered. (An event still in some outbox, not relayed yet, lands later: delivered.)
    const heads = this.cfg.broadcast ? await this.rt.heads(topic) : [];
    await this.consumer.connect();
    // A new group starts at the beginning, like the Postgres bus (committed offset 0): events published
    // before the first member joined are not skipped.
    await this.consumer.subscribe({ topics: [topic], fromBeginning: !this.cfg.broadcast });
    // kafkajs retries a failing batch and restarts a crashed consumer, except when the cause is one it counts
    // unrecoverable: a TypeError, RangeError, ReferenceError or SyntaxError out of the batch (a dependency's
    // bug, a frame it chokes on), or an error marked `retriable: false`. Then the subscription would stay dead
    // for good while the process looks healthy: restart it here, with a growing pause, until it closes.
    // Offsets were not committed past the failed batch, so it is fetched again and the inbox absorbs
    // whatever had committed.
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (e.payload.restart || this.halted) return;
      this.crashRestarts++;
      const inMs = Math.min(CRASH_RESTART_MAX_MS, CRASH_RESTART_BASE_MS * 2 ** Math.min(this.crashRestarts - 1, 8));
      this.rt.logger.error('FF_BUS_KAFKA_CONSUMER_CRASHED: the consumer stopped on an error kafkajs does not retry; restarting it', {
        topic,
        group,
        error: errorMessageOf(e.payload.error),
        restartInMs: inMs,
      });
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.halted) return;
        this.run().catch((err: unknown) => {
          this.rt.logger.error('FF_BUS_KAFKA_CONSUMER_RESTART: restarting the consumer failed; the next crash report retries', {
            topic,
            group,
            error: errorMessageOf(err),
          });
        });
      }, inMs);
    });
    const running = this.run();
    // run() creates the consumer group synchronously; seeks queued now are applied (and committed) by the
    // first fetch of each partition. "latest" alone would be resolved only then, after this returns.
    for (const h of heads) this.consumer.seek({ topic, partition: h.partition, offset: h.offset });
    await running;
  }

  private run(): Promise<void> {
    return this.consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.rt.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * Finishes the in-flight event (a retry backoff is cut short and left for redelivery), then leaves the
   * group; a broadcast replica then deletes its group, inbox and retry rows (nobody will resume them).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      if (this.restartTimer) clearTimeout(this.restartTimer);
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
      await this.retries.clearGroup(client);
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
    if (this.restartTimer) clearTimeout(this.restartTimer);
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

  private async loadRetry(topic: string, partition: number): Promise<RetryState | null> {
    if (this.noRetryRow.has(partition)) return null;
    const generation = this.generation;
    const restored = await this.retries.load(topic, partition);
    if (!restored && generation === this.generation) this.noRetryRow.add(partition);
    return restored;
  }

  private async saveRetry(d: Delivery, state: RetryState): Promise<void> {
    this.noRetryRow.delete(d.partition);
    await this.retries.save(d, state);
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
      // BEGIN and the inbox rows in one round trip: kafkajs fetches again only when every batch of the last
      // fetch is handled, so each round trip here delays the next events of all partitions. Several
      // statements go in one simple-protocol query, which takes no bind parameters: the group is escaped,
      // and the ids are uuids (UUID_RE above) in an array literal.
      const ids = events.map((e) => e.event.eventId.toLowerCase());
      const results = (await client.query(
        `${this.beginInsertInboxManySql}'{${ids.join(',')}}'::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id`,
      )) as unknown as [QueryResult, QueryResult<{ event_id: string }>];
      const inserted = results[1];
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
          await this.retries.clear(d);
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
        await this.retries.clearIn(client, d.topic, d.partition);
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
    const { message, headers } = deadLetterHeaders(d.headers, error, { topic, partition: d.partition, offset: d.offset, group, attempts });
    this.rt.logger.warn('FF_BUS_DEAD_LETTERED: event moved to the dead-letter topic', {
      group,
      topic,
      partition: d.partition,
      offset: d.offset,
      attempts,
      error: message,
    });
    await this.rt.deadLetter(`${topic}.dlq`, { key: d.key, headers, payload: d.payload });
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

function stopped(why: string): KafkaBusError {
  return new KafkaBusError('FF_BUS_KAFKA_STOPPED', why);
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
