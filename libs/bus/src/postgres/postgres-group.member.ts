import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import type { EventCodec, EventDefinition, EventEnvelope } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { BusError, errorCodeOf, errorMessageOf, isDecodeError, storableErrorText } from '../bus.errors';
import type { BusLogger } from '../bus.logger';
import type { BusMetrics } from '../bus.metrics';
import { deadLetterHeaders } from '../dead-letter.headers';
import { type EventContext, type EventHandler } from '../event-bus.port';
import { partitionChannelKey, type TopicNotifier } from './topic.notifier';
import { abortableSleep as sleep } from '../abortable-sleep';
import { restoredError, retryVerdict, type RetryPolicy, type RetryState } from '../retry.policy';

/** An encoded frame ready to append to a topic. */
export interface RawEntry {
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/** What a group member needs from its bus (kept narrow so the member does not see the whole bus). */
export interface ConsumerRuntime {
  pool: Pool;
  codec: EventCodec;
  metrics: BusMetrics;
  logger: BusLogger;
  notifier: TopicNotifier;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  batchSize: number;
  /** How long a broadcast group outlives its replica's last heartbeat before runRetention() deletes it. */
  broadcastTtlMs: number;
  checkout(): Promise<PoolClient>;
  release(client: PoolClient, broken: boolean): void;
  append(topic: string, entries: RawEntry[], tx: Queryable): Promise<void>;
  isCrashed(): boolean;
}

export interface MemberConfig<T extends EventEnvelope> {
  def: EventDefinition<T>;
  topic: string;
  group: string;
  partitions: number;
  handler: EventHandler<T>;
  retry: RetryPolicy;
  /** A broadcast group: starts at the partitions' heads, heartbeats its row, is deleted on close. */
  broadcast: boolean;
}

interface Delivery<T> {
  offset: bigint;
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
  event?: T;
  /** Set when the frame cannot be handled at all (decode failure, unusable eventId). */
  poison?: Error;
}

type BatchOutcome = { kind: 'ok' } | { kind: 'lost' } | { kind: 'resync' } | { kind: 'failed'; at: number; error: unknown };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A claimed partition row, with the retry state of its next event when one is recorded. */
interface ClaimedRow {
  partition: number;
  generation: string;
  committed_offset: string;
  retry_attempts: number | null;
  retry_error: string | null;
  retry_error_code: string | null;
  retry_elapsed_ms: number | null;
}

// A new broadcast group starts at the heads: events already in the log are not its business.
const CREATE_BROADCAST_SQL = `
  WITH g AS (
    INSERT INTO ff_bus.broadcast_groups (group_id, topic, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
    ON CONFLICT (group_id, topic) DO UPDATE SET expires_at = EXCLUDED.expires_at RETURNING 1)
  INSERT INTO ff_bus.consumer_partitions (group_id, topic, partition, committed_offset)
  SELECT $1, $2, h.partition, h.next_offset FROM ff_bus.partitions h CROSS JOIN g WHERE h.topic = $2
  ON CONFLICT DO NOTHING`;

/** Deletes everything a broadcast group left: its row, offsets, members and inbox rows. */
export const DROP_BROADCAST_SQL = `
  WITH g AS (DELETE FROM ff_bus.broadcast_groups WHERE group_id = $1 AND topic = $2 RETURNING group_id, topic),
  p AS (DELETE FROM ff_bus.consumer_partitions c WHERE c.group_id = $1 AND c.topic = $2 RETURNING 1),
  m AS (DELETE FROM ff_bus.consumer_members c WHERE c.group_id = $1 AND c.topic = $2 RETURNING 1),
  i AS (DELETE FROM ff_bus.inbox i WHERE i.group_id = $1 RETURNING 1)
  SELECT (SELECT count(*) FROM g)::int AS groups, (SELECT count(*) FROM i)::int AS inbox`;

/**
 * One subscription = one member of a consumer group (Kafka's group membership, done with rows):
 * it heartbeats, takes its fair share of the topic's partitions (leases with a generation number),
 * gives back extras when others join, and runs one PartitionWorker per owned partition.
 */
export class GroupMember<T extends EventEnvelope> {
  readonly memberId = randomUUID();
  private readonly workers = new Map<number, PartitionWorker<T>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopping = false;
  private ticks = 0;

  constructor(
    private readonly rt: ConsumerRuntime,
    readonly cfg: MemberConfig<T>,
  ) {}

