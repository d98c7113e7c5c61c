import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, startOrchestrator, waitFor, type OrchestratorHarness } from '../../test/orchestrator.harness';
import type { RunView } from './run.views';

const stateOf = (run: RunView): Record<string, string> => Object.fromEntries((run.steps ?? []).map((s) => [s.stepId, s.state]));

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: slow
spec:
  steps:
    - { id: warmup, job: noop }
    - { id: sleep, job: long-sleep, dependsOn: [warmup] }
    - { id: after, job: noop, dependsOn: [sleep] }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: step-timeout
spec:
  steps:
    - id: sleep
      job: long-sleep
      timeoutMs: 300
      retry: { maxAttempts: 2, initialDelayMs: 10 }
    - { id: after, job: noop, dependsOn: [sleep] }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: run-timeout
spec:
  timeoutMs: 500
  steps:
    - { id: sleep, job: long-sleep }
    - { id: after, job: noop, dependsOn: [sleep] }
`;

describe('run control: cancel, step and run timeouts', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_ctl');
    h = await startOrchestrator(db.url);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('cancels a run mid-step: the running sleep is asked to stop, open steps and the run are cancelled', async () => {
    const { id } = await h.createRun('slow');
    await h.waitRun(id, (r) => stateOf(r).sleep === 'running');
    const res = await h.api<RunView>('POST', `/internal/orchestrator/runs/${id}/cancel`, { reason: 'wrong day', requestedBy: 'alice' });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('cancelled');
    expect(res.body.reason).toBe('cancelled by alice: wrong day');
    expect({ requestedBy: res.body.requestedBy, cancelledBy: res.body.cancelledBy }).toEqual({ requestedBy: 'anonymous', cancelledBy: 'alice' });
    expect(stateOf(res.body)).toEqual({ warmup: 'succeeded', sleep: 'cancelled', after: 'cancelled' });
    expect(res.body.steps!.find((s) => s.stepId === 'sleep')!.attempts[0]!.state).toBe('cancelled');
    // The builtin executor aborts the sleep and reports FF_STEP_CANCELLED: a stale answer, ignored.
    await waitFor('the executor to report the aborted attempt', async () => {
      const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.step.failed' AND key = $1`, [id]);
      return rows[0].n > 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.getRun(id)).state).toBe('cancelled');
    // Cancelling again is a no-op; a finished run cannot be cancelled.
    expect((await h.api('POST', `/internal/orchestrator/runs/${id}/cancel`, {})).status).toBe(200);
    const done = await h.waitRun((await h.createRun('step-timeout')).id, undefined, 20_000);
    const conflict = await h.api<{ code: string }>('POST', `/internal/orchestrator/runs/${done.id}/cancel`, {});
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('FF_RUN_ALREADY_FINISHED');
  });

  it("records who asks: the body's requestedBy (the gateway's caller, a peer service naming itself), else the forwarded actor", async () => {
    // What the gateway forwards for an API token (libs/access actorHeaders), without a requestedBy in the body.
    const asToken = {
      'x-flowforge-actor-type': 'token',
      'x-flowforge-actor-id': 'b1f0c3a4-0000-4000-8000-000000000001',
      'x-flowforge-actor-name': encodeURIComponent('ci (bob)'),
    };
    const started = await h.api<RunView>('POST', '/internal/orchestrator/runs', { workflow: 'slow' }, asToken);
    expect(started.status).toBe(201);
    expect(started.body.requestedBy).toBe('token:ci (bob)');
    const cancelled = await h.api<RunView>(
      'POST',
      `/internal/orchestrator/runs/${started.body.id}/cancel`,
      {},
      { 'x-flowforge-actor-type': 'user', 'x-flowforge-actor-id': 'u-1', 'x-flowforge-actor-name': 'carol' },
    );
    expect(cancelled.body).toMatchObject({ state: 'cancelled', requestedBy: 'token:ci (bob)', cancelledBy: 'carol', reason: 'cancelled by carol' });
    // A peer service names itself in the body (the scheduler, a trigger); the body wins over the headers.
    const scheduled = await h.api<RunView>('POST', '/internal/orchestrator/runs', { workflow: 'slow', requestedBy: 'scheduler' }, asToken);
    expect(scheduled.body.requestedBy).toBe('scheduler');
    const byTrigger = await h.api<RunView>('POST', `/internal/orchestrator/runs/${scheduled.body.id}/cancel`, { requestedBy: 'trigger:3f2a' });
    expect(byTrigger.body.cancelledBy).toBe('trigger:3f2a');
    // A rerun records who re-ran it, not who started the parent.
    const rerun = await h.api<RunView>(
      'POST',
      `/internal/orchestrator/runs/${scheduled.body.id}/rerun`,
      {},
      { 'x-flowforge-actor-type': 'user', 'x-flowforge-actor-id': 'u-2', 'x-flowforge-actor-name': 'dave' },
    );
    expect(rerun.status).toBe(201);
    expect(rerun.body).toMatchObject({ parentRunId: scheduled.body.id, requestedBy: 'dave', cancelledBy: null });
    await h.api('POST', `/internal/orchestrator/runs/${rerun.body.id}/cancel`, { requestedBy: 'dave' });
    // Bad input: a requestedBy that is not a non-empty string is a 400 naming the field.
    const bad = await h.api<{ errors: { field: string }[] }>('POST', '/internal/orchestrator/runs', { workflow: 'slow', requestedBy: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['requestedBy']);
  });

  it('times a step out and retries it per its retry policy, then gives up with timed_out', async () => {
    const run = await h.waitRun((await h.createRun('step-timeout')).id, undefined, 20_000);
    expect(run.state).toBe('failed');
    expect(stateOf(run)).toEqual({ sleep: 'timed_out', after: 'upstream_failed' });
    const sleep = run.steps!.find((s) => s.stepId === 'sleep')!;
    expect(sleep.attempts.map((a) => a.state)).toEqual(['timed_out', 'timed_out']);
    expect(sleep.errorCode).toBe('FF_STEP_TIMEOUT');
    expect(sleep.errorMessage).toContain('exceeded its timeout of 300 ms');
  });

  it('times the run out: the running step times out, what never started is cancelled', async () => {
    const run = await h.waitRun((await h.createRun('run-timeout')).id, undefined, 20_000);
    expect(run.state).toBe('timed_out');
    expect(run.reason).toContain('FF_RUN_TIMEOUT');
    expect(stateOf(run)).toEqual({ sleep: 'timed_out', after: 'cancelled' });
    const took = new Date(run.finishedAt!).getTime() - new Date(run.startedAt!).getTime();
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(10_000);
  });
});
