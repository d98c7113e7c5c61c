import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, jobYaml, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';
import type { RunView } from './run.views';

const workflow = (name: string, job: string, concurrency: string): string => `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: ${name}
spec:
  concurrency: ${concurrency}
  steps:
    - { id: work, job: ${job} }
`;

const WORKFLOWS = [
  workflow('skipper', 'long-sleep', '{ maxRuns: 1, overlap: skip }'),
  workflow('queuer', 'medium', '{ maxRuns: 1, overlap: queue }'),
  workflow('replacer', 'long-sleep', '{ overlap: cancel_running }'),
  workflow('two-at-once', 'long-sleep', '{ maxRuns: 2, overlap: allow }'),
  workflow('free-for-all', 'long-sleep', '{ overlap: allow }'),
].join('---\n');

const running = (r: RunView): boolean => r.state === 'running';

describe('concurrency: overlap policies and limits', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_conc');
    h = await startOrchestrator(db.url);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${jobYaml('medium', 'sleep', { ms: 400 })}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const cancel = (id: string) => h.api('POST', `/internal/orchestrator/runs/${id}/cancel`, {});

  it('skip: a run requested while one is active is cancelled at once, saying why', async () => {
    const a = await h.createRun('skipper');
    await h.waitRun(a.id, running);
    const b = await h.createRun('skipper');
    expect(b.state).toBe('cancelled');
    expect(b.reason).toContain('FF_RUN_SKIPPED');
    expect(b.steps!.every((s) => s.state === 'cancelled' && s.attempts.length === 0)).toBe(true);
    expect((await h.getRun(a.id)).state).toBe('running');
    await cancel(a.id);
  });

  it('queue: a run waits in queued and starts when the active one finishes', async () => {
    const a = await h.createRun('queuer');
    const b = await h.createRun('queuer');
    expect(b.state).toBe('queued');
    const c = await h.createRun('queuer');
    expect(c.state).toBe('queued');
    const [doneA, doneB, doneC] = [await h.waitRun(a.id), await h.waitRun(b.id), await h.waitRun(c.id)];
    expect([doneA.state, doneB.state, doneC.state]).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(new Date(doneB.startedAt!).getTime()).toBeGreaterThanOrEqual(new Date(doneA.finishedAt!).getTime());
    expect(new Date(doneC.startedAt!).getTime()).toBeGreaterThanOrEqual(new Date(doneB.finishedAt!).getTime());
  });

  it('cancel_running: a new run cancels the active one and starts', async () => {
    const a = await h.createRun('replacer');
    await h.waitRun(a.id, running);
    const b = await h.createRun('replacer');
    expect(b.state).toBe('running');
    const old = await h.getRun(a.id);
    expect(old.state).toBe('cancelled');
    expect(old.reason).toBe(`FF_RUN_SUPERSEDED: cancelled for run ${b.id} (overlap policy cancel_running)`);
    await cancel(b.id);
  });

  it('allow with maxRuns: runs beyond the limit queue; a freed slot starts the oldest', async () => {
    const a = await h.createRun('two-at-once');
    const b = await h.createRun('two-at-once');
    const c = await h.createRun('two-at-once');
    expect([a.state, b.state, c.state]).toEqual(['running', 'running', 'queued']);
    await cancel(a.id);
    await h.waitRun(c.id, running);
    await Promise.all([cancel(b.id), cancel(c.id)]);
  });

  it('allow without maxRuns: runs overlap freely', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => h.createRun('free-for-all')));
    for (const r of runs) await h.waitRun(r.id, running);
    await Promise.all(runs.map((r) => cancel(r.id)));
  });

  it('cancelling a queued run never starts it', async () => {
    const a = await h.createRun('queuer');
    const b = await h.createRun('queuer');
    expect(b.state).toBe('queued');
    await cancel(b.id);
    const after = await h.getRun(b.id);
    expect(after.state).toBe('cancelled');
    expect(after.startedAt).toBeNull();
    await h.waitRun(a.id);
  });
});

describe('concurrency: the global limit (FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS)', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_glob');
    h = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS: '2' });
    expect(
      (
        await h.apply(
          `${BUILTIN_JOBS}---\n${jobYaml('medium', 'sleep', { ms: 300 })}---\n${workflow('wide', 'medium', '{ overlap: allow }')}---\n${workflow('other', 'noop', '{ overlap: skip }')}`,
        )
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('queues runs of any workflow beyond the global limit and starts them as slots free', async () => {
    const runs = [await h.createRun('wide'), await h.createRun('wide'), await h.createRun('wide'), await h.createRun('other')];
    expect(runs.map((r) => r.state)).toEqual(['running', 'running', 'queued', 'queued']);
    const done = await Promise.all(runs.map((r) => h.waitRun(r.id)));
    expect(done.map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // Never more than two running at once.
    const spans = done.map((r) => [new Date(r.startedAt!).getTime(), new Date(r.finishedAt!).getTime()] as const);
    for (const [start] of spans) expect(spans.filter(([s, f]) => s <= start && start < f).length).toBeLessThanOrEqual(2);
  });
});