  async start(): Promise<void> {
    if (this.cfg.broadcast) {
      await this.rt.pool.query(CREATE_BROADCAST_SQL, [this.cfg.group, this.cfg.topic, this.rt.broadcastTtlMs]);
    } else {
      await this.rt.pool.query(
        `INSERT INTO ff_bus.consumer_partitions (group_id, topic, partition)
         SELECT $1, $2, generate_series(0, $3 - 1) ON CONFLICT DO NOTHING`,
        [this.cfg.group, this.cfg.topic, this.cfg.partitions],
      );
    }
    await this.tick();
    this.schedule();
  }

  async close(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking?.catch(() => undefined);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    if (this.rt.isCrashed()) return;
    try {
      if (this.cfg.broadcast) {
        // Nobody else will ever consume in this group: forget it now rather than at its expiry.
        await this.rt.pool.query(DROP_BROADCAST_SQL, [this.cfg.group, this.cfg.topic]);
        return;
      }
      await this.rt.pool.query(
        `UPDATE ff_bus.consumer_partitions SET owner = NULL, lease_expires_at = NULL
         WHERE group_id = $1 AND topic = $2 AND owner = $3`,
        [this.cfg.group, this.cfg.topic, this.memberId],
      );
      await this.rt.pool.query(`DELETE FROM ff_bus.consumer_members WHERE group_id = $1 AND topic = $2 AND member_id = $3`, [
        this.cfg.group,
        this.cfg.topic,
        this.memberId,
      ]);
    } catch (err) {
      // The leases expire on their own; another member resumes from the committed offsets (a broadcast
      // group expires as a whole and runRetention() deletes it).
      this.rt.logger.warn('FF_BUS_RELEASE: could not release partitions on close; they will expire', {
        group: this.cfg.group,
        topic: this.cfg.topic,
        error: errorMessageOf(err),
      });
    }
  }

  /** TEST HOOK (via PostgresEventBus.crash): stop everything, release nothing. */
  crash(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.workers.values()) void w.stop();
    this.workers.clear();
  }

