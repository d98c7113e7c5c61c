import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * One Registry per process: in embedded mode every service module shares it, so /metrics shows the
 * whole process once (a per-module registry would duplicate the default metrics).
 */
export function metricsRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** For tests that build several apps in one jest worker. */
export function resetMetricsRegistry(): void {
  registry?.clear();
  registry = undefined;
  cache.clear();
}

const cache = new Map<string, unknown>();

function once<T>(name: string, make: (r: Registry) => T): T {
  const r = metricsRegistry();
  if (!cache.has(name)) cache.set(name, make(r));
  return cache.get(name) as T;
}

export function httpRequestDuration(): Histogram<'method' | 'route' | 'status'> {
  return once(
    'http',
    (r) =>
      new Histogram({
        name: 'ff_http_request_duration_seconds',
        help: 'HTTP request duration by method, route template and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [r],
      }),
  );
}

/** Gateway: requests refused by authentication or RBAC, by reason (an alert on a spike of `forbidden` or `unauthenticated`). */
export function authDenials(): Counter<'reason'> {
  return once(
    'auth-denials',
    (r) =>
      new Counter({
        name: 'ff_gateway_auth_denied_total',
        help: 'Requests the gateway refused: unauthenticated (401), forbidden by RBAC (403), password change required (403)',
        labelNames: ['reason'],
        registers: [r],
      }),
  );
}

/** Auth service: sign-in attempts by outcome (brute force shows as failures and locked). */
export function authLogins(): Counter<'outcome'> {
  return once(
    'auth-logins',
    (r) =>
      new Counter({
        name: 'ff_auth_logins_total',
        help: 'Sign-in attempts of built-in accounts: success, failure, locked, mfa_required',
        labelNames: ['outcome'],
        registers: [r],
      }),
  );
}

/** runProcess: errors no code caught (an alert on any uncaught_exception; a rising unhandled_rejection is a bug to find in the logs). */
export function processUnexpectedErrors(): Counter<'kind'> {
  return once(
    'process-unexpected-errors',
    (r) =>
      new Counter({
        name: 'ff_process_unexpected_errors_total',
        help: 'Errors no code caught: uncaught_exception (the process stops) or unhandled_rejection (it keeps serving)',
        labelNames: ['kind'],
        registers: [r],
      }),
  );
}
