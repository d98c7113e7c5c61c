import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import type { EventCodec, EventDefinition, EventEnvelope, EventInput } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { BusError } from '../bus.errors';
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
import { partitionForKey } from '../key.partitioner';
import { broadcastGroupId } from '../broadcast.group';
import { retryPolicyOf } from '../retry.policy';
import { BUS_MIGRATION_LOCK, BUS_SCHEMA_SQL, BUS_SCHEMA_VERSION } from './postgres-bus.schema';
import { DROP_BROADCAST_SQL, GroupMember, type ConsumerRuntime, type RawEntry } from './postgres-group.member';
import { PublishCombiner } from '../publish.combiner';
import { BUS_CHANNEL, partitionChannelKey, TopicNotifier } from './topic.notifier';

export interface PostgresEventBusOptions {
  /** Pool the bus draws from (consumer batches, LISTEN, own publishes). The caller owns and ends it... */
  pool: Pool;
  /** ...unless this is set: then close() and crash() end the pool too (a bus with a pool of its own). */
  endPoolOnClose?: boolean;
  /**
   * Where a topic's metadata is created on its first use (default: `pool`). That happens inside whatever
   * publishes first, often a handler's or a request's transaction that already holds a connection of
   * `pool`: with every connection of `pool` held that way, each would wait for another one forever (the
   * database sees no deadlock). A small pool of its own, which no transaction holds, cannot starve so.
   */
  metadataPool?: Pool;
  codec: EventCodec;
  /** Service name written into `producer` of events published without one. */
  producer: string;
  /** Partitions of topics created implicitly (default 8). */
  defaultPartitions?: number;
  /** Retention of topics created implicitly (default 7 days). */
  defaultRetentionMs?: number;
  /** Fallback polling when no NOTIFY arrives (default 500 ms). */
  pollIntervalMs?: number;
  /** Partition lease length; a member silent this long loses its partitions (default 10 s). */
  leaseMs?: number;
  /** Heartbeat / rebalance period (default leaseMs / 3). */
  heartbeatMs?: number;
  /** Events fetched and handled per transaction (default 500). */
  batchSize?: number;
  /** Period of the retention timer; 0 disables it (default 60 s). */
  retentionIntervalMs?: number;
  /** Inbox rows older than this are deleted by retention (default 7 days; keep >= topic retention). */
  inboxRetentionMs?: number;
  /**
   * A broadcast group whose replica has not heartbeaten for this long is deleted by runRetention()
   * (its offsets and inbox rows with it). Keep it well above leaseMs: a replica silent longer (a long
   * database outage) finds its group gone and resumes at the heads (default max(60 s, 6 × leaseMs)).
   */
  broadcastTtlMs?: number;
  logger?: BusLogger;
  /** prom-client registry for the bus metrics (default: the global registry). */
  metrics?: Registry;
}

export interface RetentionResult {
  deletedEvents: number;
  deletedInboxRows: number;
  /** Broadcast groups of replicas gone without closing (silent past broadcastTtlMs). */
  deletedBroadcastGroups: number;
}

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const DAY_MS = 24 * 3600 * 1000;
const RETENTION_LOCK = 0x66665f72; // "ff_r"

const APPEND_ONE_SQL = `
  WITH head AS (
    UPDATE ff_bus.partitions SET next_offset = next_offset + 1
    WHERE topic = $1 AND partition = $2
    RETURNING next_offset - 1 AS off)
  INSERT INTO ff_bus.log (topic, partition, "offset", key, headers, payload)
  SELECT $1, $2, head.off, $3, $4::jsonb, $5 FROM head CROSS JOIN (SELECT pg_notify('${BUS_CHANNEL}', $1 || '/' || $2::text)) n
  RETURNING "offset"::text AS "offset"`;

// Autocommit publishes to one partition, combined (PublishCombiner): one head row only, so no lock
// ordering to respect and no LOCK_HEADS round trip; one statement is atomic on its own.
const APPEND_RUN_SQL = `
  WITH head AS (
    UPDATE ff_bus.partitions SET next_offset = next_offset + $3
    WHERE topic = $1 AND partition = $2
    RETURNING next_offset - $3 AS base)
  INSERT INTO ff_bus.log (topic, partition, "offset", key, headers, payload)
  SELECT $1, $2, head.base + e.idx - 1, e.key, e.headers, e.payload
  FROM head CROSS JOIN unnest($4::text[], $5::jsonb[], $6::bytea[]) WITH ORDINALITY AS e(key, headers, payload, idx)`;

