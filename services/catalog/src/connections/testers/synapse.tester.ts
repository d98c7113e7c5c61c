import net from 'node:net';
import sql from 'mssql';
import type { SynapseConfig } from '../connection-types';
import { forbiddenAddressIn, guardedSocket, pinnedLookup, type ResolvedTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

const WHAT = 'Azure Synapse SQL endpoint';

/**
 * Connects over TDS (the `mssql` driver), runs `SELECT 1, @@VERSION`, disconnects. The server name passes
 * the outbound address guard first and the first socket goes to the address it checked; a gateway
 * redirect (Azure's "Redirect" connection policy sends the client to another host) passes the guard too.
 */
export function probeSynapse(c: SynapseConfig): Promise<ProbeOutcome> {
  return probeGuarded(c.server, c.allowPrivateNetworks, WHAT, `${c.server}:${c.port}`, (target) => connectAndSelect(c, target));
}

/**
 * tedious' `connector`: the socket the driver talks TDS over. The configured server goes to the checked
 * address (no DNS rebinding in between); any other host (a redirect) is judged when it connects.
 */
function guardedConnector(c: SynapseConfig, target: ResolvedTarget): () => Promise<net.Socket> {
  const connect = (opts: { host: string; port: number }, _lookup: unknown, signal: AbortSignal): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const socket =
        opts.host === c.server
          ? net.connect({ host: opts.host, port: opts.port, lookup: pinnedLookup(target) })
          : guardedSocket({ host: opts.host, port: opts.port, allowPrivateNetworks: c.allowPrivateNetworks });
      const onAbort = () => socket.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const onError = (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        resolve(socket);
      });
    });
  // tedious calls it with (options, lookup, signal) like its own connectors; its typings declare no parameters.
  return connect as unknown as () => Promise<net.Socket>;
}

async function connectAndSelect(c: SynapseConfig, target: ResolvedTarget): Promise<ProbeOutcome> {
  const where = `${c.server}:${c.port}`;
  const pool = new sql.ConnectionPool({
    server: c.server,
    port: c.port,
    database: c.database,
    user: c.user,
    password: c.password,
    connectionTimeout: PROBE_TIMEOUT_MS,
    requestTimeout: PROBE_TIMEOUT_MS,
    pool: { min: 0, max: 1 },
    options: {
      encrypt: c.encrypt,
      trustServerCertificate: c.trustServerCertificate,
      appName: 'flowforge-connection-test',
      connector: guardedConnector(c, target),
    },
  });
  pool.on('error', () => undefined); // a late socket error after close() must not crash the process
  try {
    await pool.connect();
    const res = await pool.request().query<{ version: string }>('SELECT 1 AS ok, @@VERSION AS version');
    const version = String(res.recordset[0]?.version ?? '')
      .split('\n')[0]!
      .trim()
      .slice(0, 120);
    return succeeded(`connected to ${WHAT} at ${where}, database "${c.database}", as "${c.user}"${version ? ` (${version})` : ''}`);
  } catch (err) {
    return describeSynapseError(err, c);
  } finally {
    await pool.close().catch(() => undefined);
  }
}

/** The innermost error of a driver's wrapping (mssql's `originalError`, tedious' `cause`): the socket's own. */
function innermost(err: unknown): unknown {
  const seen = new Set<unknown>();
  let cur = err;
  for (;;) {
    if (!cur || typeof cur !== 'object' || seen.has(cur)) return cur;
    seen.add(cur);
    const next = (cur as { originalError?: unknown }).originalError ?? (cur as { cause?: unknown }).cause;
    if (!next) return cur;
    cur = next;
  }
}

function describeSynapseError(err: unknown, c: SynapseConfig): ProbeOutcome {
  const where = `${c.server}:${c.port}`;
  const refused = forbiddenAddressIn(err);
  if (refused) return failed('FF_CONN_FORBIDDEN_ADDRESS', refused.message);
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ELOGIN') {
    if (/cannot open database|database .* does not exist|not currently available/i.test(message))
      return failed('FF_CONN_NOT_FOUND', `${WHAT} at ${where}: database "${c.database}" does not exist or user "${c.user}" may not open it`);
    return failed('FF_CONN_AUTH', `${WHAT} at ${where} refused the login of user "${c.user}" (${message})`);
  }
  if (code === 'ETIMEOUT') return failed('FF_CONN_TIMEOUT', `${WHAT} at ${where} did not answer within ${PROBE_TIMEOUT_MS} ms`);
  if (/encrypt/i.test(message) && !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message))
    return failed('FF_CONN_TLS', `${WHAT} at ${where}: ${message} (see the connection's encrypt setting)`);
  return (
    describeNetworkError(innermost(err), WHAT, where) ?? describeNetworkError(err, WHAT, where) ?? failed('FF_CONN_FAILED', `${WHAT} at ${where}: ${message}`)
  );
}
