import { metricsRegistry } from '@flowforge/service-kit';
import { Counter, Histogram, type Registry } from 'prom-client';

interface SchedulerMetrics {
  fires: Counter<'outcome'>;
  fireDelay: Histogram;
}

/** Per registry (tests reset it): one set of metrics per process, as the kit's own. */
const byRegistry = new WeakMap<Registry, SchedulerMetrics>();

function metrics(): SchedulerMetrics {
  const r = metricsRegistry();
  let m = byRegistry.get(r);
  if (m) return m;
  m = {
    fires: new Counter({
      name: 'ff_scheduler_fires_total',
      help: 'Fire times decided by the fire loop of this process (committed), by outcome: fired, skipped, buffered',
      labelNames: ['outcome'],
      registers: [r],
    }),
    fireDelay: new Histogram({
      name: 'ff_scheduler_fire_delay_seconds',
      help: 'Publish time of a RunRequested minus its nominal fire time (jitter and catch-up included), committed by this process',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 3600],
      registers: [r],
    }),
  };
  byRegistry.set(r, m);
  return m;
}

/** Counts a committed loop transaction. */
export function countFires(report: { fired: number; skipped: number; buffered: number; delays: number[] }): void {
  const m = metrics();
  if (report.fired) m.fires.inc({ outcome: 'fired' }, report.fired);
  if (report.skipped) m.fires.inc({ outcome: 'skipped' }, report.skipped);
  if (report.buffered) m.fires.inc({ outcome: 'buffered' }, report.buffered);
  for (const d of report.delays) m.fireDelay.observe(Math.max(0, d) / 1000);
}
