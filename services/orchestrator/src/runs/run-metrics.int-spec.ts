import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { resetMetricsRegistry } from '@flowforge/service-kit';
import { BUILTIN_JOBS, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';

const WORKFLOWS = `apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: measured\nspec:\n  steps:\n    - { id: a, job: nap }\n    - { id: b, job: boom, dependsOn: [a], retry: { maxAttempts: 1 } }\n---
apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: waiting\nspec:\n  steps:\n    - { id: a, job: long-sleep }\n    - { id: b, job: noop, dependsOn: [a] }\n`;

/** One sample of the /metrics text: the value of `name{labels}` (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => {
          const [k, v] = kv.split('=');
          return [k!, JSON.parse(v!) as string];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('orchestrator metrics on /metrics', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;
  const scrape = async (): Promise<string> => {
    const res = await fetch(`${h.base}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    resetMetricsRegistry();
    db = await createTestDatabase('ff_orch_metrics');
    h = await startOrchestrator(db.url);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('moves with a real run: transitions by state, step durations by type and outcome, dispatch lag, queue depth', async () => {
    const before = await scrape();
    expect(sample(before, 'ff_orchestrator_runs', { state: 'running' })).toBe(0);
    const failedBefore = sample(before, 'ff_orchestrator_run_transitions_total', { to: 'failed' }) ?? 0;

    const run = await h.createRun('measured');
    expect((await h.waitRun(run.id)).state).toBe('failed');
    const after = await scrape();
    expect(sample(after, 'ff_orchestrator_run_transitions_total', { to: 'queued' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'ff_orchestrator_run_transitions_total', { to: 'running' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'ff_orchestrator_run_transitions_total', { to: 'failed' })).toBe(failedBefore + 1);
    // nap sleeps 50 ms: one succeeded sleep attempt of at least that long; one failed attempt of boom.
    expect(sample(after, 'ff_orchestrator_step_duration_seconds_count', { job_type: 'sleep', outcome: 'succeeded' })).toBe(1);
    expect(sample(after, 'ff_orchestrator_step_duration_seconds_sum', { job_type: 'sleep', outcome: 'succeeded' })).toBeGreaterThanOrEqual(0.04);
    expect(sample(after, 'ff_orchestrator_step_duration_seconds_bucket', { job_type: 'sleep', outcome: 'succeeded', le: '0.01' })).toBe(0);
    expect(sample(after, 'ff_orchestrator_step_duration_seconds_count', { job_type: 'fail', outcome: 'failed' })).toBe(1);
    expect(sample(after, 'ff_orchestrator_dispatch_lag_seconds_count', { executor: 'builtin' })).toBe(2);

    // Queue depth: a running run with one step running and one pending behind it.
    const waiting = await h.createRun('waiting');
    await h.waitRun(waiting.id, (r) => r.state === 'running' && (r.steps ?? []).some((s) => s.state === 'running'));
    const busy = await scrape();
    expect(sample(busy, 'ff_orchestrator_runs', { state: 'running' })).toBe(1);
    expect(sample(busy, 'ff_orchestrator_steps', { state: 'running' })).toBe(1);
    expect(sample(busy, 'ff_orchestrator_steps', { state: 'pending' })).toBe(1);
    expect(sample(busy, 'ff_orchestrator_steps', { state: 'held' })).toBe(0);

    await h.api('POST', `/internal/orchestrator/runs/${waiting.id}/cancel`, {});
    await h.waitRun(waiting.id);
    const idle = await scrape();
    expect(sample(idle, 'ff_orchestrator_runs', { state: 'running' })).toBe(0);
    expect(sample(idle, 'ff_orchestrator_steps', { state: 'pending' })).toBe(0);
    expect(sample(idle, 'ff_orchestrator_run_transitions_total', { to: 'cancelled' })).toBe(1);
    expect(sample(idle, 'ff_orchestrator_step_duration_seconds_count', { job_type: 'sleep', outcome: 'cancelled' })).toBe(1);
  });
});
