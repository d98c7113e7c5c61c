import type { Pool } from 'pg';
import type { Queryable } from '@flowforge/db';
import { errorCodeOf, errorMessageOf, storableErrorText } from '../bus.errors';
import type { BusLogger } from '../bus.logger';
import { restoredError, type RetryState } from '../retry.policy';

/** The event a retry row is about. */
export interface RetryPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * One group's rows of `<schema>.consumer_retries` (kafka-outbox.schema.ts): where the failing event of
 * each partition stands, so that a restart or the next owner of the partition goes on counting instead
 * of starting over. Rows the consumer never clears (it died) go with the relay's housekeeping.
 */
export class KafkaRetryStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly group: string,
    private readonly logger: BusLogger,
  ) {
    this.table = `"${schema}".consumer_retries`;
  }

  /** Where the next event of a partition stands, if an earlier run recorded it failing. */
  async load(topic: string, partition: number): Promise<RetryState | null> {
    const { rows } = await this.pool.query<{ offset: string; attempts: number; error: string | null; error_code: string | null; elapsed_ms: number }>(
      `SELECT "offset"::text AS "offset", attempts, error, error_code, (extract(epoch FROM now() - first_failed_at) * 1000)::float8 AS elapsed_ms
       FROM ${this.table} WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [this.group, topic, partition],
    );
    const r = rows[0];
    if (!r) return null;
    // The database's clock measured the time since the first failure; carried over to ours.
    return { offset: r.offset, attempts: r.attempts, firstFailedAt: Date.now() - Math.max(r.elapsed_ms, 0), error: restoredError(r.error, r.error_code) };
  }

  /** Best effort: when the database is unreachable the attempt fails anyway, and memory keeps counting. */
  async save(at: RetryPosition, state: RetryState): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO ${this.table} (group_id, topic, partition, "offset", attempts, first_failed_at, error, error_code)
         VALUES ($1, $2, $3, $4, $5, now() - $6 * interval '1 millisecond', $7, $8)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", attempts = EXCLUDED.attempts,
           first_failed_at = EXCLUDED.first_failed_at, error = EXCLUDED.error, error_code = EXCLUDED.error_code, updated_at = now()`,
        [
          this.group,
          at.topic,
          at.partition,
          at.offset,
          state.attempts,
          Math.max(Date.now() - state.firstFailedAt, 0),
          storableErrorText(errorMessageOf(state.error)),
          storableErrorText(errorCodeOf(state.error)),
        ],
      );
    } catch (err) {
      this.logger.warn('FF_BUS_RETRY_STATE: could not record the retry state of a failing event; counting in memory', {
        group: this.group,
        topic: at.topic,
        partition: at.partition,
        offset: at.offset,
        error: errorMessageOf(err),
      });
    }
  }

  /** After a dead-lettering; only the row of that very event, never a later one's. */
  async clear(at: RetryPosition): Promise<void> {
    await this.pool
      .query(`DELETE FROM ${this.table} WHERE group_id = $1 AND topic = $2 AND partition = $3 AND "offset" = $4`, [
        this.group,
        at.topic,
        at.partition,
        at.offset,
      ])
      .catch(() => undefined); // a row left behind names an offset already passed: never matched again
  }

  /** In the handler's transaction: a retried event that succeeds (or turns out done) ends its row with it. */
  async clearIn(tx: Queryable, topic: string, partition: number): Promise<void> {
    await tx.query(`DELETE FROM ${this.table} WHERE group_id = $1 AND topic = $2 AND partition = $3`, [this.group, topic, partition]);
  }

  /** Every row of the group (a broadcast replica closing: nobody will resume them). Throws on failure. */
  async clearGroup(db: Queryable): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE group_id = $1`, [this.group]);
  }
}