/** An autocommit publish waiting in the combiner. */
interface PartitionEntry {
  topic: string;
  partition: number;
  entry: RawEntry;
}

// Partitions are locked in ascending order first so that two batch publishers never deadlock.
const LOCK_HEADS_SQL = `
  SELECT partition FROM ff_bus.partitions
  WHERE topic = $1 AND partition = ANY($2::int[]) ORDER BY partition FOR UPDATE`;

const APPEND_MANY_SQL = `
  WITH head AS (
    UPDATE ff_bus.partitions p SET next_offset = p.next_offset + c.n
    FROM unnest($2::int[], $3::int[]) AS c(part, n)
    WHERE p.topic = $1 AND p.partition = c.part
    RETURNING p.partition, p.next_offset - c.n AS base),
  ins AS (
    INSERT INTO ff_bus.log (topic, partition, "offset", key, headers, payload)
    SELECT $1, e.part, head.base + e.idx, e.key, e.headers, e.payload
    FROM unnest($4::int[], $5::int[], $6::text[], $7::jsonb[], $8::bytea[]) AS e(part, idx, key, headers, payload)
    JOIN head ON head.partition = e.part
    RETURNING 1)
  SELECT (SELECT count(*) FROM ins)::int AS n,
         (SELECT count(pg_notify('${BUS_CHANNEL}', $1 || '/' || s.part::text)) FROM unnest($2::int[]) AS s(part)) AS notified`;

/**
 * EventBus on PostgreSQL (embedded mode; docs/architecture.md, Two ways to run). The log table is the outbox: a publish
 * is a row written in the caller's transaction. Consumer groups lease partitions with heartbeats and a
 * generation fence, handle a batch of events in one transaction together with their inbox rows and the
 * committed offset, and dead-letter what keeps failing.
 */
export class PostgresEventBus implements EventBus {
  private readonly pool: Pool;
  private readonly metadataPool: Pool;
  private readonly codec: EventCodec;
  private readonly producer: string;
  private readonly defaultPartitions: number;
  private readonly defaultRetentionMs: number;
  private readonly inboxRetentionMs: number;
  private readonly logger: BusLogger;
  private readonly metrics: BusMetrics;
  private readonly notifier: TopicNotifier;
  private readonly runtime: ConsumerRuntime;
  /** Topic → partition count, for topics known to exist. */
  private readonly topics = new Map<string, Promise<number>>();
  private readonly members = new Set<GroupMember<EventEnvelope>>();
  private readonly checkedOut = new Set<PoolClient>();
  private readonly retentionTimer: NodeJS.Timeout | null = null;
  private readonly endPoolOnClose: boolean;
  private readonly combiner: PublishCombiner<PartitionEntry>;
  private readonly pendingWakeups = new Set<string>();
  private wakeupTimer: NodeJS.Immediate | null = null;
  private closed = false;
  private crashed = false;
  private readonly onPoolError = (err: Error): void =>
    this.logger.warn('FF_BUS_CONNECTION_LOST: an idle bus connection failed; it will be replaced', { error: err.message });

