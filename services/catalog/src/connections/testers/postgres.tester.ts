import { isIP } from 'node:net';
import { Client } from 'pg';
import type { PostgresConfig } from '../connection-types';
import type { ResolvedTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

/** Connects (to the address the guard checked), runs `SELECT 1`, disconnects. */
export function probePostgres(c: PostgresConfig): Promise<ProbeOutcome> {
  return probeGuarded(c.host, c.allowPrivateNetworks, 'PostgreSQL', `${c.host}:${c.port}`, (target) => connectAndSelect(c, target));
}

async function connectAndSelect(c: PostgresConfig, target: ResolvedTarget): Promise<ProbeOutcome> {
  const where = `${c.host}:${c.port}`;
  const client = new Client({
    host: target.address,
    port: c.port,
    database: c.database,
    user: c.user,
    password: c.password,
    // The socket goes to the checked address; the certificate is still verified against the configured name.
    ssl: c.ssl ? { rejectUnauthorized: true, ...(isIP(c.host) ? {} : { servername: c.host }) } : false,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
    application_name: 'flowforge-connection-test',
  });
  client.on('error', () => undefined); // a late socket error after end() must not crash the process
  try {
    await client.connect();
    const res = await client.query<{ version: string }>('SELECT 1 AS ok, current_setting($1) AS version', ['server_version']);
    return succeeded(`connected to PostgreSQL ${res.rows[0]?.version ?? ''} at ${where}, database "${c.database}", as "${c.user}"`.replace(/ {2}/g, ' '));
  } catch (err) {
    return describePostgresError(err, c);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describePostgresError(err: unknown, c: PostgresConfig): ProbeOutcome {
  const where = `${c.host}:${c.port}`;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case '28P01':
      return failed('FF_CONN_AUTH', `PostgreSQL at ${where} refused the password for user "${c.user}"`);
    case '28000':
      return failed('FF_CONN_AUTH', `PostgreSQL at ${where} refused user "${c.user}": ${message}`);
    case '3D000':
      return failed('FF_CONN_NOT_FOUND', `PostgreSQL at ${where} has no database "${c.database}"`);
    case '42501':
      return failed('FF_CONN_AUTH', `PostgreSQL at ${where}: user "${c.user}" may not connect to database "${c.database}"`);
    default:
      if (/does not support SSL|SSL off/i.test(message)) return failed('FF_CONN_TLS', `PostgreSQL at ${where} does not accept SSL; set ssl: false`);
      return describeNetworkError(err, 'PostgreSQL', where) ?? failed('FF_CONN_FAILED', `PostgreSQL at ${where}: ${message}`);
  }
}
