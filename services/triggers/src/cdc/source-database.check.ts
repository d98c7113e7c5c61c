import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { CdcConfig } from './cdc.config';
import type { CdcConnection } from './cdc-connection.port';
import { cdcConnectionUnusable, cdcSourceNotReady } from './cdc.errors';
import type { CdcDatabaseKind, CdcNames } from './debezium-connector.factory';

const CONNECT_TIMEOUT_MS = 10_000;

const where = (c: CdcConnection): string => `${c.host}:${c.port}`;
const scrub = (text: string, c: CdcConnection): string => (c.password ? text.split(c.password).join('***') : text);

async function withPg<T>(conn: CdcConnection, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database: conn.database ?? 'postgres',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'flowforge-cdc',
  });
  try {
    await client.connect();
  } catch (e) {
    throw cdcConnectionUnusable(
      scrub(
        `PostgreSQL at ${where(conn)} (database ${conn.database ?? 'postgres'}, user "${conn.user}") refused the connection: ${(e as Error).message}`,
        conn,
      ),
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withMysql<T>(conn: CdcConnection, fn: (q: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  let c;
  try {
    c = await createConnection({ host: conn.host, port: conn.port, user: conn.user, password: conn.password ?? '', connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (e) {
    throw cdcConnectionUnusable(scrub(`MySQL/MariaDB at ${where(conn)} refused user "${conn.user}": ${(e as Error).message}`, conn));
  }
  try {
    return await fn(async (sql) => (await c.query(sql))[0] as Record<string, unknown>[]);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Checks what Debezium needs before a connector is made, so the error names the setting rather than a
 * stack trace later: PostgreSQL wal_level=logical (and REPLICA IDENTITY FULL on the tables when the
 * condition is `changed`, which needs the old row); MySQL/MariaDB the binary log on, ROW, FULL images.
 * Answers which connector reads the database.
 */
export async function checkSourceDatabase(conn: CdcConnection, config: Pick<CdcConfig, 'tables' | 'condition'>): Promise<CdcDatabaseKind> {
  if (conn.type === 'postgres') {
    await withPg(conn, async (client) => {
      const wal = (await client.query<{ wal_level: string }>('show wal_level')).rows[0]?.wal_level;
      if (wal !== 'logical') {
        throw cdcSourceNotReady(
          `PostgreSQL at ${where(conn)} has wal_level=${wal}; CDC needs wal_level=logical (ALTER SYSTEM SET wal_level = logical, then restart the server)`,
        );
      }
      if (config.condition?.op === 'changed') {
        const rows = (
          await client.query<{ t: string; ident: string }>(
            `select n.nspname || '.' || c.relname as t, c.relreplident as ident
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname || '.' || c.relname = any($1::text[])`,
            [config.tables],
          )
        ).rows;
        const notFull = rows.filter((r) => r.ident !== 'f').map((r) => r.t);
        if (notFull.length) {
          throw cdcSourceNotReady(
            `condition "changed" needs the row before each update, which PostgreSQL logs only with REPLICA IDENTITY FULL: ` +
              notFull.map((t) => `ALTER TABLE ${t} REPLICA IDENTITY FULL`).join('; '),
          );
        }
      }
    });
    return 'postgres';
  }
  return withMysql(conn, async (q) => {
    const v = (await q('select version() as v, @@global.log_bin as log_bin, @@global.binlog_format as fmt, @@global.binlog_row_image as img'))[0]!;
    const version = String(v.v);
    const kind: CdcDatabaseKind = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
    const name = kind === 'mariadb' ? 'MariaDB' : 'MySQL';
    const problems: string[] = [];
    if (Number(v.log_bin) !== 1) problems.push('log_bin is OFF (set log_bin in the server config and restart)');
    if (String(v.fmt) !== 'ROW') problems.push(`binlog_format is ${String(v.fmt)}, CDC needs ROW`);
    if (String(v.img) !== 'FULL') problems.push(`binlog_row_image is ${String(v.img)}, CDC needs FULL`);
    if (problems.length) throw cdcSourceNotReady(`${name} at ${where(conn)} does not write the binary log CDC reads: ${problems.join('; ')}`);
    return kind;
  });
}

/** Whether the trigger's replication slot exists yet (the connector's task makes it when it starts). */
export async function slotExists(conn: CdcConnection, names: CdcNames): Promise<boolean> {
  return withPg(conn, async (client) => (await client.query('select 1 from pg_replication_slots where slot_name = $1', [names.slot])).rowCount === 1);
}

/**
 * Drops the trigger's replication slot and publication (after the connector was deleted). The slot stays
 * active a moment after the connector stopped: waited for, then its walsender is ended.
 */
export async function dropSlotAndPublication(conn: CdcConnection, names: CdcNames, timeoutMs = 15_000): Promise<{ slotDropped: boolean }> {
  return withPg(conn, async (client) => {
    const deadline = Date.now() + timeoutMs;
    let slotDropped = false;
    for (;;) {
      const row = (await client.query<{ active_pid: number | null }>('select active_pid from pg_replication_slots where slot_name = $1', [names.slot])).rows[0];
      if (!row) break;
      if (row.active_pid === null) {
        await client.query('select pg_drop_replication_slot($1)', [names.slot]);
        slotDropped = true;
        break;
      }
      if (Date.now() >= deadline) await client.query('select pg_terminate_backend($1)', [row.active_pid]);
      await new Promise((r) => setTimeout(r, 200));
    }
    await client.query(`drop publication if exists ${client.escapeIdentifier(names.publication)}`);
    return { slotDropped };
  });
}
