import { Pool, type PoolClient } from 'pg';

export interface PgPoolOptions {
  url: string;
  max?: number;
  applicationName?: string;
  idleTimeoutMillis?: number;
}

/** A raw `pg` pool for code that works below TypeORM (the bus, the registry, handlers using ctx.tx). */
export function createPgPool(opts: PgPoolOptions): Pool {
  const pool = new Pool({
    connectionString: opts.url,
    max: opts.max ?? 3,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? 30_000,
    application_name: opts.applicationName,
  });
  // An idle client losing its server (restart, failover) must not crash the process; the next
  // checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `fn` in one transaction on a client from `pool`: COMMIT when it resolves, ROLLBACK when it throws. */
export async function withTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed; do not return it to the pool.
      broken = true;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/** deadlock_detected, serialization_failure: PostgreSQL rolled the whole transaction back; running it again is safe. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

export function isRetryableTransactionError(err: unknown): boolean {
  return RETRYABLE_SQLSTATES.has((err as { code?: unknown } | null)?.code as string);
}

/**
 * withTransaction, run again when PostgreSQL chose it as a deadlock victim (or a serialization failure):
 * up to `attempts` times, after a short random pause so the transactions that collided do not meet
 * again in step. Only for `fn` without effects outside the transaction (everything rolled back).
 */
export async function withRetriedTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, fn);
    } catch (err) {
      if (attempt >= attempts || !isRetryableTransactionError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