  constructor(opts: PostgresEventBusOptions) {
    this.pool = opts.pool;
    this.metadataPool = opts.metadataPool ?? opts.pool;
    this.codec = opts.codec;
    this.producer = opts.producer;
    this.endPoolOnClose = opts.endPoolOnClose ?? false;
    this.defaultPartitions = opts.defaultPartitions ?? 8;
    this.defaultRetentionMs = opts.defaultRetentionMs ?? 7 * DAY_MS;
    this.inboxRetentionMs = opts.inboxRetentionMs ?? 7 * DAY_MS;
    this.logger = opts.logger ?? consoleBusLogger;
    this.metrics = new BusMetrics(opts.metrics);
    const pollIntervalMs = opts.pollIntervalMs ?? 500;
    const leaseMs = opts.leaseMs ?? 10_000;
    this.notifier = new TopicNotifier(this.pool, this.logger, pollIntervalMs);
    const combined = { maxEntries: opts.batchSize ?? 500, maxBytes: 4 * 1024 * 1024, bytesOf: (r: PartitionEntry) => r.entry.payload.length };
    this.combiner = new PublishCombiner<PartitionEntry>(combined, async (run) => {
      const { topic, partition } = run[0]!;
      await this.pool.query(APPEND_RUN_SQL, [
        topic,
        partition,
        run.length,
        run.map((r) => r.entry.key),
        run.map((r) => JSON.stringify(r.entry.headers)),
        run.map((r) => r.entry.payload),
      ]);
    });
    // Without a listener, an idle pooled client losing its server would crash the process.
    this.pool.on('error', this.onPoolError);
    this.runtime = {
      pool: this.pool,
      codec: this.codec,
      metrics: this.metrics,
      logger: this.logger,
      notifier: this.notifier,
      leaseMs,
      heartbeatMs: opts.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3)),
      pollIntervalMs,
      batchSize: opts.batchSize ?? 500,
      broadcastTtlMs: opts.broadcastTtlMs ?? Math.max(60_000, 6 * leaseMs),
      checkout: () => this.checkout(),
      release: (client, broken) => this.release(client, broken),
      append: (topic, entries, tx) => this.append(topic, entries, tx),
      isCrashed: () => this.crashed,
    };
    const retentionIntervalMs = opts.retentionIntervalMs ?? 60_000;
    if (retentionIntervalMs > 0) {
      this.retentionTimer = setInterval(() => {
        this.runRetention().catch((err: unknown) => this.logger.warn('FF_BUS_RETENTION: retention run failed; next run retries', { error: String(err) }));
      }, retentionIntervalMs);
      this.retentionTimer.unref();
    }
  }

  /**
   * Creates schema ff_bus (idempotent; safe to run from several processes at once, and beside running
   * consumers: a schema already at this version is left alone, without taking any lock).
   */
  async migrate(): Promise<void> {
    const current = async (db: Queryable): Promise<boolean> => {
      const { rows } = await db.query<{ version: string | null }>(
        `SELECT obj_description(oid, 'pg_namespace') AS version FROM pg_namespace WHERE nspname = 'ff_bus'`,
      );
      return rows[0]?.version === BUS_SCHEMA_VERSION;
    };
    if (await current(this.pool)) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [BUS_MIGRATION_LOCK]);
      if (!(await current(client))) {
        for (const sql of BUS_SCHEMA_SQL) await client.query(sql);
        // A hex literal: COMMENT takes no parameters.
        await client.query(`COMMENT ON SCHEMA ff_bus IS '${BUS_SCHEMA_VERSION}'`);
      }
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw new BusError('FF_BUS_MIGRATION', `creating schema ff_bus failed: ${String(err)}`);
    }
  }

  async ensureTopic(topic: string, opts: TopicOptions = {}): Promise<void> {
    await this.partitionsOf(topic, opts);
  }

  async publish<T extends EventEnvelope>(def: EventDefinition<T>, event: EventInput<T>, opts: PublishOptions): Promise<T> {
    this.assertOpen();
    const topic = opts.topic ?? def.topic;
    const full = completeEnvelope(def, event, this.producer);
    const payload = await this.codec.encode(def, full);
    await this.append(topic, [{ key: opts.key, headers: opts.headers ?? {}, payload }], opts.tx);
    return full;
  }

  async publishMany<T extends EventEnvelope>(def: EventDefinition<T>, items: ReadonlyArray<PublishManyItem<T>>, opts: PublishManyOptions = {}): Promise<T[]> {
    this.assertOpen();
    const topic = opts.topic ?? def.topic;
    const full = items.map((item) => completeEnvelope(def, item.event, this.producer));
    const entries: RawEntry[] = [];
    for (let i = 0; i < items.length; i++) {
      entries.push({ key: items[i]!.key, headers: items[i]!.headers ?? {}, payload: await this.codec.encode(def, full[i]!) });
    }
    await this.append(topic, entries, opts.tx);
    return full;
  }

  /**
   * Appends already-encoded frames to a topic. The consumer uses it for dead letters (original bytes);
   * tests use it to inject frames the codec would never write.
   */
  async publishRaw(topic: string, entries: RawEntry[], tx?: Queryable): Promise<void> {
    this.assertOpen();
    await this.append(topic, entries, tx);
  }

  async subscribe<T extends EventEnvelope>(def: EventDefinition<T>, opts: SubscribeOptions, handler: EventHandler<T>): Promise<Subscription> {
    this.assertOpen();
    const topic = opts.topic ?? def.topic;
    const retry = retryPolicyOf(opts);
    const partitions = await this.partitionsOf(topic);
    await this.notifier.start();
    const broadcast = opts.broadcast === true;
    const member = new GroupMember<T>(this.runtime, {
      def,
      topic,
      group: broadcast ? broadcastGroupId(opts.group) : opts.group,
      partitions,
      handler,
      retry,
      broadcast,
    });
    const erased = member as unknown as GroupMember<EventEnvelope>;
    this.members.add(erased);
    try {
      await member.start();
    } catch (err) {
      this.members.delete(erased);
      await member.close();
      throw err;
    }
    return {
      close: async () => {
        await member.close();
        this.members.delete(erased);
      },
    };
  }

  /**
   * Deletes log rows that every consumer group of their partition has committed past and that are
   * older than their topic's retention, and inbox rows older than inboxRetentionMs. One process at a
   * time (advisory lock); the others skip the round.
   */
  async runRetention(): Promise<RetentionResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
      if (!lock.rows[0]?.ok) {
        await client.query('COMMIT');
        client.release();
        return { deletedEvents: 0, deletedInboxRows: 0, deletedBroadcastGroups: 0 };
      }
      // First, so that the offsets of replicas that are gone no longer hold the log back.
      const expired = await client.query<{ group_id: string; topic: string }>(
        `SELECT group_id, topic FROM ff_bus.broadcast_groups WHERE expires_at < now() FOR UPDATE SKIP LOCKED`,
      );
      let deletedBroadcastGroups = 0;
      for (const g of expired.rows) {
        const dropped = await client.query<{ groups: number }>(DROP_BROADCAST_SQL, [g.group_id, g.topic]);
        deletedBroadcastGroups += dropped.rows[0]?.groups ?? 0;
      }
      const log = await client.query(
        `DELETE FROM ff_bus.log l USING ff_bus.topics t
         WHERE l.topic = t.name
           AND l.created_at < now() - t.retention_ms * interval '1 millisecond'
           AND l."offset" < COALESCE(
             (SELECT min(c.committed_offset) FROM ff_bus.consumer_partitions c
              WHERE c.topic = l.topic AND c.partition = l.partition),
             9223372036854775807)`,
      );
      const inbox = await client.query(`DELETE FROM ff_bus.inbox WHERE handled_at < now() - $1 * interval '1 millisecond'`, [this.inboxRetentionMs]);
      await client.query('COMMIT');
      client.release();
      return { deletedEvents: log.rowCount ?? 0, deletedInboxRows: inbox.rowCount ?? 0, deletedBroadcastGroups };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw err;
    }
  }

  /** Graceful drain: every subscription finishes its in-flight batch and releases its partitions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await Promise.all([...this.members].map((m) => m.close()));
    this.members.clear();
    // Publishes accepted before close() still get their outcome before the pool may end.
    await this.combiner.idle();
    if (this.wakeupTimer) clearImmediate(this.wakeupTimer);
    await this.notifier.stop();
    if (this.endPoolOnClose) await this.pool.end();
    else this.pool.off('error', this.onPoolError);
  }

  /**
   * TEST HOOK — simulates a process crash: heartbeats and workers stop where they are, nothing is
   * released or committed, and the bus's connections are terminated, so the server rolls back the
   * in-flight transactions. Other members take the partitions over once the leases expire.
   */
  async crash(): Promise<void> {
    this.crashed = true;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    for (const m of this.members) m.crash();
    this.members.clear();
    await this.notifier.stop(true);
    await Promise.all(
      [...this.checkedOut].map(async (client) => {
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }),
    );
    // Not awaited: pool.end() waits for workers still stuck in handlers to hand their clients back.
    if (this.endPoolOnClose) void this.pool.end().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new BusError('FF_BUS_CLOSED', 'the event bus was closed; create a new one to publish or subscribe');
  }

  private partitionsOf(topic: string, opts: TopicOptions = {}): Promise<number> {
    let known = this.topics.get(topic);
    if (!known) {
      known = this.createTopic(topic, opts);
      this.topics.set(topic, known);
      known.catch(() => this.topics.delete(topic));
    }
    return known;
  }

  private async createTopic(topic: string, opts: TopicOptions): Promise<number> {
    if (!TOPIC_RE.test(topic)) {
      throw new BusError('FF_BUS_INVALID_TOPIC', `topic "${topic}" must be 1-249 characters of [A-Za-z0-9._-]`);
    }
    const wanted = opts.partitions ?? this.defaultPartitions;
    // A concurrent creator may commit between our INSERT and SELECT snapshot; one more round sees it.
    for (let round = 0; round < 3; round++) {
      const { rows } = await this.metadataPool.query<{ partitions: number }>(
        `WITH t AS (
           INSERT INTO ff_bus.topics (name, partitions, retention_ms) VALUES ($1, $2, $3)
           ON CONFLICT (name) DO NOTHING RETURNING partitions)
         SELECT partitions FROM t UNION ALL SELECT partitions FROM ff_bus.topics WHERE name = $1`,
        [topic, wanted, opts.retentionMs ?? this.defaultRetentionMs],
      );
      const partitions = rows[0]?.partitions;
      if (partitions === undefined) continue;
      await this.metadataPool.query(`INSERT INTO ff_bus.partitions (topic, partition) SELECT $1, generate_series(0, $2 - 1) ON CONFLICT DO NOTHING`, [
        topic,
        partitions,
      ]);
      return partitions;
    }
    throw new BusError('FF_BUS_INVALID_TOPIC', `topic "${topic}" could not be created (concurrent creation kept failing)`);
  }

  private async append(topic: string, entries: RawEntry[], tx?: Queryable): Promise<void> {
    if (entries.length === 0) return;
    const partitions = await this.partitionsOf(topic);
    if (entries.length === 1) {
      // One statement: atomic on its own, and one round trip.
      const e = entries[0]!;
      const partition = partitionForKey(e.key, partitions);
      if (tx) {
        // Inside the caller's transaction the NOTIFY must ride along: it is delivered at its commit.
        await tx.query(APPEND_ONE_SQL, [topic, partition, e.key, JSON.stringify(e.headers), e.payload]);
      } else {
        await this.combiner.append(partitionChannelKey(topic, partition), { topic, partition, entry: e });
        // Committing a NOTIFY takes a database-wide lock held through the WAL flush, serialising every
        // notifying commit; one coalesced NOTIFY per tick instead of one per event keeps publishers parallel.
        this.wakeLater(partitionChannelKey(topic, partition));
      }
    } else if (tx) {
      await this.appendMany(tx, topic, partitions, entries);
    } else {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await this.appendMany(client, topic, partitions, entries);
        await client.query('COMMIT');
        client.release();
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(true);
        throw err;
      }
    }
    this.metrics.published.inc({ topic }, entries.length);
  }

  private wakeLater(key: string): void {
    this.pendingWakeups.add(key);
    if (this.wakeupTimer) return;
    this.wakeupTimer = setImmediate(() => {
      const keys = [...this.pendingWakeups];
      this.pendingWakeups.clear();
      this.wakeupTimer = null;
      this.pool
        .query(`SELECT pg_notify('${BUS_CHANNEL}', k) FROM unnest($1::text[]) AS k`, [keys])
        .catch((err: unknown) => this.logger.warn('FF_BUS_NOTIFY: wake-up notification failed; consumers fall back to polling', { error: String(err) }));
    });
  }

  private async appendMany(tx: Queryable, topic: string, partitions: number, entries: RawEntry[]): Promise<void> {
    const counts = new Map<number, number>();
    const parts: number[] = [];
    const idx: number[] = [];
    for (const e of entries) {
      const p = partitionForKey(e.key, partitions);
      const n = counts.get(p) ?? 0;
      counts.set(p, n + 1);
      parts.push(p);
      idx.push(n);
    }
    const sorted = [...counts.keys()].sort((a, b) => a - b);
    await tx.query(LOCK_HEADS_SQL, [topic, sorted]);
    await tx.query(APPEND_MANY_SQL, [
      topic,
      sorted,
      sorted.map((p) => counts.get(p)!),
      parts,
      idx,
      entries.map((e) => e.key),
      entries.map((e) => JSON.stringify(e.headers)),
      entries.map((e) => e.payload),
    ]);
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

function noop(): void {
  // intentionally empty: see checkout()
}
