import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { FakeExecutor } from '../../test/fake.executor';
import { BUILTIN_JOBS, jobYaml, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';
import type { RunView } from './run.views';

const stateOf = (run: RunView): Record<string, string> => Object.fromEntries((run.steps ?? []).map((s) => [s.stepId, s.state]));

const WORKFLOW = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: etl
spec:
  parameters:
    - { name: day, type: date, default: "2026-05-01" }
  steps:
    - { id: extract, job: noop }
    - { id: load, job: load, dependsOn: [extract], params: { size: "\${params.day}" } }
    - { id: publish, job: noop, dependsOn: [load] }
    - { id: side, job: noop }
`;

describe('rerun: a new run re-executes the failed part', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;
  let fake: FakeExecutor;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_rerun');
    h = await startOrchestrator(db.url);
    fake = await FakeExecutor.start(h.bus, h.pool, 'transformation', ['test.load']);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${jobYaml('load', 'test.load')}---\n${WORKFLOW}`)).status).toBe(200);
  });

  afterAll(async () => {
    await fake?.close();
    await h?.stop();
    await db?.drop();
  });

  it('reruns failed steps and their downstream in a new run linked to the old one, reusing what succeeded', async () => {
    const { id } = await h.createRun('etl', { day: '2026-05-02' });
    const first = await fake.waitDispatch(id, 'load', 1);
    const running = await h.api<{ code: string }>('POST', `/internal/orchestrator/runs/${id}/rerun`, {});
    expect(running.status).toBe(409);
    expect(running.body.code).toBe('FF_RUN_NOT_FINISHED');
    await fake.failed(first, 'FF_TARGET_DOWN', 'warehouse unreachable', false);
    const failed = await h.waitRun(id);
    expect(failed.state).toBe('failed');
    expect(stateOf(failed)).toEqual({ extract: 'succeeded', load: 'failed', publish: 'upstream_failed', side: 'succeeded' });

    const res = await h.api<RunView>('POST', `/internal/orchestrator/runs/${id}/rerun`, { requestedBy: 'bob' });
    expect(res.status).toBe(201);
    const rerun = res.body;
    expect(rerun.id).not.toBe(id);
    expect(rerun).toMatchObject({
      parentRunId: id,
      rerunFrom: null,
      requestedBy: 'bob',
      workflowVersion: failed.workflowVersion,
      params: { day: '2026-05-02' },
    });
    const retry = await fake.waitDispatch(rerun.id, 'load', 1);
    expect(JSON.parse(retry.config)).toEqual({ size: '2026-05-02' });
    await fake.started(retry, 5_000);
    await fake.completed(retry, { rows: 10 });
    const done = await h.waitRun(rerun.id);
    expect(done.state).toBe('succeeded');
    expect(stateOf(done)).toEqual({ extract: 'succeeded', load: 'succeeded', publish: 'succeeded', side: 'succeeded' });
    const reused = done.steps!.find((s) => s.stepId === 'extract')!;
    expect(reused.reason).toBe(`reused from run ${id}`);
    expect(reused.attempts).toHaveLength(0);
    expect(done.steps!.find((s) => s.stepId === 'side')!.attempts).toHaveLength(0);
    // The old run keeps its outcome.
    expect((await h.getRun(id)).state).toBe('failed');
  });

  it('reruns from a named step: it and everything downstream run again', async () => {
    const { id } = await h.createRun('etl');
    const d = await fake.waitDispatch(id, 'load', 1);
    await fake.completed(d);
    expect((await h.waitRun(id)).state).toBe('succeeded');
    const nothing = await h.api<{ code: string }>('POST', `/internal/orchestrator/runs/${id}/rerun`, {});
    expect(nothing.status).toBe(409);
    expect(nothing.body.code).toBe('FF_RUN_NOTHING_TO_RERUN');
    const unknown = await h.api<{ code: string; detail: string }>('POST', `/internal/orchestrator/runs/${id}/rerun`, { fromStep: 'lod' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('no step "lod"');
    const res = await h.api<RunView>('POST', `/internal/orchestrator/runs/${id}/rerun`, { fromStep: 'load' });
    expect(res.body.rerunFrom).toBe('load');
    const again = await fake.waitDispatch(res.body.id, 'load', 1);
    await fake.completed(again);
    const done = await h.waitRun(res.body.id);
    expect(done.state).toBe('succeeded');
    const attempts = Object.fromEntries(done.steps!.map((s) => [s.stepId, s.attempts.length]));
    expect(attempts).toEqual({ extract: 0, load: 1, publish: 1, side: 0 });
  });
});