  /** A worker found its lease fenced off (another member owns the partition now). */
  onLost(worker: PartitionWorker<T>): void {
    if (this.workers.get(worker.partition) === worker) this.workers.delete(worker.partition);
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((err: unknown) => {
          if (!this.stopping) {
            this.rt.logger.warn('FF_BUS_HEARTBEAT: heartbeat failed; retrying', { group: this.cfg.group, error: errorMessageOf(err) });
          }
        })
        .finally(() => {
          this.ticking = null;
          this.schedule();
        });
    }, this.rt.heartbeatMs);
  }

  /**
   * Keeps this replica's broadcast group alive. Found gone (silent past broadcastTtlMs, so swept), it
   * is recreated at the heads: the events published meanwhile are missed, which is said loudly.
   */
  private async renewBroadcast(): Promise<void> {
    const { group, topic } = this.cfg;
    const renewed = await this.rt.pool.query(
      `UPDATE ff_bus.broadcast_groups SET expires_at = now() + $3 * interval '1 millisecond' WHERE group_id = $1 AND topic = $2`,
      [group, topic, this.rt.broadcastTtlMs],
    );
    if ((renewed.rowCount ?? 0) > 0) return;
    this.rt.logger.warn(
      'FF_BUS_BROADCAST_EXPIRED: this replica was silent longer than broadcastTtlMs and its broadcast group was deleted; it resumes at the current heads, events in between are missed',
      { group, topic },
    );
    await this.rt.pool.query(CREATE_BROADCAST_SQL, [group, topic, this.rt.broadcastTtlMs]);
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const { group, topic, partitions } = this.cfg;
    const q = this.rt.pool;
    const leaseMs = this.rt.leaseMs;
    await q.query(
      `INSERT INTO ff_bus.consumer_members (group_id, topic, member_id) VALUES ($1, $2, $3)
       ON CONFLICT (group_id, topic, member_id) DO UPDATE SET heartbeat_at = now()`,
      [group, topic, this.memberId],
    );
    if (this.cfg.broadcast) await this.renewBroadcast();
    // Partitions in a batch right now are locked by it and skipped; the batch extends them on commit.
    await q.query(
      `UPDATE ff_bus.consumer_partitions p SET lease_expires_at = now() + $4 * interval '1 millisecond'
       FROM (SELECT partition FROM ff_bus.consumer_partitions
             WHERE group_id = $1 AND topic = $2 AND owner = $3 AND partition = ANY($5::int[]) FOR UPDATE SKIP LOCKED) mine
       WHERE p.group_id = $1 AND p.topic = $2 AND p.partition = mine.partition`,
      [group, topic, this.memberId, leaseMs, [...this.workers.keys()]],
    );
    const live = await q.query<{ member_id: string }>(
      `SELECT member_id FROM ff_bus.consumer_members
       WHERE group_id = $1 AND topic = $2 AND heartbeat_at > now() - $3 * interval '1 millisecond' ORDER BY member_id`,
      [group, topic, leaseMs],
    );
    const state = await q.query<{ partition: number; owner: string | null; generation: string }>(
      `SELECT partition, owner, generation::text AS generation FROM ff_bus.consumer_partitions WHERE group_id = $1 AND topic = $2`,
      [group, topic],
    );
    if (this.stopping) return;

    // Fenced off: someone else holds the partition under a newer generation.
    for (const row of state.rows) {
      const w = this.workers.get(row.partition);
      if (w && (row.owner !== this.memberId || BigInt(row.generation) !== w.generation)) {
        this.workers.delete(row.partition);
        void w.stop();
      }
    }

    // Fair share: floor(N / live) each, the first N % live members (by id) one more — like Kafka's
    // range assignor, but each member works out its own share, so no leader is needed.
    const members = live.rows.map((r) => r.member_id);
    if (!members.includes(this.memberId)) members.push(this.memberId);
    members.sort();
    const rank = members.indexOf(this.memberId);
    const share = Math.floor(partitions / members.length) + (rank < partitions % members.length ? 1 : 0);

    if (this.workers.size > share) {
      const extras = [...this.workers.keys()].sort((a, b) => b - a).slice(0, this.workers.size - share);
      for (const p of extras) {
        const w = this.workers.get(p)!;
        this.workers.delete(p);
        await w.stop();
        await q.query(
          `UPDATE ff_bus.consumer_partitions SET owner = NULL, lease_expires_at = NULL
           WHERE group_id = $1 AND topic = $2 AND partition = $3 AND owner = $4 AND generation = $5`,
          [group, topic, p, this.memberId, w.generation.toString()],
        );
      }
    } else if (this.workers.size < share) {
      const claimed = await q.query<ClaimedRow>(
        `WITH free AS (
           SELECT partition FROM ff_bus.consumer_partitions
           WHERE group_id = $1 AND topic = $2 AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())
           ORDER BY partition LIMIT $4 FOR UPDATE SKIP LOCKED)
         UPDATE ff_bus.consumer_partitions p
         SET owner = $3, generation = p.generation + 1, lease_expires_at = now() + $5 * interval '1 millisecond'
         FROM free WHERE p.group_id = $1 AND p.topic = $2 AND p.partition = free.partition
         RETURNING p.partition, p.generation::text AS generation, p.committed_offset::text AS committed_offset,
           CASE WHEN p.retry_offset = p.committed_offset THEN p.retry_attempts END AS retry_attempts,
           p.retry_error, p.retry_error_code,
           (extract(epoch FROM now() - p.retry_first_at) * 1000)::float8 AS retry_elapsed_ms`,
        [group, topic, this.memberId, share - this.workers.size, leaseMs],
      );
      for (const row of claimed.rows) {
        if (this.stopping) break;
        this.workers.set(
          row.partition,
          new PartitionWorker<T>(this.rt, this, row.partition, BigInt(row.generation), BigInt(row.committed_offset), restoredRetry(row)),
        );
      }
    }

    // Members that died without closing keep a row; sweep them now and then.
    if (++this.ticks % 20 === 0) {
      await q.query(`DELETE FROM ff_bus.consumer_members WHERE group_id = $1 AND topic = $2 AND heartbeat_at < now() - $3 * interval '1 millisecond'`, [
        group,
        topic,
        leaseMs * 10,
      ]);
    }
  }
}

/** The retry state a claim found recorded for the partition's next event, if any. */
function restoredRetry(row: ClaimedRow): RetryState | null {
  if (row.retry_attempts === null || row.retry_attempts <= 0) return null;
  return {
    offset: row.committed_offset,
    attempts: row.retry_attempts,
    // The database's clock measured the time since the first failure; carried over to ours.
    firstFailedAt: Date.now() - Math.max(row.retry_elapsed_ms ?? 0, 0),
    error: restoredError(row.retry_error, row.retry_error_code),
  };
}

