import type { Pool, PoolClient } from 'pg';
import type { Message, TopicMessages } from 'kafkajs';
import { errorMessageOf } from '../bus.errors';
import type { BusLogger } from '../bus.logger';
import type { BusMetrics } from '../bus.metrics';
import { outboxChannel, RELAY_LOCK_CLASS } from './kafka-outbox.schema';

export interface OutboxRelayTuning {
  /**
   * Rows read and produced per round (default 2000: measured in bench/bus-kafka.bench.ts, 500 left the
   * relay as the bottleneck of the whole pipeline).
   */
  batchSize?: number;
  /**
   * Payload bytes per round (default 768 KiB): a round never exceeds the broker's default
   * message.max.bytes (1 MiB) in any one partition's record batch, whatever the events' sizes.
   */
  maxBatchBytes?: number;
  /** Fallback poll when no NOTIFY arrives, e.g. a notification lost with a reconnect (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often a standby relay tries to take leadership of the schema (default 2000 ms). */
  lockRetryMs?: number;
  /** Ceiling of the retry backoff while the broker or the database is unreachable (default 10 s). */
  maxBackoffMs?: number;
  /** Sent rows are kept this long for forensics, then deleted (default 1 h). */
  sentRetentionMs?: number;
  /** Inbox rows (and retry rows untouched) older than this are deleted (default 7 days; keep >= the topics' retention). */
  inboxRetentionMs?: number;
  /** Period of the housekeeping deletes (default 60 s). */
  housekeepingIntervalMs?: number;
}

/** What the relay needs from its bus (narrow on purpose: the relay never sees subscriptions). */
export interface RelayRuntime {
  pool: Pool;
  schema: string;
  logger: BusLogger;
  metrics: BusMetrics;
  /** Provisions the topic (and its DLQ) before the first produce to it. */
  ensureTopic(topic: string): Promise<void>;
  /** Produces with the idempotent producer; resolves when every message is acknowledged by all ISRs. */
  send(batch: TopicMessages[]): Promise<void>;
}

interface OutboxRow extends Record<string, unknown> {
  id: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Moves committed outbox rows to Kafka (docs/architecture.md, Two ways to run: Kafka bus). Exactly one relay per schema
 * sends at a time: leadership is a session-level advisory lock held on a dedicated connection, so a
 * relay that dies (process crash, connection loss) frees it at once and a standby takes over within
 * lockRetryMs. Rows are read in id order and marked sent only after the broker acknowledged them; a
 * crash between the two produces them again, which the consumers' inbox absorbs (at-least-once).
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly pollIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly maxBackoffMs: number;
  private readonly sentRetentionMs: number;
  private readonly inboxRetentionMs: number;
  private readonly housekeepingIntervalMs: number;
  private readonly table: string;
  private client: PoolClient | null = null;
  /**
   * The last round's UPDATE ... sent_at and its rows' ids, still running (on a pooled connection, not the
   * leader's) while the next round is read and produced; that round's reads skip those ids (see relayOnce).
   */
  private marking: { ids: string[]; done: Promise<unknown> } | null = null;
  /** The next round's rows, read while the current round was being produced (see relayOnce). */
  private prefetched: Promise<{ rows: OutboxRow[] }> | null = null;
  private leader = false;
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Set by NOTIFY (or stop); a sleep that finds it set returns at once, so no wake-up is ever lost. */
  private notified = false;
  private wake: (() => void) | null = null;
  private lastHousekeeping = 0;
  /** Set when a database query failed: the leader session may be gone, so it is replaced. */
  private dbFailed = false;
  private readonly onNotification = (): void => this.wakeUp();
  // A leader connection dying outside a query emits 'error' on the client; the next query reports it.
  private readonly onClientError = (): void => undefined;

  constructor(
    private readonly rt: RelayRuntime,
    tuning: OutboxRelayTuning = {},
  ) {
    this.batchSize = tuning.batchSize ?? 2000;
    this.maxBatchBytes = tuning.maxBatchBytes ?? 768 * 1024;
    this.pollIntervalMs = tuning.pollIntervalMs ?? 1000;
    this.lockRetryMs = tuning.lockRetryMs ?? 2000;
    this.maxBackoffMs = tuning.maxBackoffMs ?? 10_000;
    this.sentRetentionMs = tuning.sentRetentionMs ?? HOUR_MS;
    this.inboxRetentionMs = tuning.inboxRetentionMs ?? 7 * DAY_MS;
    this.housekeepingIntervalMs = tuning.housekeepingIntervalMs ?? 60_000;
    this.table = `"${rt.schema}".outbox`;
  }

