import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { metricsRegistry } from '@flowforge/service-kit';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { RunOutbox } from './run.outbox';

interface OrchestratorMetrics {
  runTransitions: Counter<'to'>;
  runs: Gauge<'state'>;
  steps: Gauge<'state'>;
  stepDuration: Histogram<'job_type' | 'outcome'>;
  dispatchLag: Histogram<'executor'>;
}

/** The database the gauges read at scrape time: the latest orchestrator started in this process. */
let source: Pool | null = null;

const RUN_GAUGE_STATES = ['queued', 'running'] as const;
const STEP_GAUGE_STATES = ['pending', 'held', 'queued', 'running', 'retrying'] as const;

/**
 * A gauge's count at scrape time; null (and the gauge's series dropped, rather than left stale) when
 * there is no orchestrator or the database does not answer — the rest of /metrics is still served.
 */
async function scrapeQuery(gauge: Gauge<'state'>, sql: string): Promise<{ state: string; n: number }[] | null> {
  try {
    if (!source) throw new Error('no orchestrator in this process');
    return (await source.query<{ state: string; n: number }>(sql)).rows;
  } catch {
    gauge.reset();
    return null;
  }
}

/** Per registry (tests reset it): one set of metrics per process, as the kit's own. */
const byRegistry = new WeakMap<Registry, OrchestratorMetrics>();

function metrics(): OrchestratorMetrics {
  const r = metricsRegistry();
  let m = byRegistry.get(r);
  if (m) return m;
  m = {
    runTransitions: new Counter({
      name: 'ff_orchestrator_run_transitions_total',
      help: 'Run state changes committed by this process, by the state entered (queued, running, succeeded, failed, cancelled, timed_out)',
      labelNames: ['to'],
      registers: [r],
    }),
    runs: new Gauge({
      name: 'ff_orchestrator_runs',
      help: 'Active runs by state, read from the database at scrape time (every replica reports the same total)',
      labelNames: ['state'],
      registers: [r],
      async collect() {
        const rows = await scrapeQuery(this, `SELECT state, count(*)::int AS n FROM ff_orchestrator.runs WHERE state IN ('queued','running') GROUP BY state`);
        if (!rows) return;
        for (const state of RUN_GAUGE_STATES) this.set({ state }, rows.find((x) => x.state === state)?.n ?? 0);
      },
    }),
    steps: new Gauge({
      name: 'ff_orchestrator_steps',
      help: 'Queue depth: steps of active runs by state — pending (waiting for upstream or a slot), held (by fair share), queued (dispatched, not started), running, retrying — read at scrape time',
      labelNames: ['state'],
      registers: [r],
      async collect() {
        const rows = await scrapeQuery(
          this,
          `SELECT CASE WHEN s.held_at IS NOT NULL THEN 'held' ELSE s.state END AS state, count(*)::int AS n
           FROM ff_orchestrator.runs r JOIN ff_orchestrator.run_steps s ON s.run_id = r.id
           WHERE r.state IN ('queued','running') AND s.state IN ('pending','queued','running','retrying')
           GROUP BY 1`,
        );
        if (!rows) return;
        for (const state of STEP_GAUGE_STATES) this.set({ state }, rows.find((x) => x.state === state)?.n ?? 0);
      },
    }),
    stepDuration: new Histogram({
      name: 'ff_orchestrator_step_duration_seconds',
      help: 'Duration of finished step attempts (started, or dispatched when never started, to finished) by job type and outcome',
      labelNames: ['job_type', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400],
      registers: [r],
    }),
    dispatchLag: new Histogram({
      name: 'ff_orchestrator_dispatch_lag_seconds',
      help: 'Time from dispatching an attempt to the orchestrator recording its start (step.started), by executor',
      labelNames: ['executor'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600],
      registers: [r],
    }),
  };
  byRegistry.set(r, m);
  return m;
}

/**
 * The orchestrator's Prometheus metrics (on the kit's registry, served at /metrics): run transitions,
 * active runs and steps by state (queue depth), step attempt durations, dispatch lag. Counters and
 * histograms count when the transaction's events are published (RunOutbox.onPublished), so a retried
 * or rolled back transaction counts nothing.
 */
@Injectable()
export class RunMetrics implements OnModuleDestroy {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly outbox: RunOutbox,
  ) {
    source = pool;
    metrics();
  }

  onModuleDestroy(): void {
    if (source === this.pool) source = null;
  }

  runEntered(tx: Queryable, to: string): void {
    this.outbox.onPublished(tx, () => metrics().runTransitions.inc({ to }));
  }

  attemptFinished(tx: Queryable, jobType: string, outcome: string, seconds: number): void {
    this.outbox.onPublished(tx, () => metrics().stepDuration.observe({ job_type: jobType, outcome }, Math.max(0, seconds)));
  }

  attemptStarted(tx: Queryable, executor: string, lagSeconds: number): void {
    this.outbox.onPublished(tx, () => metrics().dispatchLag.observe({ executor }, Math.max(0, lagSeconds)));
  }
}
