import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { FakeExecutor } from '../../test/fake.executor';
import { BUILTIN_JOBS, jobYaml, startOrchestrator, waitFor, type OrchestratorHarness } from '../../test/orchestrator.harness';

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: leased
spec:
  steps:
    - { id: work, job: work }
    - id: after
      job: nap
      dependsOn: [work]
      params: { ms: "\${steps.work.outputs.ms}" }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: abandoned
spec:
  steps:
    - { id: work, job: work }
`;

describe('leases: an executor dies mid-step', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;
  let fake: FakeExecutor;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_lease');
    h = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_DISPATCH_TIMEOUT_MS: '600', FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS: '2' });
    fake = await FakeExecutor.start(h.bus, h.pool, 'ingestion', ['test.work']);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${jobYaml('work', 'test.work')}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await fake?.close();
    await h?.stop();
    await db?.drop();
  });

  const runStateChanges = async (runId: string, to: string): Promise<number> => {
    const { rows } = await h.pool.query(
      `SELECT count(*)::int AS n FROM ff_orchestrator.run_transitions WHERE run_id = $1 AND step_id IS NULL AND to_state = $2`,
      [runId, to],
    );
    return rows[0].n as number;
  };

  it('tells an executor that starts a written-off attempt to stop it (it subscribed to cancels after the cancel)', async () => {
    const { id } = await h.createRun('abandoned');
    const d = await fake.waitDispatch(id, 'work', 1);
    // Cancelled while the attempt waits in the executor's queue: the cancel goes out now...
    expect((await h.api('POST', `/internal/orchestrator/runs/${id}/cancel`, { reason: 'not today' })).status).toBe(200);
    const cancels = async (): Promise<number> => {
      const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.step.cancel-requested' AND key = $1`, [id]);
      return rows[0].n as number;
    };
    expect(await cancels()).toBe(1);
    // ...and an executor replica that had not subscribed yet starts the attempt anyway: it is told again.
    await fake.started(d, 5_000);
    await waitFor('a second cancel of the late-started attempt', async () => ((await cancels()) === 2 ? true : undefined));
    const run = await h.getRun(id);
    expect(run.state).toBe('cancelled');
    expect(run.steps![0]!.attempts.map((a) => `${a.attempt}:${a.state}:${a.instanceId}`)).toEqual([`1:cancelled:${fake.instanceId}`]);
  });

  it('re-dispatches attempt+1 when the lease expires; the run finishes once; a late completion of the lost attempt is ignored', async () => {
    const { id } = await h.createRun('leased');
    const first = await fake.waitDispatch(id, 'work', 1);
    await fake.started(first, 300); // ...and then the executor dies: no heartbeat, no answer
    await h.waitRun(id, (r) => r.steps![0]!.state === 'running');
    const second = await fake.waitDispatch(id, 'work', 2); // the sweeper saw the lease expire
    expect(second.config).toBe(first.config);
    const cancels = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.step.cancel-requested' AND key = $1`, [id]);
    expect(cancels.rows[0].n).toBe(1); // the lost attempt is asked to stop, in case it still runs
    await fake.started(second, 5_000);
    await fake.progress(second, 50);
    await fake.completed(second, { ms: 5, from: 'attempt 2' });
    const run = await h.waitRun(id);
    expect(run.state).toBe('succeeded');
    // The old attempt answers late: nothing changes.
    await fake.completed(first, { ms: 1, from: 'attempt 1' });
    await fake.failed(first, 'FF_LATE', 'late failure', true);
    await new Promise((r) => setTimeout(r, 500));
    const after = await h.getRun(id);
    expect(after.state).toBe('succeeded');
    const work = after.steps!.find((s) => s.stepId === 'work')!;
    expect(work.outputs).toEqual({ ms: 5, from: 'attempt 2' });
    expect(work.attempts.map((a) => `${a.attempt}:${a.state}`)).toEqual(['1:lost', '2:succeeded']);
    expect(await runStateChanges(id, 'succeeded')).toBe(1);
    const published = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.run.state-changed' AND key = $1`, [id]);
    expect(published.rows[0].n).toBe(3);
  });

  it('re-dispatches an attempt no executor started within the dispatch timeout', async () => {
    const { id } = await h.createRun('abandoned');
    await fake.waitDispatch(id, 'work', 1); // taken by nobody
    const second = await fake.waitDispatch(id, 'work', 2);
    await fake.started(second, 5_000);
    await fake.completed(second);
    expect((await h.waitRun(id)).state).toBe('succeeded');
  });

  it('heartbeats keep a long attempt alive past its first lease', async () => {
    const { id } = await h.createRun('abandoned');
    const d = await fake.waitDispatch(id, 'work', 1);
    await fake.started(d, 400);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 150));
      if (i % 2) await fake.progress(d, i * 10);
      else await fake.log(d, `tick ${i}`);
    }
    await fake.completed(d);
    const run = await h.waitRun(id);
    expect(run.state).toBe('succeeded');
    expect(run.steps![0]!.attempts).toHaveLength(1);
  });

  it('fails the step with FF_STEP_LEASE_LOST after MAX_LOST_ATTEMPTS losses', async () => {
    const { id } = await h.createRun('abandoned');
    const run = await h.waitRun(id, undefined, 15_000);
    expect(run.state).toBe('failed');
    const work = run.steps![0]!;
    expect(work.errorCode).toBe('FF_STEP_LEASE_LOST');
    expect(work.attempts.map((a) => a.state)).toEqual(['lost', 'lost', 'lost']);
    expect(run.reason).toContain('FF_STEP_LEASE_LOST');
  });

  it('ignores step events for unknown runs and steps without failing the handler', async () => {
    const ghost = { ...(await fake.waitDispatch((await h.createRun('abandoned')).id, 'work', 1)) };
    await fake.completed({ ...ghost, runId: '00000000-0000-4000-8000-000000000000' });
    await fake.completed({ ...ghost, stepId: 'nope' });
    await fake.started(ghost, 5_000);
    await fake.completed(ghost);
    expect((await h.waitRun(ghost.runId)).state).toBe('succeeded');
    await waitFor('no dead letters', async () => {
      const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic LIKE 'flowforge.step.%.dlq'`);
      return rows[0].n === 0 ? true : undefined;
    });
  });

  it('settles an attempt whose outcome overtook its StepStarted; the late StepStarted still records where it ran', async () => {
    const { id } = await h.createRun('abandoned');
    const d = await fake.waitDispatch(id, 'work', 1);
    await fake.failed(d, 'FF_QUICK', 'failed at once', false); // on its own topic, ahead of StepStarted
    expect((await h.waitRun(id)).state).toBe('failed');
    await fake.started(d, 5_000);
    const after = await waitFor('the late StepStarted to name the instance', async () => {
      const run = await h.getRun(id);
      return run.steps![0]!.attempts[0]!.instanceId === fake.instanceId ? run : undefined;
    });
    expect(after.state).toBe('failed');
    expect(after.steps![0]).toMatchObject({ state: 'failed', errorCode: 'FF_QUICK' });
    expect(after.steps![0]!.attempts).toEqual([expect.objectContaining({ attempt: 1, state: 'failed', errorCode: 'FF_QUICK', startedAt: null })]);
  });
});

describe('leases with two orchestrator replicas sweeping the same runs', () => {
  let db: TestDatabase;
  let a: OrchestratorHarness;
  let b: OrchestratorHarness;
  let fake: FakeExecutor;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_repl');
    // Both sweep every 20 ms: without SKIP LOCKED and the re-check under the lock they would both re-dispatch.
    const env = { FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '20', FLOWFORGE_ORCHESTRATOR_DISPATCH_TIMEOUT_MS: '60000' };
    [a, b] = await Promise.all([startOrchestrator(db.url, env), startOrchestrator(db.url, env)]);
    fake = await FakeExecutor.start(a.bus, a.pool, 'ingestion', ['test.work']);
    expect((await a.apply(`${BUILTIN_JOBS}---\n${jobYaml('work', 'test.work')}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await fake?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('re-dispatches each expired attempt exactly once', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => a.createRun('abandoned')));
    const firsts = await Promise.all(runs.map((r) => fake.waitDispatch(r.id, 'work', 1)));
    await Promise.all(firsts.map((d) => fake.started(d, 200)));
    const seconds = await Promise.all(runs.map((r) => fake.waitDispatch(r.id, 'work', 2)));
    await new Promise((r) => setTimeout(r, 500)); // both sweepers had many chances to do it twice
    for (const r of runs) {
      expect(fake.dispatched.filter((d) => d.runId === r.id).map((d) => d.attempt)).toEqual([1, 2]);
    }
    await Promise.all(
      seconds.map(async (d) => {
        await fake.started(d, 10_000);
        await fake.completed(d);
      }),
    );
    for (const r of runs) expect((await b.waitRun(r.id)).state).toBe('succeeded');
  });
});
