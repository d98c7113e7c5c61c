import { forbiddenAddressIn, resolvePublicTarget, type ResolvedTarget } from '@flowforge/connectors';

/** Stable codes of a failed connection test; the message says what failed in words. */
export type ProbeFailureCode =
  | 'FF_CONN_REFUSED'
  | 'FF_CONN_HOST_NOT_FOUND'
  | 'FF_CONN_TIMEOUT'
  | 'FF_CONN_AUTH'
  | 'FF_CONN_NOT_FOUND'
  | 'FF_CONN_NOT_A_DIRECTORY'
  | 'FF_CONN_NOT_WRITABLE'
  | 'FF_CONN_TLS'
  | 'FF_CONN_FORBIDDEN_ADDRESS'
  | 'FF_CONN_FORBIDDEN_PATH'
  | 'FF_CONN_HTTP_STATUS'
  | 'FF_CONN_FAILED';

export type ProbeOutcome = { ok: true; message: string } | { ok: false; code: ProbeFailureCode; message: string };

/** What `POST /connections/{id}/test` answers. */
export type ConnectionTestResult = ProbeOutcome & { latencyMs: number };

export const succeeded = (message: string): ProbeOutcome => ({ ok: true, message });
export const failed = (code: ProbeFailureCode, message: string): ProbeOutcome => ({ ok: false, code, message });

/** Default budget of one probe; http connections carry their own timeoutMs. */
export const PROBE_TIMEOUT_MS = 5_000;

function errnoOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  // Drivers wrap socket errors (AggregateError for dual-stack attempts, kafkajs' cause chains).
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      cur = errors[0];
      continue;
    }
    cur = (cur as { cause?: unknown }).cause ?? (cur as { originalError?: unknown }).originalError;
  }
  // Some drivers (kafkajs) keep only the text: "Connection error: connect ECONNREFUSED 127.0.0.1:1".
  return /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)\b/.exec(err instanceof Error ? err.message : String(err))?.[1];
}

/** Socket-level failures, the same words for every driver; null when `err` is not one. */
export function describeNetworkError(err: unknown, what: string, where: string): ProbeOutcome | null {
  const refused = forbiddenAddressIn(err);
  if (refused) return failed('FF_CONN_FORBIDDEN_ADDRESS', refused.message);
  const message = err instanceof Error ? err.message : String(err);
  switch (errnoOf(err)) {
    case 'ECONNREFUSED':
      return failed('FF_CONN_REFUSED', `${what} at ${where} refused the connection (nothing listens there: check host and port)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return failed('FF_CONN_HOST_NOT_FOUND', `${what} host ${where.replace(/:\d+$/, '')} could not be resolved (DNS lookup failed)`);
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return failed('FF_CONN_TIMEOUT', `${what} at ${where} did not answer in time`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return failed('FF_CONN_REFUSED', `${what} at ${where} is unreachable from this server (no route to host)`);
    case 'ECONNRESET':
    case 'EPIPE':
      return failed('FF_CONN_FAILED', `${what} at ${where} closed the connection unexpectedly (TLS expected, or a proxy in between?)`);
    default:
      if (/timeout|timed out/i.test(message)) return failed('FF_CONN_TIMEOUT', `${what} at ${where} did not answer in time`);
      if (/certificate|self[- ]signed|SSL|TLS/i.test(message)) return failed('FF_CONN_TLS', `${what} at ${where}: TLS failed (${message})`);
      return null;
  }
}

/**
 * Runs `probe` against `host` only once the outbound address guard accepted it (network-guard.ts): a
 * refused address answers FF_CONN_FORBIDDEN_ADDRESS before any packet leaves, so the answer is the same
 * whether a port is open or closed there (no scanning of the platform's own network). The probe must
 * connect to `target.address`, the address that was checked (no DNS rebinding in between).
 */
export async function probeGuarded(
  host: string,
  allowPrivateNetworks: boolean,
  what: string,
  where: string,
  probe: (target: ResolvedTarget) => Promise<ProbeOutcome>,
): Promise<ProbeOutcome> {
  let target: ResolvedTarget;
  try {
    target = await resolvePublicTarget(host, allowPrivateNetworks);
  } catch (err) {
    return (
      describeNetworkError(err, what, where) ??
      failed('FF_CONN_HOST_NOT_FOUND', `${what} host ${host} could not be resolved (${err instanceof Error ? err.message : String(err)})`)
    );
  }
  return probe(target);
}
