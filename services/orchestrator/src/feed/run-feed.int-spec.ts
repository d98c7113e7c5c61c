import { createTestDatabase, readSse, type SseEvent, type TestDatabase } from '@flowforge/testing';
import { FakeExecutor } from '../../test/fake.executor';
import { BUILTIN_JOBS, jobYaml, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: chatty
spec:
  steps:
    - { id: talk, job: talk }
    - { id: rest, job: nap, dependsOn: [talk] }
`;

describe('run feed: logs and the live event stream (SSE)', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;
  let fake: FakeExecutor;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_feed');
    h = await startOrchestrator(db.url);
    fake = await FakeExecutor.start(h.bus, h.pool, 'quality', ['test.talk']);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${jobYaml('talk', 'test.talk')}---\n${WORKFLOWS}`)).status).toBe(200);
  });

  afterAll(async () => {
    await fake?.close();
    await h?.stop();
    await db?.drop();
  });

  it('streams the snapshot, state changes and log lines live, and ends when the run is final', async () => {
    const { id } = await h.createRun('chatty');
    const d = await fake.waitDispatch(id, 'talk', 1);
    const stream = readSse(`${h.base}/internal/orchestrator/runs/${id}/events`, h.internalHeaders);
    await stream.until((e) => e.event === 'step' && (e.data as { to: string }).to === 'queued');
    await fake.started(d, 10_000);
    await fake.log(d, 'connecting', 'reading rows');
    await stream.until((e) => e.event === 'log' && (e.data as { message: string }).message === 'reading rows');
    await fake.log(d, 'done');
    await fake.completed(d, {});
    const events = await stream.done;
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('snapshot');
    expect(kinds[kinds.length - 1]).toBe('end');
    expect(events[events.length - 1]!.data).toMatchObject({ runId: id, state: 'succeeded' });
    const logs = events.filter((e) => e.event === 'log').map((e) => (e.data as { message: string }).message);
    expect(logs.slice(0, 3)).toEqual(['connecting', 'reading rows', 'done']);
    expect(logs).toContain('sleeping'); // the builtin sleep of `rest` logs too
    const runChanges = events.filter((e) => e.event === 'run').map((e) => (e.data as { to: string }).to);
    expect(runChanges).toEqual(['queued', 'running', 'succeeded']);
    const talk = events.filter((e) => e.event === 'step' && (e.data as { stepId: string }).stepId === 'talk').map((e) => (e.data as { to: string }).to);
    expect(talk).toEqual(['queued', 'running', 'succeeded']);
    // Every event carries the cursor; resuming from one replays only what came after it.
    const mid = events.find((e) => e.event === 'log' && (e.data as { message: string }).message === 'reading rows')!;
    const resumed = await readSse(`${h.base}/internal/orchestrator/runs/${id}/events`, { ...h.internalHeaders, 'last-event-id': mid.id! }).done;
    const resumedLogs = resumed.filter((e) => e.event === 'log').map((e) => (e.data as { message: string }).message);
    expect(resumedLogs[0]).toBe('done');
    expect(resumedLogs).not.toContain('connecting');
    expect(resumed[resumed.length - 1]!.event).toBe('end');
  });

  it('pages log lines per run, step and attempt', async () => {
    const { id } = await h.createRun('chatty');
    const d = await fake.waitDispatch(id, 'talk', 1);
    await fake.log(d, 'a', 'b', 'c');
    await fake.log(d, 'd');
    await fake.completed(d);
    await h.waitRun(id);
    const page1 = await h.api<{ items: { message: string; stepId: string; attempt: number; fields: unknown }[]; nextCursor: string }>(
      'GET',
      `/internal/orchestrator/runs/${id}/logs?step=talk&limit=3`,
    );
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect(page1.body.items[0]).toMatchObject({ stepId: 'talk', attempt: 1, fields: { n: 1 } });
    const page2 = await h.api<{ items: { message: string }[]; nextCursor: string | null }>(
      'GET',
      `/internal/orchestrator/runs/${id}/logs?step=talk&limit=3&after=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((l) => l.message)).toEqual(['d']);
    expect(page2.body.nextCursor).toBeNull();
    const attempt2 = await h.api<{ items: unknown[] }>('GET', `/internal/orchestrator/runs/${id}/logs?step=talk&attempt=2`);
    expect(attempt2.body.items).toEqual([]);
    const rest = await h.api<{ items: { message: string }[] }>('GET', `/internal/orchestrator/runs/${id}/logs?step=rest`);
    expect(rest.body.items.map((l) => l.message)).toContain('sleeping');
  });

  it('answers 404 problems for the logs and events of an unknown run', async () => {
    const ghost = '00000000-0000-4000-8000-000000000001';
    const logs = await h.api<{ code: string }>('GET', `/internal/orchestrator/runs/${ghost}/logs`);
    expect(logs.status).toBe(404);
    expect(logs.body.code).toBe('FF_RUN_NOT_FOUND');
    const res = await fetch(`${h.base}/internal/orchestrator/runs/${ghost}/events`, { headers: h.internalHeaders });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a stream of a finished run replays its history and ends at once', async () => {
    const { id } = await h.createRun('chatty');
    const d = await fake.waitDispatch(id, 'talk', 1);
    await fake.completed(d);
    await h.waitRun(id);
    const events: SseEvent[] = await readSse(`${h.base}/internal/orchestrator/runs/${id}/events`, h.internalHeaders).done;
    expect(events[0]!.event).toBe('snapshot');
    expect(events.filter((e) => e.event === 'run')).toHaveLength(3);
    expect(events[events.length - 1]!.event).toBe('end');
  });
});
