import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, jobYaml, startOrchestrator, waitFor, type OrchestratorHarness } from '../../test/orchestrator.harness';
import type { RunView } from './run.views';

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: hog
spec:
  steps:
    - { id: sleep, job: long-sleep }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: quick
spec:
  steps:
    - { id: nap, job: nap }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: unbounded
spec:
  steps:
    - id: sleep
      job: long-sleep
      retry: { maxAttempts: 2, initialDelayMs: 10 }
    - { id: after, job: noop, dependsOn: [sleep] }
---
${jobYaml('once', 'fail', { message: 'fails once on purpose', failAttempts: 1 })}---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: retry-once
spec:
  steps:
    - id: once
      job: once
      retry: { maxAttempts: 2, initialDelayMs: 1500 }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: own-timeout
spec:
  steps:
    - { id: sleep, job: long-sleep, timeoutMs: 300 }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: above-max
spec:
  steps:
    - { id: sleep, job: long-sleep, timeoutMs: 3600000 }
`;

/** Attempts out (dispatched or running) per requester on the builtin pool, as the orchestrator sees them. */
async function outBy(h: OrchestratorHarness, requester: string): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ff_orchestrator.run_steps s JOIN ff_orchestrator.runs r ON r.id = s.run_id
     WHERE s.executor = 'builtin' AND s.state IN ('queued','running') AND r.requested_by = $1`,
    [requester],
  );
  return rows[0]!.n;
}

describe('fair share of executor pools (defaults: builtin pool of 64 slots, 50 % per requester)', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_fair');
    h = await startOrchestrator(db.url);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('a requester filling the pool with long sleeps gets its share; another requester still gets a slot and finishes', async () => {
    // 70 one-minute sleeps: more than the whole builtin pool (64), which without fair share they would fill.
    const hogs: RunView[] = [];
    for (let i = 0; i < 70; i++) hogs.push(await h.createRun('hog', {}, { requestedBy: 'alice' }));
    await waitFor('alice at her share', async () => ((await outBy(h, 'alice')) === 32 ? true : undefined));
    const { rows: held } = await h.pool.query<{ n: number; reason: string }>(
      `SELECT count(*)::int AS n, min(s.reason) AS reason FROM ff_orchestrator.run_steps s JOIN ff_orchestrator.runs r ON r.id = s.run_id
       WHERE r.requested_by = 'alice' AND s.state = 'pending' AND s.held_at IS NOT NULL`,
    );
    expect(held[0]!.n).toBe(38);
    expect(held[0]!.reason).toContain('FF_STEP_FAIR_SHARE: waiting for a slot of executor "builtin": requester "alice" has 32 attempt(s) out');
    // The held steps never reached the executor: its topic carries alice's 32 dispatches only.
    const { rows: sent } = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ff_orchestrator.step_attempts a JOIN ff_orchestrator.runs r ON r.id = a.run_id WHERE r.requested_by = 'alice'`,
    );
    expect(sent[0]!.n).toBe(32);

    const started = Date.now();
    const bob = await h.waitRun((await h.createRun('quick', {}, { requestedBy: 'bob' })).id, undefined, 15_000);
    expect(bob.state).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await outBy(h, 'alice')).toBe(32); // bob's run did not cost alice her share either

    // When alice's own attempts end, her held steps go out, oldest first, up to her share again.
    const running = hogs.slice(0, 5);
    for (const r of running) expect((await h.api('POST', `/internal/orchestrator/runs/${r.id}/cancel`, { reason: 'make room' })).status).toBe(200);
    await waitFor('five held steps dispatched', async () => {
      const { rows } = await h.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ff_orchestrator.step_attempts a JOIN ff_orchestrator.runs r ON r.id = a.run_id WHERE r.requested_by = 'alice'`,
      );
      return rows[0]!.n === 37 ? true : undefined;
    });
    expect(await outBy(h, 'alice')).toBe(32);
    const { rows: order } = await h.pool.query<{ seq: string }>(
      `SELECT r.seq FROM ff_orchestrator.runs r JOIN ff_orchestrator.run_steps s ON s.run_id = r.id
       WHERE r.requested_by = 'alice' AND s.state IN ('queued','running') ORDER BY r.seq`,
    );
    // FIFO: the 37 oldest runs got their attempt (5 of them cancelled), the 33 youngest still wait.
    const { rows: waiting } = await h.pool.query<{ seq: string }>(
      `SELECT min(r.seq) AS seq FROM ff_orchestrator.runs r JOIN ff_orchestrator.run_steps s ON s.run_id = r.id WHERE r.requested_by = 'alice' AND s.state = 'pending'`,
    );
    expect(order.every((o) => BigInt(o.seq) < BigInt(waiting[0]!.seq))).toBe(true);

    // A cancelled run's held step is no longer held (nothing would ever send it).
    const last = hogs[hogs.length - 1]!;
    await h.api('POST', `/internal/orchestrator/runs/${last.id}/cancel`, { reason: 'never mind' });
    const { rows: cleared } = await h.pool.query<{ held_at: Date | null; state: string }>(
      `SELECT held_at, state FROM ff_orchestrator.run_steps WHERE run_id = $1`,
      [last.id],
    );
    expect(cleared[0]).toEqual({ held_at: null, state: 'cancelled' });
    for (const r of hogs.slice(5, -1)) await h.api('POST', `/internal/orchestrator/runs/${r.id}/cancel`, { reason: 'test over' });
  }, 60_000);
});