/**
 * Processes one owned partition in offset order. A batch of up to batchSize events runs in ONE
 * transaction: fence (owner + generation, row locked) → inbox rows → handlers → offset commit. If a
 * handler throws, the batch rolls back, the events before it are committed as a smaller batch, and the
 * failing event is retried alone with a capped exponential backoff, then dead-lettered (DLQ write and
 * offset commit in one transaction) once maxAttempts or maxRetryMs is reached. Where it stands is kept
 * on the partition row, so a restart or a new owner does not start the count over. Optimistic batching
 * costs ~5 round trips per batch instead of ~3 per event with savepoints; failures are rare, so the
 * replay of a prefix is cheap on average.
 */
class PartitionWorker<T extends EventEnvelope> {
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  private readonly fetchedBatchSize: number;

  constructor(
    private readonly rt: ConsumerRuntime,
    private readonly member: GroupMember<T>,
    readonly partition: number,
    readonly generation: bigint,
    private next: bigint,
    /** The failing event this worker is retrying (restored from the partition row when claimed). */
    private retry: RetryState | null,
  ) {
    this.fetchedBatchSize = rt.batchSize;
    this.done = this.run();
  }

  stop(): Promise<void> {
    this.abort.abort();
    return this.done;
  }

  private get halted(): boolean {
    return this.abort.signal.aborted || this.rt.isCrashed();
  }

  private get cfg(): MemberConfig<T> {
    return this.member.cfg;
  }

  private async run(): Promise<void> {
    const { topic } = this.cfg;
    const wakeKey = partitionChannelKey(topic, this.partition);
    while (!this.halted) {
      const seen = this.rt.notifier.seq(wakeKey);
      try {
        const batch = await this.fetch();
        if (this.halted) return;
        if (batch.length === 0) {
          await this.rt.notifier.wait(wakeKey, seen, this.rt.pollIntervalMs, this.abort.signal);
          continue;
        }
        if ((await this.process(batch)) === 'lost') {
          this.member.onLost(this);
          return;
        }
      } catch (err) {
        if (this.halted) return;
        this.rt.logger.error('FF_BUS_CONSUMER: batch failed outside a handler; refetching', {
          group: this.cfg.group,
          topic,
          partition: this.partition,
          error: errorMessageOf(err),
        });
        await sleep(this.rt.pollIntervalMs, this.abort.signal);
      }
    }
  }

  private async fetch(): Promise<Delivery<T>[]> {
    const { topic, group, def } = this.cfg;
    const { rows } = await this.rt.pool.query<{
      head: string;
      off: string | null;
      key: string;
      headers: Record<string, string>;
      payload: Buffer;
    }>(
      `SELECT h.next_offset::text AS head, l."offset"::text AS off, l.key, l.headers, l.payload
       FROM ff_bus.partitions h
       LEFT JOIN LATERAL (
         SELECT "offset", key, headers, payload FROM ff_bus.log
         WHERE topic = $1 AND partition = $2 AND "offset" >= $3 ORDER BY "offset" LIMIT $4) l ON true
       WHERE h.topic = $1 AND h.partition = $2`,
      [topic, this.partition, this.next.toString(), this.fetchedBatchSize],
    );
    if (rows.length > 0) {
      this.rt.metrics.lag.set({ topic, group, partition: String(this.partition) }, Number(BigInt(rows[0]!.head) - this.next));
    }
    const out: Delivery<T>[] = [];
    for (const r of rows) {
      if (r.off === null) continue;
      const d: Delivery<T> = { offset: BigInt(r.off), key: r.key, headers: r.headers ?? {}, payload: r.payload };
      try {
        const event = await this.rt.codec.decode(def, r.payload);
        if (typeof event.eventId !== 'string' || !UUID_RE.test(event.eventId)) {
          d.poison = new BusError('FF_BUS_INVALID_EVENT_ID', `eventId ${JSON.stringify(event.eventId)} is not a uuid`);
        } else {
          d.event = event;
        }
      } catch (err) {
        // Anything else (registry unreachable...) is transient: the batch is refetched later.
        if (!isDecodeError(err)) throw err;
        d.poison = err instanceof Error ? err : new Error(String(err));
      }
      out.push(d);
    }
    return out;
  }

