import net from 'node:net';
import { createConnection, type Connection } from 'mysql2/promise';
import type { MysqlConfig } from '../connection-types';
import { pinnedLookup, type ResolvedTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

/** Connects (to the address the guard checked), runs `SELECT 1`, disconnects (MySQL and MariaDB). */
export function probeMysql(c: MysqlConfig): Promise<ProbeOutcome> {
  return probeGuarded(c.host, c.allowPrivateNetworks, 'MySQL', `${c.host}:${c.port}`, (target) => connectAndSelect(c, target));
}

async function connectAndSelect(c: MysqlConfig, target: ResolvedTarget): Promise<ProbeOutcome> {
  const where = `${c.host}:${c.port}`;
  let conn: Connection | undefined;
  try {
    conn = await createConnection({
      host: c.host,
      port: c.port,
      // Our own socket, pinned to the checked address; `host` stays the name for TLS verification.
      stream: () => net.connect({ host: c.host, port: c.port, lookup: pinnedLookup(target) }),
      user: c.user,
      password: c.password,
      database: c.database,
      ssl: c.ssl ? { rejectUnauthorized: true } : undefined,
      connectTimeout: PROBE_TIMEOUT_MS,
    });
    conn.on('error', () => undefined);
    const [rows] = await conn.query({ sql: 'SELECT 1 AS ok, VERSION() AS version', timeout: PROBE_TIMEOUT_MS });
    const version = (rows as { version?: string }[])[0]?.version ?? '';
    return succeeded(`connected to MySQL-compatible server ${version} at ${where}${c.database ? `, database "${c.database}"` : ''}, as "${c.user}"`);
  } catch (err) {
    return describeMysqlError(err, c);
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

function describeMysqlError(err: unknown, c: MysqlConfig): ProbeOutcome {
  const where = `${c.host}:${c.port}`;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return failed('FF_CONN_AUTH', `MySQL at ${where} refused the ${c.password ? 'password' : 'empty password'} for user "${c.user}"`);
    case 'ER_DBACCESS_DENIED_ERROR':
      return failed('FF_CONN_AUTH', `MySQL at ${where}: user "${c.user}" may not use database "${c.database ?? ''}"`);
    case 'ER_BAD_DB_ERROR':
      return failed('FF_CONN_NOT_FOUND', `MySQL at ${where} has no database "${c.database ?? ''}"`);
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return failed('FF_CONN_TLS', `MySQL at ${where} does not accept SSL; set ssl: false`);
    default:
      return describeNetworkError(err, 'MySQL', where) ?? failed('FF_CONN_FAILED', `MySQL at ${where}: ${message}`);
  }
}
