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

  it('keeps the latest progress of a step (bounded) and streams each change as a progress event', async () => {
    const { id } = await h.createRun('chatty');
    const d = await fake.waitDispatch(id, 'talk', 1);
    await fake.started(d, 10_000);
    const stream = readSse(`${h.base}/internal/orchestrator/runs/${id}/events`, h.internalHeaders);
    await stream.until((e) => e.event === 'snapshot');
    await fake.progress(d, 10, 'reading a.csv', { rows: 1000, bytes: 4096 });
    await stream.until((e) => e.event === 'progress' && (e.data as { percent: number }).percent === 10);
    // Out of range and non-finite values are bounded, not stored as sent.
    await fake.progress(d, 250, 'x'.repeat(2000), { rows: 5000, bytes: Number.POSITIVE_INFINITY });
    await stream.until((e) => e.event === 'progress' && (e.data as { percent: number }).percent === 100);
    const running = await h.api<{ steps: { stepId: string; progress: unknown }[] }>('GET', `/internal/orchestrator/runs/${id}`);
    const talk = running.body.steps.find((s) => s.stepId === 'talk')!.progress as {
      attempt: number;
      percent: number;
      message: string;
      metrics: Record<string, number>;
      at: string;
    };
    expect(talk).toMatchObject({ attempt: 1, percent: 100, metrics: { rows: 5000 } });
    expect(talk.message).toHaveLength(500);
    expect(talk.metrics).not.toHaveProperty('bytes');
    expect(Number.isNaN(Date.parse(talk.at))).toBe(false);
    await fake.completed(d);
    const events = await stream.done;
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as { stepId: string; percent: number; metrics: Record<string, number> });
    expect(progress.filter((p) => p.stepId === 'talk').map((p) => p.percent)).toEqual([10, 100]);
    expect(progress[0]!.metrics).toEqual({ rows: 1000, bytes: 4096 });
    // Progress events carry no id: the resumable cursor is the feed's alone.
    expect(events.filter((e) => e.event === 'progress').every((e) => e.id === undefined || e.id === '')).toBe(true);
    // The step keeps its last progress after it ends.
    const done = await h.api<{ steps: { stepId: string; progress: { percent: number } | null }[] }>('GET', `/internal/orchestrator/runs/${id}`);
    expect(done.body.steps.find((s) => s.stepId === 'talk')!.progress).toMatchObject({ percent: 100 });
    // A new stream starts with the latest progress in its snapshot and sends no stale progress event.
    const again = await readSse(`${h.base}/internal/orchestrator/runs/${id}/events`, h.internalHeaders).done;
    expect((again[0]!.data as { steps: { stepId: string; progress: { percent: number } | null }[] }).steps[0]!.progress).toMatchObject({ percent: 100 });
    expect(again.filter((e) => e.event === 'progress')).toEqual([]);
  });

  it('streams and pages lines and transitions in id order across a digit boundary (ids compared as numbers, not text)', async () => {
    // The next ids are 99, 100, 101...: sorted as text, "100" would come before "99".
    await h.pool.query(`SELECT setval('ff_orchestrator.run_logs_id_seq', 98), setval('ff_orchestrator.run_transitions_id_seq', 98)`);
    const { id } = await h.createRun('chatty');
    const d = await fake.waitDispatch(id, 'talk', 1);
    await fake.log(d, 'l1', 'l2', 'l3', 'l4');
    await fake.completed(d);
    await h.waitRun(id);
    const events = await readSse(`${h.base}/internal/orchestrator/runs/${id}/events`, h.internalHeaders).done;
    const logs = events.filter((e) => e.event === 'log').map((e) => (e.data as { message: string }).message);
    expect(logs.slice(0, 4)).toEqual(['l1', 'l2', 'l3', 'l4']);
    expect(new Set(logs).size).toBe(logs.length); // no line sent twice
    const runChanges = events.filter((e) => e.event === 'run').map((e) => (e.data as { to: string }).to);
    expect(runChanges).toEqual(['queued', 'running', 'succeeded']);
    const page = await h.api<{ items: { message: string }[] }>('GET', `/internal/orchestrator/runs/${id}/logs?step=talk`);
    expect(page.body.items.map((l) => l.message)).toEqual(['l1', 'l2', 'l3', 'l4']);
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
    // The fake never reported the start: the step still went through running, said in a user's words.
    const { rows } = await h.pool.query<{ to_state: string; reason: string | null }>(
      `SELECT to_state, reason FROM ff_orchestrator.run_transitions WHERE run_id = $1 AND step_id = 'talk' ORDER BY id`,
      [id],
    );
    expect(rows.find((r) => r.to_state === 'running')?.reason).toBe('attempt 1 started (its result came in before the executor reported the start)');
    expect(rows.map((r) => r.reason ?? '').join('\n')).not.toMatch(/Step[A-Z]\w+/);
  });

  it('pages log lines oldest first by timestamp, whatever order their batches arrived in', async () => {
    const { id } = await h.createRun('chatty');
    const d = await fake.waitDispatch(id, 'talk', 1);
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    // Two batches, the second holding lines older than the first's last (parallel steps, a slow
    // flush): stored in arrival order, read in time order; equal timestamps in arrival order.
    await fake.logAt(d, [
      [t0, 'first'],
      [t0 + 3, 'fourth'],
      [t0 + 4, 'fifth'],
    ]);
    await fake.logAt(d, [
      [t0 + 2, 'third'],
      [t0 + 1, 'second'],
      [t0 + 3, 'fourth, stored later'],
    ]);
    await fake.completed(d);
    await h.waitRun(id);
    type Page = { items: { id: string; message: string; at: string }[]; nextCursor: string | null; latestId: string | null };
    const messages: string[] = [];
    const ids: string[] = [];
    let after = '';
    let pages = 0;
    for (;;) {
      const page = await h.api<Page>('GET', `/internal/orchestrator/runs/${id}/logs?step=talk&limit=2${after}`);
      expect(page.status).toBe(200);
      pages++;
      messages.push(...page.body.items.map((l) => l.message));
      ids.push(...page.body.items.map((l) => l.id));
      expect(page.body.latestId).not.toBeNull();
      if (!page.body.nextCursor) break;
      expect(page.body.nextCursor).toMatch(/^\d+_\d+$/);
      after = `&after=${page.body.nextCursor}`;
    }
    expect(messages).toEqual(['first', 'second', 'third', 'fourth', 'fourth, stored later', 'fifth']);
    expect(pages).toBe(4); // a full page always gives a cursor: the fourth is empty
    // latestId is the newest line of the run (any step): where a follower resumes the event stream.
    const all = await h.api<Page>('GET', `/internal/orchestrator/runs/${id}/logs`);
    const newest = all.body.items.map((l) => BigInt(l.id)).reduce((a, b) => (a > b ? a : b));
    expect(all.body.latestId).toBe(String(newest));
    expect(BigInt(all.body.latestId!)).toBeGreaterThanOrEqual(BigInt(ids.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b))));
  });

  it('refuses a log cursor that no page gave with a 400 naming `after`', async () => {
    const { id } = await h.createRun('chatty');
    for (const bad of ['10', '1_2_3', 'x_1', '-1_1']) {
      const r = await h.api<{ code: string; errors: { field: string }[] }>('GET', `/internal/orchestrator/runs/${id}/logs?after=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e) => e.field)).toContain('after');
    }
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
