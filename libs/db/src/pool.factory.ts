import { Pool, type PoolClient } from 'pg';

export interface PgPoolOptions {
  url: string;
  max?: number;
  applicationName?: string;
  idleTimeoutMillis?: number;
}

/**
 * A `pg` pool of its own: the bus's (consumers, LISTEN, the registry) and tests'. A service's stores use
 * the pool under its DataSource instead (dataSourcePool), so a service holds one pool.
 */
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
