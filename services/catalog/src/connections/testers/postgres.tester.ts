import { isIP } from 'node:net';
import { Client } from 'pg';
import type { PostgresConfig } from '../connection-types';
import type { ResolvedTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

/** What a PostgreSQL-protocol probe needs: the fields postgres and redshift connections share. */
export interface PgWireConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  ssl: boolean;
  allowPrivateNetworks: boolean;
}

/** How one server speaking the PostgreSQL protocol is named, and asked and told its version. */
export interface PgWireFlavour {
  /** The server's name in messages: "PostgreSQL", "Amazon Redshift". */
  readonly what: string;
  /** A query answering one row with a `version` column (and proving the session can run one). */
  readonly versionSql: string;
  /** The version as the success message shows it. */
  readonly version: (raw: string) => string;
}

/** PostgreSQL itself: `current_setting('server_version')`, e.g. "15.4". */
export const POSTGRES_FLAVOUR: PgWireFlavour = {
  what: 'PostgreSQL',
  versionSql: `SELECT 1 AS ok, current_setting('server_version') AS version`,
  version: (raw) => raw,
};

/** Connects (to the address the guard checked), runs `SELECT 1`, disconnects. */
export function probePostgres(c: PostgresConfig): Promise<ProbeOutcome> {
  return probePgWire(c, POSTGRES_FLAVOUR);
}

/**
 * The probe of every server speaking the PostgreSQL protocol (postgres, redshift): the host passes the
 * address guard, the client connects to the checked address, runs `flavour.versionSql`, disconnects.
 */
export function probePgWire(c: PgWireConfig, flavour: PgWireFlavour): Promise<ProbeOutcome> {
  return probeGuarded(c.host, c.allowPrivateNetworks, flavour.what, `${c.host}:${c.port}`, (target) => connectAndSelect(c, flavour, target));
}

async function connectAndSelect(c: PgWireConfig, flavour: PgWireFlavour, target: ResolvedTarget): Promise<ProbeOutcome> {
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
    const res = await client.query<{ version: string }>(flavour.versionSql);
    const version = flavour.version(res.rows[0]?.version ?? '');
    return succeeded(`connected to ${flavour.what} ${version} at ${where}, database "${c.database}", as "${c.user}"`.replace(/ {2}/g, ' '));
  } catch (err) {
    return describePgWireError(err, c, flavour.what);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describePgWireError(err: unknown, c: PgWireConfig, what: string): ProbeOutcome {
  const where = `${c.host}:${c.port}`;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case '28P01':
      return failed('FF_CONN_AUTH', `${what} at ${where} refused the password for user "${c.user}"`);
    case '28000':
      return failed('FF_CONN_AUTH', `${what} at ${where} refused user "${c.user}": ${message}`);
    case '3D000':
      return failed('FF_CONN_NOT_FOUND', `${what} at ${where} has no database "${c.database}"`);
    case '42501':
      return failed('FF_CONN_AUTH', `${what} at ${where}: user "${c.user}" may not connect to database "${c.database}"`);
    default:
      if (/does not support SSL|SSL off/i.test(message)) return failed('FF_CONN_TLS', `${what} at ${where} does not accept SSL; set ssl: false`);
      return describeNetworkError(err, what, where) ?? failed('FF_CONN_FAILED', `${what} at ${where}: ${message}`);
  }
}
