import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

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
