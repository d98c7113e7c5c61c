import { LocationError, openLocation, type LocationContext } from '@flowforge/connectors';
import { failed, PROBE_TIMEOUT_MS, succeeded, type ProbeFailureCode, type ProbeOutcome } from './probe-outcome';

const CODES: Record<string, ProbeFailureCode> = {
  FF_LOCATION_REFUSED: 'FF_CONN_FORBIDDEN_ADDRESS',
  FF_LOCATION_AUTH: 'FF_CONN_AUTH',
  FF_LOCATION_NOT_FOUND: 'FF_CONN_NOT_FOUND',
};

/** A location failure in the words of a connection test (the location's message names what failed). */
function outcomeOf(err: LocationError): ProbeOutcome {
  const message = err.message.replace(/^FF_LOCATION_[A-Z_]+: /, '');
  if (err.code === 'FF_LOCATION_UNREACHABLE') {
    if (/could not be resolved/.test(message)) return failed('FF_CONN_HOST_NOT_FOUND', message);
    if (/did not answer in time/.test(message)) return failed('FF_CONN_TIMEOUT', message);
    if (/TLS failed/.test(message)) return failed('FF_CONN_TLS', message);
    return failed('FF_CONN_REFUSED', message);
  }
  return failed(CODES[err.code] ?? 'FF_CONN_FAILED', message);
}

/**
 * The test of a file location type (gcs, azure): the location's own test() — the same code that browses
 * and ingests, so a passing test means those will reach the store. Its sockets pass the address guard.
 */
export async function probeLocation(type: string, config: Record<string, unknown>, ctx: LocationContext, what: string): Promise<ProbeOutcome> {
  let location;
  try {
    location = openLocation(type, config, ctx);
    await location.test(AbortSignal.timeout(PROBE_TIMEOUT_MS * 2));
    return succeeded(`${what} is reachable and can be listed`);
  } catch (err) {
    if (err instanceof LocationError) return outcomeOf(err);
    return failed('FF_CONN_FAILED', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await location?.close().catch(() => undefined);
  }
}