  private async process(ds: Delivery<T>[]): Promise<'done' | 'lost' | 'stopped'> {
    let from = 0;
    let to = ds.length;
    while (from < ds.length) {
      // Stop between transactions; what is not committed is redelivered to the next owner.
      if (this.halted) return 'stopped';
      const retry = this.retry?.offset === ds[from]!.offset.toString() ? this.retry : null;
      let dead: { index: number; error: unknown; attempts: number } | undefined;
      if (retry) {
        // A failed event runs alone: its verdict (dead-letter, or retry after a capped backoff) first.
        to = from + 1;
        const verdict = retryVerdict(this.cfg.retry, retry.attempts, Date.now() - retry.firstFailedAt);
        if (verdict.kind === 'dead') {
          dead = { index: from, error: retry.error, attempts: retry.attempts };
        } else {
          await sleep(verdict.delayMs, this.abort.signal);
          if (this.halted) return 'stopped';
          // Recorded before it runs: an attempt that takes the process down still counts after a restart.
          retry.attempts += 1;
          await this.saveRetry(retry);
        }
      }
      const outcome = await this.runBatch(ds, from, to, dead);
      if (outcome.kind === 'lost') return 'lost';
      if (outcome.kind === 'resync') return 'done';
      if (outcome.kind === 'ok') {
        if (this.retry && BigInt(this.retry.offset) < this.next) this.retry = null;
        from = to;
        to = ds.length;
        continue;
      }
      const failedOffset = ds[outcome.at]!.offset.toString();
      if (this.retry?.offset === failedOffset) {
        this.retry.error = outcome.error;
      } else {
        this.retry = { offset: failedOffset, attempts: 1, firstFailedAt: Date.now(), error: outcome.error };
      }
      await this.saveRetry(this.retry);
      // Commit what precedes the failing event first; the loop then retries it on its own.
      to = outcome.at > from ? outcome.at : from + 1;
    }
    return 'done';
  }

  /**
   * Records where the failing event stands on the partition row (fenced: only while we own it), so a
   * restart or the next owner goes on counting. Best effort: when the database is unreachable the
   * attempt fails anyway, and the state in memory keeps counting.
   */
  private async saveRetry(state: RetryState): Promise<void> {
    const { group, topic } = this.cfg;
    try {
      await this.rt.pool.query(
        `UPDATE ff_bus.consumer_partitions
         SET retry_offset = $6, retry_attempts = $7, retry_error = $8, retry_error_code = $9,
             retry_first_at = now() - $10 * interval '1 millisecond'
         WHERE group_id = $1 AND topic = $2 AND partition = $3 AND owner = $4 AND generation = $5`,
        [
          group,
          topic,
          this.partition,
          this.member.memberId,
          this.generation.toString(),
          state.offset,
          state.attempts,
          storableErrorText(errorMessageOf(state.error)),
          storableErrorText(errorCodeOf(state.error)),
          Math.max(Date.now() - state.firstFailedAt, 0),
        ],
      );
    } catch (err) {
      this.rt.logger.warn('FF_BUS_RETRY_STATE: could not record the retry state of a failing event; counting in memory', {
        group,
        topic,
        partition: this.partition,
        offset: state.offset,
        error: errorMessageOf(err),
      });
    }
  }

