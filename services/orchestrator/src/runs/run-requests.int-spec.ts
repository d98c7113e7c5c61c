import { randomUUID } from 'node:crypto';
import { RunRequested } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, startOrchestrator, waitFor, type OrchestratorHarness } from '../../test/orchestrator.harness';
import type { RunView } from './run.views';

const WORKFLOW = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: report
spec:
  parameters:
    - { name: day, type: date, required: true }
    - { name: limit, type: integer, default: 10 }
  steps:
    - { id: build, job: noop }
`;

describe('run requests: API and RunRequested, idempotency', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_req');
    h = await startOrchestrator(db.url);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOW}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const runsWithKey = async (key: string): Promise<number> =>
    (await h.pool.query(`SELECT count(*)::int AS n FROM ff_orchestrator.runs WHERE idempotency_key = $1`, [key])).rows[0].n as number;

  it('resolves parameters (text converted, defaults filled) and pins the workflow and job versions', async () => {
    const run = await h.waitRun((await h.createRun('report', { day: '2026-01-31', limit: '25' })).id);
    expect(run).toMatchObject({ state: 'succeeded', workflowVersion: 1, params: { day: '2026-01-31', limit: 25 } });
    expect(run.steps![0]).toMatchObject({ job: 'noop', jobVersion: 1, jobType: 'noop', executor: 'builtin' });
  });

  it('refuses bad parameters and unknown workflows with problems naming them', async () => {
    const bad = await h.api<{ code: string; detail: string }>('POST', '/internal/orchestrator/runs', {
      workflow: 'report',
      params: { day: 'someday', lmit: 3 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('FF_PARAMS_INVALID');
    expect(bad.body.detail).toContain('parameter "day" must be a date');
    expect(bad.body.detail).toContain('unknown parameter "lmit"');
    const missing = await h.api<{ code: string }>('POST', '/internal/orchestrator/runs', { workflow: 'report', params: {} });
    expect(missing.body.code).toBe('FF_PARAMS_INVALID');
    const unknown = await h.api<{ code: string; status: number }>('POST', '/internal/orchestrator/runs', { workflow: 'nope' });
    expect(unknown.body).toMatchObject({ status: 404, code: 'FF_WORKFLOW_NOT_FOUND' });
    const dto = await h.api<{ code: string; detail: string }>('POST', '/internal/orchestrator/runs', { workflow: 7 });
    expect(dto.status).toBe(400);
    expect(dto.body.code).toBe('FF_VALIDATION');
    expect(dto.body.detail).toContain('workflow');
  });

  it('validates the bodies and queries the gateway forwards as they came, naming each bad field (the one validation they get)', async () => {
    type Problem = { code: string; errors: { field: string; message: string }[] };
    const fields = (p: Problem) => p.errors.map((e) => e.field);
    const create = await h.api<Problem>('POST', '/internal/orchestrator/runs', { workflow: 7, params: 'x', stray: 1, requestedBy: 'token:t (a)' });
    expect({ status: create.status, code: create.body.code, fields: fields(create.body).sort() }).toEqual({
      status: 400,
      code: 'FF_VALIDATION',
      fields: ['params', 'stray', 'workflow'],
    });
    expect(create.body.errors.find((e) => e.field === 'stray')!.message).toBe('is not a known field');
    const version = await h.api<Problem>('POST', '/internal/orchestrator/runs', { workflow: 'report', workflowVersion: 2147483648 });
    expect(fields(version.body)).toEqual(['workflowVersion']);
    const id = randomUUID();
    const cancel = await h.api<Problem>('POST', `/internal/orchestrator/runs/${id}/cancel`, { reason: '' });
    expect({ status: cancel.status, fields: fields(cancel.body) }).toEqual({ status: 400, fields: ['reason'] });
    const rerun = await h.api<Problem>('POST', `/internal/orchestrator/runs/${id}/rerun`, ['load']);
    expect({ status: rerun.status, fields: fields(rerun.body) }).toEqual({ status: 400, fields: ['(body)'] });
    // No body at all is a cancel without a reason: past validation, to the run lookup.
    expect((await h.api<Problem>('POST', `/internal/orchestrator/runs/${id}/cancel`)).body.code).toBe('FF_RUN_NOT_FOUND');
    for (const [query, field] of [
      ['state=sleeping', 'state'],
      ['limit=501', 'limit'],
      ['before=9223372036854775808', 'before'],
      ['before=..', 'before'],
      ['colour=red', 'colour'],
    ]) {
      const res = await h.api<Problem>('GET', `/internal/orchestrator/runs?${query}`);
      expect({ query, status: res.status, fields: fields(res.body) }).toEqual({ query, status: 400, fields: [field] });
    }
    const logs = await h.api<Problem>('GET', `/internal/orchestrator/runs/${id}/logs?after=10&attempt=0`);
    expect({ status: logs.status, fields: fields(logs.body).sort() }).toEqual({ status: 400, fields: ['after', 'attempt'] });
    const badId = await h.api<Problem>('GET', '/internal/orchestrator/runs/not-a-uuid');
    expect({ status: badId.status, fields: fields(badId.body) }).toEqual({ status: 400, fields: ['id'] });
  });

  it('the same idempotency key gives the same run (201 then 200), also as a header, whatever the parameters look like', async () => {
    const key = `k-${randomUUID()}`;
    const first = await h.api<RunView>('POST', '/internal/orchestrator/runs', { workflow: 'report', params: { day: '2026-02-01' }, idempotencyKey: key });
    const second = await h.api<RunView>(
      'POST',
      '/internal/orchestrator/runs',
      { workflow: 'report', params: { day: '2026-02-01' } },
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    // The same request spelled differently: the default given explicitly, as text, and the version named.
    const spelled = await h.api<RunView>('POST', '/internal/orchestrator/runs', {
      workflow: 'report',
      workflowVersion: 1,
      params: { limit: '10', day: '2026-02-01' },
      idempotencyKey: key,
    });
    expect(spelled.status).toBe(200);
    expect(spelled.body.id).toBe(first.body.id);
    expect(await runsWithKey(key)).toBe(1);
  });

  it('the key reused with other parameters, another version or another workflow is 422 naming the key', async () => {
    const key = `reuse-${randomUUID()}`;
    const first = await h.api<RunView>('POST', '/internal/orchestrator/runs', {
      workflow: 'report',
      params: { day: '2026-02-03', limit: 5 },
      idempotencyKey: key,
    });
    expect(first.status).toBe(201);
    type Problem = { status: number; code: string; detail: string; errors: { field: string; message: string }[] };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ workflow: 'report', params: { day: '2026-02-04', limit: 5 } }, 'params', '"day"'],
      [{ workflow: 'report', params: { day: '2026-02-03' } }, 'params', '"limit"'], // the default (10) is not 5
      [{ workflow: 'report', params: { day: 'not-a-date', limit: 5 } }, 'params', 'not valid'],
      [{ workflow: 'report', workflowVersion: 2, params: { day: '2026-02-03', limit: 5 } }, 'workflowVersion', 'version 2'],
      [{ workflow: 'solo', params: {} }, 'workflow', '"solo"'],
    ];
    for (const [body, field, says] of cases) {
      const res = await h.api<Problem>('POST', '/internal/orchestrator/runs', { ...body, idempotencyKey: key });
      expect({ body, status: res.status, type: res.headers.get('content-type') }).toEqual({
        body,
        status: 422,
        type: expect.stringContaining('application/problem+json'),
      });
      expect(res.body.code).toBe('FF_RUN_IDEMPOTENCY_CONFLICT');
      expect(res.body.detail).toContain(`idempotency key "${key}"`);
      expect(res.body.detail).toContain(first.body.id);
      expect(res.body.detail).toContain(says);
      expect(res.body.errors.map((e) => e.field)).toEqual(['idempotencyKey', field]);
    }
    // Also as the header, and nothing was created by any of them.
    const header = await h.api<Problem>(
      'POST',
      '/internal/orchestrator/runs',
      { workflow: 'report', params: { day: '2026-02-05' } },
      { 'idempotency-key': key },
    );
    expect(header.status).toBe(422);
    expect(await runsWithKey(key)).toBe(1);
    const again = await h.api<RunView>('POST', '/internal/orchestrator/runs', {
      workflow: 'report',
      params: { day: '2026-02-03', limit: 5 },
      idempotencyKey: key,
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('a RunRequested reusing a key with other parameters becomes no run and is answered failed, naming the key', async () => {
    const key = `event-reuse-${randomUUID()}`;
    const first = await h.createRun('report', { day: '2026-02-06' }, { idempotencyKey: key });
    const runId = randomUUID();
    await h.bus.publish(
      RunRequested,
      { runId, workflowId: 'report', workflowVersion: null, params: { day: '2026-02-07' }, idempotencyKey: key, requestedBy: 'scheduler' },
      { key: runId },
    );
    const { rows } = await waitFor('the refusal', async () => {
      const r = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.run.state-changed' AND key = $1`, [
        runId,
      ]);
      return r.rows[0]!.n > 0 ? r : undefined;
    });
    expect(rows[0]!.n).toBe(1);
    expect((await h.api('GET', `/internal/orchestrator/runs/${runId}`)).status).toBe(404);
    expect(await runsWithKey(key)).toBe(1);
    expect((await h.getRun(first.id)).params).toEqual({ day: '2026-02-06', limit: 10 });
  });

  it('concurrent requests with one key create one run (the unique index settles the race)', async () => {
    const key = `race-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.api<RunView>('POST', '/internal/orchestrator/runs', { workflow: 'report', params: { day: '2026-02-02' }, idempotencyKey: key }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await runsWithKey(key)).toBe(1);
    const run = await h.waitRun(answers[0]!.body.id);
    expect(run.steps![0]!.attempts).toHaveLength(1); // dispatched once
  });

  it('creates runs from RunRequested; a re-published request (same runId) and concurrent same-key requests make one run', async () => {
    const runId = randomUUID();
    const request = { runId, workflowId: 'report', workflowVersion: null, params: { day: '2026-03-01' }, idempotencyKey: null, requestedBy: 'scheduler' };
    await h.bus.publish(RunRequested, request, { key: runId });
    await h.bus.publish(RunRequested, request, { key: runId }); // a new eventId: the inbox does not absorb it, the run id does
    const run = await h.waitRun(runId);
    expect(run).toMatchObject({ state: 'succeeded', requestedBy: 'scheduler', params: { day: '2026-03-01', limit: 10 } });
    const key = `event-${randomUUID()}`;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(ids.map((id) => h.bus.publish(RunRequested, { ...request, runId: id, idempotencyKey: key }, { key: id })));
    await waitFor('the keyed run', async () => ((await runsWithKey(key)) === 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500)); // let the other two be handled
    expect(await runsWithKey(key)).toBe(1);
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM ff_orchestrator.runs WHERE id = ANY($1::uuid[])`, [ids]);
    expect(rows[0].n).toBe(1);
  });

  it('answers a RunRequested that cannot become a run with RunStateChanged failed, naming the problem', async () => {
    const runId = randomUUID();
    await h.bus.publish(
      RunRequested,
      { runId, workflowId: 'report', workflowVersion: null, params: { day: 'not-a-date' }, idempotencyKey: null, requestedBy: 'trigger:t1' },
      { key: runId },
    );
    const { rows } = await waitFor('the refusal', async () => {
      const r = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.run.state-changed' AND key = $1`, [runId]);
      return r.rows[0].n > 0 ? r : undefined;
    });
    expect(rows[0].n).toBe(1);
    expect((await h.api('GET', `/internal/orchestrator/runs/${runId}`)).status).toBe(404);
    const dlq = await h.pool.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.run.requested.dlq'`);
    expect(dlq.rows[0].n).toBe(0);
  });

  it('lists runs newest first with a cursor, filtered by workflow and state', async () => {
    const page1 = await h.api<{ items: RunView[]; nextCursor: string | null }>('GET', '/internal/orchestrator/runs?workflow=report&limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).not.toBeNull();
    const page2 = await h.api<{ items: RunView[] }>('GET', `/internal/orchestrator/runs?workflow=report&limit=2&before=${page1.body.nextCursor}`);
    expect(page2.body.items[0]!.createdAt <= page1.body.items[1]!.createdAt).toBe(true);
    expect(page2.body.items.map((r) => r.id)).not.toContain(page1.body.items[0]!.id);
    const bad = await h.api<{ code: string }>('GET', '/internal/orchestrator/runs?state=sleeping');
    expect(bad.status).toBe(400);
    expect((await h.api<{ code: string }>('GET', '/internal/orchestrator/runs/not-a-uuid')).status).toBe(400);
    expect((await h.api<{ code: string }>('GET', `/internal/orchestrator/runs/${randomUUID()}`)).body.code).toBe('FF_RUN_NOT_FOUND');
  });
});
