import { forbiddenAddressIn } from './network-guard';
import { LocationError } from './location.errors';

function errnoOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  // SDKs wrap socket errors (AggregateError for dual-stack attempts, `cause` chains).
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
  // Some wrappers keep only the text ("AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1").
  return /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)\b/.exec(err instanceof Error ? err.message : String(err))?.[1];
}

/**
 * The outbound guard's refusal (FF_LOCATION_REFUSED) or a socket-level failure (FF_LOCATION_UNREACHABLE)
 * somewhere in `err`, in the same words for every networked location (object stores, http, sftp, ftp, smb);
 * null when `err` is neither (the caller maps the server's own answer). `where` is a host, host:port or URL
 * origin, never one carrying credentials.
 */
export function networkLocationError(err: unknown, what: string, where: string): LocationError | null {
  if (err instanceof LocationError) return err;
  const refused = forbiddenAddressIn(err);
  if (refused) return new LocationError('FF_LOCATION_REFUSED', refused.message);
  const name = (err as { name?: string } | null)?.name;
  if (name === 'AbortError') return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where}: the request was aborted`);
  if (name === 'TimeoutError') return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} did not answer in time`);
  const message = err instanceof Error ? err.message : String(err);
  switch (errnoOf(err)) {
    case 'ECONNREFUSED':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} refused the connection (nothing listens there: check host and port)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} host ${where.replace(/:\d+$/, '')} could not be resolved (DNS lookup failed)`);
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} did not answer in time`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} is unreachable from this server (no route to host)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} closed the connection unexpectedly`);
    default:
      // A refused login over TLS mentions TLS too: that one is the server's answer, mapped by the caller.
      if (/certificate|self[- ]signed|SSL|TLS|handshake/i.test(message) && !/authentication/i.test(message))
        return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where}: TLS failed (${message})`);
      if (/timeout|timed out/i.test(message)) return new LocationError('FF_LOCATION_UNREACHABLE', `${what} at ${where} did not answer in time`);
      return null;
  }
}