describe('fair share on a small pool (builtin=4: two slots per requester or workflow)', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;
  let byWorkflow: OrchestratorHarness;
  const cancelAll = async (hh: OrchestratorHarness, runs: RunView[]): Promise<void> => {
    for (const r of runs) await hh.api('POST', `/internal/orchestrator/runs/${r.id}/cancel`, { reason: 'test over' });
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_fair_small');
    h = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS: 'builtin=4' });
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await byWorkflow?.stop();
    await h?.stop();
    await db?.drop();
  });

  it('holds a due retry while its requester is at its share (not polled), and sends it when a slot of theirs frees', async () => {
    const flaky = await h.createRun('retry-once', {}, { requestedBy: 'carol' });
    await h.waitRun(flaky.id, (r) => r.steps![0]!.state === 'retrying');
    const hogs = [await h.createRun('hog', {}, { requestedBy: 'carol' }), await h.createRun('hog', {}, { requestedBy: 'carol' })];
    await waitFor('carol at her share', async () => ((await outBy(h, 'carol')) === 2 ? true : undefined));
    const held = await waitFor('the due retry held', async () => {
      const { rows } = await h.pool.query<{ state: string; held_at: Date | null; wake_at: Date | null; reason: string }>(
        `SELECT state, held_at, wake_at, reason FROM ff_orchestrator.run_steps WHERE run_id = $1`,
        [flaky.id],
      );
      return rows[0]!.held_at ? rows[0] : undefined;
    });
    expect(held).toMatchObject({ state: 'retrying', wake_at: null });
    expect(held.reason).toContain('requester "carol" has 2 attempt(s) out');
    expect((await h.getRun(flaky.id)).steps![0]!.attempts).toHaveLength(1);

    await h.api('POST', `/internal/orchestrator/runs/${hogs[0]!.id}/cancel`, { reason: 'make room' });
    const done = await h.waitRun(flaky.id, undefined, 10_000);
    expect(done.state).toBe('succeeded');
    expect(done.steps![0]!.attempts.map((a) => a.state)).toEqual(['failed', 'succeeded']);
    await cancelAll(h, hogs);
  });

  it('with FAIR_SHARE_BY=workflow counts the workflow, whoever requested its runs', async () => {
    byWorkflow = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS: 'builtin=4', FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY: 'workflow' });
    await h.stop(); // one orchestrator on the database: the sweeper of the other would count by requester
    h = undefined as unknown as OrchestratorHarness;
    const hogs = [
      await byWorkflow.createRun('hog', {}, { requestedBy: 'dave' }),
      await byWorkflow.createRun('hog', {}, { requestedBy: 'dave' }),
      await byWorkflow.createRun('hog', {}, { requestedBy: 'erin' }),
    ];
    const erinHog = await byWorkflow.waitRun(hogs[2]!.id, (r) => r.steps![0]!.reason?.startsWith('FF_STEP_FAIR_SHARE') ?? false);
    expect(erinHog.steps![0]!.state).toBe('pending');
    expect(erinHog.steps![0]!.reason).toContain('workflow "hog" has 2 attempt(s) out');
    // Erin's run of another workflow is not held by the hog workflow's share.
    expect((await byWorkflow.waitRun((await byWorkflow.createRun('quick', {}, { requestedBy: 'erin' })).id, undefined, 10_000)).state).toBe('succeeded');
    await cancelAll(byWorkflow, hogs);
  });
});

describe('maximum step duration (FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS)', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_maxdur');
    h = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS: '1' });
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('stops a step without timeoutMs at the maximum: FF_STEP_TIMEOUT, retried per its retry policy, the run fails', async () => {
    const started = Date.now();
    const run = await h.waitRun((await h.createRun('unbounded')).id, undefined, 15_000);
    expect(Date.now() - started).toBeLessThan(10_000); // not the sleep's minute
    expect(run.state).toBe('failed');
    const sleep = run.steps!.find((s) => s.stepId === 'sleep')!;
    expect(sleep).toMatchObject({ state: 'timed_out', errorCode: 'FF_STEP_TIMEOUT' });
    expect(sleep.errorMessage).toContain('exceeded the maximum step duration of 1 s (FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS; the step sets no timeoutMs)');
    expect(sleep.attempts.map((a) => a.state)).toEqual(['timed_out', 'timed_out']); // maxAttempts 2
    expect(run.steps!.find((s) => s.stepId === 'after')!.state).toBe('upstream_failed');
  });

  it('caps a longer timeoutMs at the maximum, and keeps a shorter one', async () => {
    const above = await h.waitRun((await h.createRun('above-max')).id, undefined, 15_000);
    expect(above.steps![0]).toMatchObject({ state: 'timed_out', errorCode: 'FF_STEP_TIMEOUT' });
    expect(above.steps![0]!.errorMessage).toContain("the step's timeoutMs 3600000 ms is above it");
    const own = await h.waitRun((await h.createRun('own-timeout')).id, undefined, 15_000);
    expect(own.steps![0]).toMatchObject({ state: 'timed_out', errorCode: 'FF_STEP_TIMEOUT' });
    expect(own.steps![0]!.errorMessage).toContain('exceeded its timeout of 300 ms');
  });
});
