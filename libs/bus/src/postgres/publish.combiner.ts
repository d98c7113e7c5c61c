import type { Pool } from 'pg';
import type { RawEntry } from './postgres-group.member';
import { partitionChannelKey } from './topic.notifier';

// One autocommit statement: atomic on its own, and one round trip.
const APPEND_ONE_SQL = `
  WITH head AS (
    UPDATE ff_bus.partitions SET next_offset = next_offset + 1
    WHERE topic = $1 AND partition = $2
    RETURNING next_offset - 1 AS off)
  INSERT INTO ff_bus.log (topic, partition, "offset", key, headers, payload)
  SELECT $1, $2, head.off, $3, $4::jsonb, $5 FROM head`;

// One partition's head row only: no lock ordering to respect, so no LOCK_HEADS round trip.
const APPEND_RUN_SQL = `
  WITH head AS (
    UPDATE ff_bus.partitions SET next_offset = next_offset + $3
    WHERE topic = $1 AND partition = $2
    RETURNING next_offset - $3 AS base)
  INSERT INTO ff_bus.log (topic, partition, "offset", key, headers, payload)
  SELECT $1, $2, head.base + e.idx - 1, e.key, e.headers, e.payload
  FROM head CROSS JOIN unnest($4::text[], $5::jsonb[], $6::bytea[]) WITH ORDINALITY AS e(key, headers, payload, idx)`;

interface Pending {
  entry: RawEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Appends the bus's own autocommit publishes (those without a caller's transaction), one partition at
 * a time: while one statement for a partition is in flight, the publishes that arrive for it queue and
 * go together in the next statement. Publishing to a partition takes its head row's lock until the
 * commit's WAL flush is done (postgres-bus.schema.ts, ff_bus.partitions), so one statement per event
 * made same-partition publishers wait for each other's flush one by one, each holding a pool
 * connection meanwhile; here a process has at most one statement per partition in flight, and N
 * waiting publishes cost one commit instead of N. A publish alone is sent at once (no added delay).
 */
export class PublishCombiner {
  private readonly queues = new Map<string, Pending[]>();
  private readonly draining = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: Pool,
    /** Most events per statement. */
    private readonly maxBatch: number,
  ) {}

  /** Resolves once the entry is committed (its own outcome: a bad entry fails alone). */
  append(topic: string, partition: number, entry: RawEntry): Promise<void> {
    const key = partitionChannelKey(topic, partition);
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ entry, resolve, reject });
      if (!this.draining.has(key)) {
        this.draining.set(
          key,
          this.drain(key, topic, partition).finally(() => this.draining.delete(key)),
        );
      }
    });
  }

  /** Waits until every publish queued so far has its outcome (graceful close). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.all([...this.draining.values()]);
  }

  private async drain(key: string, topic: string, partition: number): Promise<void> {
    for (;;) {
      const queue = this.queues.get(key);
      if (!queue || queue.length === 0) {
        this.queues.delete(key);
        return;
      }
      await this.write(topic, partition, queue.splice(0, this.maxBatch));
    }
  }

  private async write(topic: string, partition: number, batch: Pending[]): Promise<void> {
    try {
      if (batch.length === 1) {
        const e = batch[0]!.entry;
        await this.pool.query(APPEND_ONE_SQL, [topic, partition, e.key, JSON.stringify(e.headers), e.payload]);
      } else {
        await this.pool.query(APPEND_RUN_SQL, [
          topic,
          partition,
          batch.length,
          batch.map((p) => p.entry.key),
          batch.map((p) => JSON.stringify(p.entry.headers)),
          batch.map((p) => p.entry.payload),
        ]);
      }
    } catch (err) {
      if (batch.length === 1 || !entrySpecific(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // A value the database refuses (a NUL byte in a key, an oversized key) fails its own publish
      // only: the statement was rolled back as a whole, so each entry is written again on its own.
      for (const p of batch) await this.write(topic, partition, [p]);
      return;
    }
    for (const p of batch) p.resolve();
  }
}

/**
 * SQLSTATE classes an entry's own values can cause: 22 data exception (bad encoding, NUL in text),
 * 23 integrity constraint, 54 program limit (an index row too large for its key). A lost connection
 * or a database shutting down fails every entry alike, so they are not retried one by one.
 */
function entrySpecific(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}