  get running(): boolean {
    return this.loop !== null && !this.stopped;
  }

  /** Idempotent; the relay then runs until stop() or crash(). */
  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** True while this relay holds the schema's relay lock (its publishers can wake it without NOTIFY). */
  get isLeader(): boolean {
    return this.leader && this.client !== null && !this.stopped;
  }

  /** Rows were just committed by this process: go now, as a NOTIFY would make it. */
  nudge(): void {
    this.wakeUp();
  }

  private wakeUp(): void {
    this.notified = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Finishes the round in flight (produce + mark), then gives up leadership. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.loop;
    await this.settleMark().catch(() => undefined);
    this.dropClient();
  }

  /**
   * TEST HOOK — dies where it is: the leader connection is destroyed, no round or mark starts any more
   * (a mark already sent may still commit, as it would on the server after a real crash).
   */
  crash(): void {
    this.stopped = true;
    this.wakeUp();
    this.dropClient();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!(await this.lead())) {
          await this.sleep(this.lockRetryMs);
          continue;
        }
        const { sent, full } = await this.relayOnce();
        await this.housekeep();
        failures = 0;
        // A full batch means more is probably waiting: go again without sleeping.
        if (!full || sent === 0) await this.sleep(this.pollIntervalMs);
      } catch (err) {
        if (this.stopped) return;
        failures++;
        const retryInMs = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(failures, 10));
        // A broker outage leaves the database session (and leadership) intact: keep them, so the relay does
        // not churn leadership while Kafka is down. A failed query may have broken the session: replace it.
        if (this.dbFailed) this.dropClient();
        this.dbFailed = false;
        this.rt.logger.warn('FF_BUS_KAFKA_RELAY: relaying the outbox failed; rows stay unsent and are retried', {
          schema: this.rt.schema,
          error: errorMessageOf(err),
          retryInMs,
        });
        await this.sleep(retryInMs);
      }
    }
  }

  /** True when this relay holds the schema's relay lock (taking it if free). */
  private async lead(): Promise<boolean> {
    if (this.leader && this.client) return true;
    let client = this.client;
    if (!client) {
      client = await this.rt.pool.connect();
      client.on('error', this.onClientError);
      this.client = client;
    }
    const { rows } = await this.q<{ ok: boolean }>(client, 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [RELAY_LOCK_CLASS, this.rt.schema]);
    if (!rows[0]?.ok) {
      // A standby does not keep a pooled connection busy while it waits; the session took no lock and
      // listens to nothing, so it can go back to the pool as it is.
      this.client = null;
      client.off('error', this.onClientError);
      client.release();
      return false;
    }
    client.on('notification', this.onNotification);
    await this.q(client, `LISTEN "${outboxChannel(this.rt.schema)}"`);
    // Each sent row leaves a dead entry in outbox_unsent_idx until vacuum. A bitmap scan (what the planner
    // picks for the unsent rows) reads them all on every round, so the rounds slowed down as rows were sent
    // (bench/bus-kafka.bench.ts: latency growing round after round after its throughput phase); an index
    // scan in id order marks them dead once and skips them after. This session is the leader's alone:
    // dropClient destroys it, so the setting never reaches a pooled connection.
    await this.q(client, 'SET enable_bitmapscan = off');
    this.leader = true;
    this.rt.logger.info('FF_BUS_KAFKA_RELAY_LEADER: this process now relays the outbox', { schema: this.rt.schema });
    return true;
  }

  private async relayOnce(): Promise<{ sent: number; full: boolean }> {
    const client = this.client!;
    // Cleared before reading: a NOTIFY for a commit we do not see yet sets it again and we loop at once.
    this.notified = false;
    const prefetched = this.prefetched;
    this.prefetched = null;
    // Rows still being marked sent are not read again (their mark's failure fails a round: they are then read afresh).
    const marking = this.marking?.ids ?? [];
    const { rows } = await (prefetched ?? this.read(client, marking));
    if (rows.length === 0) {
      // Idle: the last mark is settled now; if it failed, this round fails and its rows are read again.
      await this.settleMark();
      return { sent: 0, full: false };
    }
    // Cut at the byte budget (always at least one row; publish refuses events the broker would refuse).
    let bytes = 0;
    let take = 0;
    while (take < rows.length && (take === 0 || bytes + rows[take]!.payload.length <= this.maxBatchBytes)) bytes += rows[take++]!.payload.length;
    const full = take < rows.length || rows.length === this.batchSize;
    rows.length = take;
    // More is waiting: read the next round while this one is in flight to the broker (the connection runs
    // the SELECT while we wait for the acks). It excludes this round's rows rather than starting after
    // them, so a lower id that commits late is still picked up.
    if (full) {
      const next = this.read(client, [...marking, ...rows.map((r) => r.id)]);
      next.catch(() => undefined); // awaited next round; a failure surfaces there
      this.prefetched = next;
    }
    const byTopic = new Map<string, Message[]>();
    for (const r of rows) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, (messages = []));
      messages.push({ key: r.key, value: r.payload, headers: r.headers });
    }
    for (const topic of byTopic.keys()) await this.rt.ensureTopic(topic);
    // One sendBatch with the idempotent producer (max one request in flight per broker): the messages
    // of a partition are appended in id order, so the order per key survives.
    try {
      await this.rt.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    } catch (err) {
      // The prefetched rows were read assuming this round would be marked sent: read afresh after the backoff.
      this.prefetched = null;
      throw err;
    }
    if (this.stopped && !this.client) return { sent: rows.length, full }; // crashed after produce: the rows are produced again later
    // The previous round's mark ran while this round was read and produced. Its failure means those rows
    // are produced again later (the inbox absorbs them), so it fails this round as well.
    await this.settleMark();
    // Marking (a commit: a WAL flush) is off the rounds' path: it runs on a pooled connection while the
    // next round is read and produced, so an event committed meanwhile waits for a SELECT and a produce,
    // not for this flush too (bench/bus-kafka.bench.ts, latency). Marks still run one at a time, in order.
    const ids = rows.map((r) => r.id);
    const done = this.rt.pool.query(`UPDATE ${this.table} SET sent_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
    done.catch(() => undefined); // settled by the next round or by stop()
    this.marking = { ids, done };
    for (const [topic, messages] of byTopic) this.rt.metrics.published.inc({ topic }, messages.length);
    return { sent: rows.length, full };
  }

  private async settleMark(): Promise<void> {
    const mark = this.marking;
    this.marking = null;
    await mark?.done;
  }

  private read(client: PoolClient, excluding: string[]): Promise<{ rows: OutboxRow[] }> {
    return this.q<OutboxRow>(
      client,
      // ORDER BY o.id, not id: a bare name would sort by the text alias ('10' < '9').
      `SELECT o.id::text AS id, o.topic, o.key, o.headers, o.payload FROM ${this.table} o
       WHERE o.sent_at IS NULL AND o.id <> ALL($2::bigint[]) ORDER BY o.id LIMIT $1`,
      [this.batchSize, excluding],
    );
  }

  private async housekeep(): Promise<void> {
    if (Date.now() - this.lastHousekeeping < this.housekeepingIntervalMs) return;
    this.lastHousekeeping = Date.now();
    const client = this.client!;
    await this.q(client, `DELETE FROM ${this.table} WHERE sent_at < now() - $1 * interval '1 millisecond'`, [this.sentRetentionMs]);
    await this.q(client, `DELETE FROM "${this.rt.schema}".inbox WHERE handled_at < now() - $1 * interval '1 millisecond'`, [this.inboxRetentionMs]);
    // Retry rows left by groups that are gone (a broadcast replica that crashed) or by an owner that died.
    await this.q(client, `DELETE FROM "${this.rt.schema}".consumer_retries WHERE updated_at < now() - $1 * interval '1 millisecond'`, [this.inboxRetentionMs]);
  }

  private async q<R extends Record<string, unknown>>(client: PoolClient, sql: string, params?: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await client.query<R>(sql, params);
    } catch (err) {
      this.dbFailed = true;
      throw err;
    }
  }

  /**
   * The leader connection is always destroyed, never returned to the pool: a pooled session would keep
   * the advisory lock and the LISTEN alive after this relay stopped.
   */
  private dropClient(): void {
    const client = this.client;
    this.client = null;
    this.leader = false;
    this.prefetched = null;
    this.marking = null;
    if (!client) return;
    client.off('notification', this.onNotification);
    // The no-op 'error' listener stays: the socket closing later must not crash the process.
    client.release(true);
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified || this.stopped) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
