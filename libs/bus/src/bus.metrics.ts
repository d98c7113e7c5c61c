import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';

/**
 * Prometheus metrics of a bus. Several bus instances (embedded mode, tests) share one registry, so a
 * metric that is already registered is reused instead of registered twice (prom-client throws then).
 */
export class BusMetrics {
  readonly published: Counter<'topic'>;
  readonly consumed: Counter<'topic' | 'group'>;
  readonly deadLettered: Counter<'topic' | 'group'>;
  readonly failed: Counter<'topic' | 'group'>;
  readonly handlerDuration: Histogram<'topic' | 'group'>;
  readonly lag: Gauge<'topic' | 'group' | 'partition'>;

  constructor(registry: Registry = globalRegistry) {
    const reuse = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
    const registers = [registry];
    this.published = reuse(
      'ff_bus_published_total',
      () => new Counter({ name: 'ff_bus_published_total', help: 'Events appended to the bus log', labelNames: ['topic'], registers }),
    );
    this.consumed = reuse(
      'ff_bus_consumed_total',
      () =>
        new Counter({
          name: 'ff_bus_consumed_total',
          help: 'Events acknowledged by a consumer group (handled, or skipped as duplicates)',
          labelNames: ['topic', 'group'],
          registers,
        }),
    );
    this.deadLettered = reuse(
      'ff_bus_dead_lettered_total',
      () =>
        new Counter({
          name: 'ff_bus_dead_lettered_total',
          help: 'Events moved to <topic>.dlq by a consumer group',
          labelNames: ['topic', 'group'],
          registers,
        }),
    );
    this.failed = reuse(
      'ff_bus_handler_failures_total',
      () =>
        new Counter({
          name: 'ff_bus_handler_failures_total',
          help: 'Handler attempts that threw (each retry counts)',
          labelNames: ['topic', 'group'],
          registers,
        }),
    );
    this.handlerDuration = reuse(
      'ff_bus_handler_duration_seconds',
      () =>
        new Histogram({
          name: 'ff_bus_handler_duration_seconds',
          help: 'Handler run time per event',
          labelNames: ['topic', 'group'],
          buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
          registers,
        }),
    );
    this.lag = reuse(
      'ff_bus_consumer_lag',
      () =>
        new Gauge({
          name: 'ff_bus_consumer_lag',
          help: 'Events in a partition not yet committed by the group (head - committed offset), sampled on fetch',
          labelNames: ['topic', 'group', 'partition'],
          registers,
        }),
    );
  }
}