  private async runBatch(
    ds: Delivery<T>[],
    from: number,
    to: number,
    dead: { index: number; error: unknown; attempts: number } | undefined,
  ): Promise<BatchOutcome> {
    const { group, topic, handler } = this.cfg;
    const fence = [group, topic, this.partition, this.member.memberId, this.generation.toString()];
    const client = await this.rt.checkout();
    let broken = false;
    try {
      await client.query('BEGIN');
      const lease = await client.query<{ committed_offset: string }>(
        `SELECT committed_offset::text AS committed_offset FROM ff_bus.consumer_partitions
         WHERE group_id = $1 AND topic = $2 AND partition = $3 AND owner = $4 AND generation = $5 FOR UPDATE`,
        fence,
      );
      if (lease.rowCount === 0) {
        await client.query('ROLLBACK');
        return { kind: 'lost' };
      }
      const committed = BigInt(lease.rows[0]!.committed_offset);
      if (committed !== ds[from]!.offset) {
        // Cannot happen while the fence holds (offsets are gap-free); refetch from the truth, never skip.
        this.next = committed;
        await client.query('ROLLBACK');
        return { kind: 'resync' };
      }
      const ids = [];
      for (let k = from; k < to; k++) {
        const e = ds[k]!.event;
        if (e && dead?.index !== k) ids.push(e.eventId.toLowerCase());
      }
      const fresh = new Set<string>();
      if (ids.length > 0) {
        const inbox = await client.query<{ event_id: string }>(
          `INSERT INTO ff_bus.inbox (group_id, event_id) SELECT $1, unnest($2::uuid[])
           ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id`,
          [group, ids],
        );
        for (const r of inbox.rows) fresh.add(r.event_id);
      }
      let acknowledged = 0;
      let deadLettered = 0;
      // EventContext.beforeCommit: one list per transaction, run after its last handler.
      const beforeCommit: Array<() => Promise<void>> = [];
      const registerBeforeCommit = (work: () => Promise<void>): void => void beforeCommit.push(work);
      let lastHandled = -1;
      for (let k = from; k < to; k++) {
        const d = ds[k]!;
        if (dead?.index === k) {
          await this.deadLetter(client, d, dead.error, dead.attempts);
          deadLettered++;
          continue;
        }
        if (d.poison || !d.event) {
          await this.deadLetter(client, d, d.poison, 0);
          deadLettered++;
          continue;
        }
        // Already in the inbox (a redelivery), or a second copy within this batch: acknowledge only.
        if (!fresh.delete(d.event.eventId.toLowerCase())) {
          acknowledged++;
          continue;
        }
        const ctx: EventContext = {
          topic,
          partition: this.partition,
          offset: d.offset.toString(),
          key: d.key,
          headers: d.headers,
          attempt: this.retry?.offset === d.offset.toString() ? this.retry.attempts : 1,
          tx: client,
          beforeCommit: registerBeforeCommit,
        };
        const started = performance.now();
        try {
          await handler(d.event, ctx);
        } catch (error) {
          this.rt.metrics.failed.inc({ topic, group });
          this.rt.logger.warn('FF_BUS_HANDLER_FAILED: handler threw; will retry', {
            group,
            topic,
            partition: this.partition,
            offset: d.offset.toString(),
            attempt: ctx.attempt,
            error: errorMessageOf(error),
          });
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
          return { kind: 'failed', at: k, error };
        } finally {
          this.rt.metrics.handlerDuration.observe({ topic, group }, (performance.now() - started) / 1000);
        }
        lastHandled = k;
        acknowledged++;
      }
      try {
        for (const work of beforeCommit) await work();
      } catch (error) {
        // The work of every handler so far, done last: it counts as the failure of the last one handled.
        this.rt.metrics.failed.inc({ topic, group });
        this.rt.logger.warn('FF_BUS_HANDLER_FAILED: work registered to run before commit threw; will retry', {
          group,
          topic,
          partition: this.partition,
          offset: ds[lastHandled]!.offset.toString(),
          error: errorMessageOf(error),
        });
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        return { kind: 'failed', at: lastHandled, error };
      }
      const nextOffset = ds[to - 1]!.offset + 1n;
      // A retry state behind the new offset is over (handled or dead-lettered); one ahead stays.
      await client.query(
        `UPDATE ff_bus.consumer_partitions SET committed_offset = $6, lease_expires_at = now() + $7 * interval '1 millisecond',
           retry_offset = CASE WHEN retry_offset < $6 THEN NULL ELSE retry_offset END
         WHERE group_id = $1 AND topic = $2 AND partition = $3 AND owner = $4 AND generation = $5`,
        [...fence, nextOffset.toString(), this.rt.leaseMs],
      );
      await client.query('COMMIT');
      this.next = nextOffset;
      if (acknowledged > 0) this.rt.metrics.consumed.inc({ topic, group }, acknowledged);
      if (deadLettered > 0) this.rt.metrics.deadLettered.inc({ topic, group }, deadLettered);
      return { kind: 'ok' };
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      this.rt.release(client, broken);
    }
  }

  /** The original bytes go to `<topic>.dlq` in the batch transaction, so DLQ write and offset commit are atomic. */
  private async deadLetter(client: PoolClient, d: Delivery<T>, error: unknown, attempts: number): Promise<void> {
    const { group, topic } = this.cfg;
    const offset = d.offset.toString();
    const { message, headers } = deadLetterHeaders(d.headers, error, { topic, partition: this.partition, offset, group, attempts });
    this.rt.logger.warn('FF_BUS_DEAD_LETTERED: event moved to the dead-letter topic', {
      group,
      topic,
      partition: this.partition,
      offset,
      attempts,
      error: message,
    });
    await this.rt.append(`${topic}.dlq`, [{ key: d.key, headers, payload: d.payload }], client);
  }
}
