import { LocationError } from './location.errors';
import { forbiddenAddressIn, resolvePublicTarget, type ResolvedTarget } from './network-guard';

/**
 * The host of a networked location (sftp, ftp, smb), judged by the outbound address guard as catalog
 * testers judge it: loopback, private, link-local and metadata addresses are refused (FF_LOCATION_REFUSED)
 * unless the connection allows private networks. The caller connects to the returned address only, so a
 * DNS answer cannot change between the check and the connection.
 */
export async function guardedTarget(host: string, allowPrivateNetworks: boolean, what: string): Promise<ResolvedTarget> {
  try {
    return await resolvePublicTarget(host, allowPrivateNetworks);
  } catch (err) {
    throw socketLocationError(err, what, host) ?? new LocationError('FF_LOCATION_UNREACHABLE', `${what} host ${host} could not be resolved`);
  }
}

function errnoOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      cur = errors[0];
      continue;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A refusal of the guard (FF_LOCATION_REFUSED) or a socket-level failure (FF_LOCATION_UNREACHABLE) in
 * `err`; null when it is neither (the caller maps the server's own answer). `where` is host:port, never
 * anything carrying a credential.
 */
export function socketLocationError(err: unknown, what: string, where: string): LocationError | null {
  if (err instanceof LocationError) return err;
  const refused = forbiddenAddressIn(err);
  if (refused) return new LocationError('FF_LOCATION_REFUSED', refused.message);
  const message = err instanceof Error ? err.message : String(err);
  switch (errnoOf(err)) {
    case 'ECONNREFUSED':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} refused the connection (nothing listens there: check host and port)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} host ${where.replace(/:\d+$/, '')} could not be resolved (DNS lookup failed)`);
    case 'ETIMEDOUT':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} did not answer in time`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} is unreachable from this server (no route to host)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} closed the connection unexpectedly`);
    default:
      if (/certificate|self[- ]signed|SSL|TLS|handshake/i.test(message) && !/authentication/i.test(message))
        return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where}: TLS failed (${message})`);
      if (/timeout|timed out/i.test(message)) return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} did not answer in time`);
      return null;
  }
}

/** Runs `fn` after every earlier call has settled: drivers that allow one command at a time on a session (FTP). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
