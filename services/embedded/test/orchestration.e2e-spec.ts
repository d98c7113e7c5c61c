import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { adminApiToken, createTestDatabase, readSse, testAdminEnv, type SseEvent, type TestDatabase } from '@flowforge/testing';
import { buildIfNeeded, freePort, spawnHost, stopHost, waitFor, waitReady, type HostProcess } from './host-process';
import { PublicApi, stepOf, stepStates, type Problem, type PublicRun } from './public-api';

// Every job type here is a builtin one (noop, sleep, fail), hosted by the orchestrator in the host.
const JOBS = `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: e2e-noop
spec:
  type: noop
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: e2e-nap
spec:
  type: sleep
  config: { ms: 150 }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: e2e-flaky
spec:
  type: fail
  config: { message: flaky on purpose, failAttempts: 2 }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: e2e-boom
spec:
  type: fail
  config: { message: boom on purpose, retryable: false }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: e2e-long
spec:
  type: sleep
  config: { ms: 60000 }
`;

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: fan-out-in
spec:
  steps:
    - { id: extract, job: e2e-noop }
    - { id: left, job: e2e-nap, dependsOn: [extract] }
    - { id: right, job: e2e-nap, dependsOn: [extract] }
    - id: flaky
      job: e2e-flaky
      dependsOn: [extract]
      retry: { maxAttempts: 3, initialDelayMs: 50, backoffFactor: 2 }
    - { id: join, job: e2e-noop, dependsOn: [left, right, flaky] }
    - { id: cleanup, job: e2e-noop, dependsOn: [join], condition: always }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: breaks
spec:
  steps:
    - { id: extract, job: e2e-noop }
    - { id: load, job: e2e-boom, dependsOn: [extract] }
    - { id: publish, job: e2e-noop, dependsOn: [load] }
    - { id: report, job: e2e-nap, dependsOn: [publish] }
    - { id: cleanup, job: e2e-noop, dependsOn: [publish], condition: always }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: slow
spec:
  steps:
    - { id: wait, job: e2e-long }
    - { id: after, job: e2e-noop, dependsOn: [wait] }
`;

const ms = (iso: string | null): number => new Date(iso!).getTime();
const dataOf = <T>(e: SseEvent): T => e.data as T;

/**
 * The orchestration core end to end: the built embedded host (one process, every service) driven only
 * through the public REST API — workflow-as-code, runs over the real Postgres bus with the builtin
 * executor, the live event stream, idempotency, cancel, problem+json, secrets, and a restart.
 */
describe('orchestration through the public API (embedded host)', () => {
  let db: TestDatabase;
  let home: string;
  let env: Record<string, string>;
  let api: PublicApi;
  let host: HostProcess;
  const processes: HostProcess[] = [];
  const password = `Pw-${randomBytes(12).toString('hex')}`;
  /** Every run this suite created, with the state it ended in. */
  const finished = new Map<string, string>();

  beforeAll(async () => {
    buildIfNeeded();
    db = await createTestDatabase('ff_e2e_orch');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-home-orch-'));
    const port = await freePort();
    env = {
      DATABASE_URL: db.url,
      PORT: String(port),
      FLOWFORGE_HOME: home,
      // debug: the secrets check below searches everything the host says.
      LOG_LEVEL: 'debug',
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200',
      FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS: '200',
      ...testAdminEnv,
    };
    host = spawnHost(env);
    processes.push(host);
    api = new PublicApi(`http://127.0.0.1:${port}`, host);
    await waitReady(api.base, host, 90_000);
    api.token = await adminApiToken(api.base);
    await waitFor(
      'the builtin job types to be registered',
      async () => {
        const types = await api.jobTypes();
        return ['noop', 'sleep', 'fail'].every((t) => types.includes(t)) ? true : undefined;
      },
      30_000,
      host,
    );
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await stopHost(p).catch(() => p.child.kill('SIGKILL'));
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('applies a multi-document YAML in one go, and again without creating versions', async () => {
    const applied = await api.apply<{ documents: { kind: string; name: string; version: number; status: string }[] }>(`${JOBS}---\n${WORKFLOWS}`);
    expect(applied.status).toBe(200);
    expect(applied.body.documents.map((d) => `${d.kind}/${d.name}@${d.version}:${d.status}`)).toEqual([
      'Job/e2e-noop@1:created',
      'Job/e2e-nap@1:created',
      'Job/e2e-flaky@1:created',
      'Job/e2e-boom@1:created',
      'Job/e2e-long@1:created',
      'Workflow/fan-out-in@1:created',
      'Workflow/breaks@1:created',
      'Workflow/slow@1:created',
    ]);
    const again = await api.apply<{ documents: { status: string }[] }>(`${JOBS}---\n${WORKFLOWS}`);
    expect(again.status).toBe(200);
    expect(new Set(again.body.documents.map((d) => d.status))).toEqual(new Set(['unchanged']));
  });

  it('runs a fan-out/fan-in workflow with retries and an always step, watched live over SSE', async () => {
    const created = await api.startRun('fan-out-in');
    expect(created.status).toBe(201);
    const id = created.body.id;
    const events = await readSse(`${api.base}/api/v1/runs/${id}/events`, api.auth, 60_000).done;

    expect(events[0]!.event).toBe('snapshot');
    expect(dataOf<PublicRun>(events[0]!).id).toBe(id);
    const end = events[events.length - 1]!;
    expect(end.event).toBe('end');
    expect(dataOf<{ runId: string; state: string }>(end)).toMatchObject({ runId: id, state: 'succeeded' });
    // Replayed from the start of the feed: every run transition exactly once.
    expect(events.filter((e) => e.event === 'run').map((e) => dataOf<{ to: string }>(e).to)).toEqual(['queued', 'running', 'succeeded']);
    const trail = (stepId: string): string[] =>
      events.filter((e) => e.event === 'step' && dataOf<{ stepId: string }>(e).stepId === stepId).map((e) => dataOf<{ to: string }>(e).to);
    // A `fail` attempt may report before its StepStarted arrives (another topic): its step then goes
    // queued → retrying without showing running. Each of the three attempts is in the trail either way.
    expect(trail('flaky').filter((to) => to !== 'running')).toEqual(['queued', 'retrying', 'queued', 'retrying', 'queued', 'succeeded']);
    expect(trail('join')).toEqual(['queued', 'running', 'succeeded']);
    expect(events.some((e) => e.event === 'log' && dataOf<{ message: string; stepId: string }>(e).stepId === 'left')).toBe(true);

    const run = await api.getRun(id);
    finished.set(id, run.state);
    expect(run.state).toBe('succeeded');
    expect(stepStates(run)).toEqual({
      extract: 'succeeded',
      left: 'succeeded',
      right: 'succeeded',
      flaky: 'succeeded',
      join: 'succeeded',
      cleanup: 'succeeded',
    });
    const flaky = stepOf(run, 'flaky');
    expect(flaky.attempts.map((a) => `${a.attempt}:${a.state}:${a.errorCode ?? '-'}`)).toEqual([
      '1:failed:FF_BUILTIN_FAIL',
      '2:failed:FF_BUILTIN_FAIL',
      '3:succeeded:-',
    ]);
    expect(flaky.outputs).toEqual({ succeededOnAttempt: 3 });
    for (const s of run.steps!) {
      if (s.stepId !== 'flaky') expect(s.attempts.map((a) => a.state)).toEqual(['succeeded']);
      for (const a of s.attempts) expect(a).toMatchObject({ executor: 'builtin', instanceId: expect.any(String) });
    }
    expect(stepOf(run, 'left').outputs).toEqual({ sleptMs: 150 });
    // Fan-in: join started only once all three branches had finished.
    const join = stepOf(run, 'join');
    for (const branch of ['left', 'right', 'flaky']) expect(ms(join.startedAt)).toBeGreaterThanOrEqual(ms(stepOf(run, branch).finishedAt));
    expect(ms(stepOf(run, 'cleanup').startedAt)).toBeGreaterThanOrEqual(ms(join.finishedAt));

    const logs = await api.call<{ items: { stepId: string; attempt: number; message: string }[] }>('GET', `/api/v1/runs/${id}/logs?step=left`);
    expect(logs.status).toBe(200);
    expect(logs.body.items).toContainEqual(expect.objectContaining({ stepId: 'left', attempt: 1, message: 'sleeping' }));
  });

  it('fails a workflow: downstream is upstream_failed, the always step still runs', async () => {
    const { body } = await api.startRun('breaks');
    const run = await api.waitRun(body.id);
    finished.set(run.id, run.state);
    expect(run.state).toBe('failed');
    expect(stepStates(run)).toEqual({ extract: 'succeeded', load: 'failed', publish: 'upstream_failed', report: 'upstream_failed', cleanup: 'succeeded' });
    const load = stepOf(run, 'load');
    expect(load).toMatchObject({ errorCode: 'FF_BUILTIN_FAIL', errorMessage: 'boom on purpose' });
    expect(load.attempts.map((a) => a.state)).toEqual(['failed']); // not retryable, and no retry policy
    expect(stepOf(run, 'report').attempts).toEqual([]); // never dispatched
    expect(run.reason).toContain('step "load" failed');
    expect(ms(stepOf(run, 'cleanup').startedAt)).toBeGreaterThanOrEqual(ms(load.finishedAt));
  });

  it('gives the same run for the same idempotency key (header or body), and refuses it for another workflow', async () => {
    const key = `e2e-${randomBytes(6).toString('hex')}`;
    const first = await api.startRun('fan-out-in', {}, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const second = await api.startRun('fan-out-in', {}, { 'idempotency-key': key });
    expect(second.status).toBe(200);
    const third = await api.startRun('fan-out-in', { idempotencyKey: key });
    expect(third.status).toBe(200);
    expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(1);
    expect(second.body.idempotencyKey).toBe(key);

    const conflict = await api.call<Problem>('POST', '/api/v1/runs', { workflow: 'breaks' }, { 'idempotency-key': key });
    // The key names another workflow's run: 422 naming the key (it used to answer the first run silently).
    expect(conflict.status).toBe(422);
    expect(conflict.contentType).toContain('application/problem+json');
    expect(conflict.body).toMatchObject({ code: 'FF_RUN_IDEMPOTENCY_CONFLICT', instance: '/api/v1/runs' });
    expect(conflict.body.detail).toContain(key);

    const run = await api.waitRun(first.body.id);
    finished.set(run.id, run.state);
    expect(run.state).toBe('succeeded');
    const list = await api.call<{ items: PublicRun[] }>('GET', '/api/v1/runs?workflow=fan-out-in&limit=100');
    expect(list.body.items.filter((r) => r.idempotencyKey === key).map((r) => r.id)).toEqual([first.body.id]);
  });

  it('cancels a run mid-step: the sleeping attempt is stopped by its executor, open steps and the run end cancelled', async () => {
    const { body } = await api.startRun('slow');
    // Running = the executor took the attempt (StepStarted), so the sleep is really under way.
    await api.waitRun(body.id, (r) => stepOf(r, 'wait').state === 'running' && stepOf(r, 'wait').attempts[0]?.startedAt != null);
    const cancelled = await api.call<PublicRun>('POST', `/api/v1/runs/${body.id}/cancel`, { reason: 'e2e says stop' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    // The caller is the admin's API token `test` (adminApiToken), recorded as token:<name> (<owner>).
    expect(cancelled.body.reason).toBe('cancelled by token:test (admin): e2e says stop');
    expect(cancelled.body).toMatchObject({ requestedBy: 'token:test (admin)', cancelledBy: 'token:test (admin)' });
    expect(stepStates(cancelled.body)).toEqual({ wait: 'cancelled', after: 'cancelled' });
    expect(stepOf(cancelled.body, 'wait').attempts.map((a) => a.state)).toEqual(['cancelled']);
    finished.set(body.id, 'cancelled');

    // The builtin executor heard the cancel and aborted the 60 s sleep: its FF_STEP_CANCELLED answer
    // arrives (and is ignored as stale) within seconds, not after the minute the sleep would take.
    await waitFor(
      'the executor to report the aborted attempt',
      async () =>
        host
          .stdout()
          .split('\n')
          .some((line) => line.includes(body.id) && line.includes('FF_STEP_EVENT_STALE') && line.includes('step \\"wait\\" is cancelled'))
          ? true
          : undefined,
      10_000,
      host,
    );
    expect((await api.getRun(body.id)).state).toBe('cancelled');
    expect((await api.call('POST', `/api/v1/runs/${body.id}/cancel`, {})).status).toBe(200); // again: a no-op
    const done = [...finished.entries()].find(([, state]) => state === 'succeeded')![0];
    const refused = await api.call<Problem>('POST', `/api/v1/runs/${done}/cancel`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('FF_RUN_ALREADY_FINISHED');
  });

  it('answers bad YAML with 400 problem+json naming the line, and writes nothing', async () => {
    // Line 7 opens a flow sequence that never closes.
    const syntax = await api.apply<Problem>('apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: half\nspec:\n  type: noop\n  config: [unclosed\n');
    expect(syntax.status).toBe(400);
    expect(syntax.contentType).toContain('application/problem+json');
    expect(syntax.body).toMatchObject({ status: 400, code: 'FF_YAML_INVALID', instance: '/api/v1/workflows/apply' });
    expect(syntax.body.detail).toMatch(/line [78]\b/);

    // Valid YAML, invalid workflow: the second document's line 9 depends on a step that does not exist.
    const invalid = await api.apply<Problem>(
      [
        'apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: e2e-half-written\nspec:\n  type: noop\n',
        'apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: dangling\nspec:\n  steps:\n    - { id: a, job: e2e-noop }\n    - id: b\n      job: e2e-noop\n      dependsOn: [nope]\n',
      ].join('---\n'),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.contentType).toContain('application/problem+json');
    expect(invalid.body.code).toBe('FF_WORKFLOW_INVALID');
    expect(invalid.body.detail).toContain('line 17');
    expect(invalid.body.detail).toContain('"nope"');
    // One transaction: the valid Job document of the same request was not written either.
    expect((await api.call<Problem>('GET', '/api/v1/jobs/e2e-half-written')).body.code).toBe('FF_JOB_NOT_FOUND');
    expect((await api.call<Problem>('GET', '/api/v1/workflows/dangling')).status).toBe(404);
  });

  it('lists assets on an empty lake', async () => {
    const all = await api.call<unknown[]>('GET', '/api/v1/assets');
    expect(all.status).toBe(200);
    expect(all.body).toEqual([]);
    const bronze = await api.call<unknown[]>('GET', '/api/v1/assets?layer=bronze&namespace=sales');
    expect(bronze.status).toBe(200);
    expect(bronze.body).toEqual([]);
  });

  it('keeps a connection password out of every response', async () => {
    const server = new URL(db.url);
    // The stack's server is on loopback: the admin allows private networks, so the probe reaches it.
    const config = { host: server.hostname, port: Number(server.port || 5432), database: db.name, user: 'ff_e2e_nobody', password, allowPrivateNetworks: true };
    const created = await api.call<{ id: string; config: Record<string, unknown>; secretFields: string[] }>('POST', '/api/v1/connections', {
      name: 'e2e-warehouse',
      type: 'postgres',
      config,
    });
    expect(created.status).toBe(201);
    expect(created.body.config).toMatchObject({ host: server.hostname, user: 'ff_e2e_nobody', password: { set: true } });
    expect(created.body.secretFields).toEqual(['password']);
    const id = created.body.id;

    expect((await api.call('GET', '/api/v1/connections')).status).toBe(200);
    expect((await api.call('GET', `/api/v1/connections/${id}`)).status).toBe(200);
    const patched = await api.call<{ version: number }>('PATCH', `/api/v1/connections/${id}`, {
      description: 'kept secret',
      config: { password: { set: true } },
    });
    expect(patched.status).toBe(200);
    // The probe reaches the server and fails on the unknown user: the driver's message must not carry the password.
    const probed = await api.call<{ ok: boolean; message: string }>('POST', `/api/v1/connections/${id}/test`);
    expect(probed.status).toBe(200);
    expect(probed.body.ok).toBe(false);
    // A refused request with the password in it: the problem must not echo it back.
    const refused = await api.call<Problem>('POST', '/api/v1/connections', { name: 'e2e-bad', type: 'postgres', config: { ...config, port: 'not-a-port' } });
    expect(refused.status).toBe(400);
    const taken = await api.call<Problem>('POST', '/api/v1/connections', { name: 'e2e-warehouse', type: 'postgres', config });
    expect(taken.status).toBe(409);

    expect(api.responses.length).toBeGreaterThan(20);
    expect(api.responses.filter((text) => text.includes(password))).toEqual([]);
    // Nor in the events on the bus (the connection has none; no other event may carry it).
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM ff_bus.log WHERE position(convert_to($1, 'UTF8') in payload) > 0`, [password]);
      expect(rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('keeps every run across a restart on the same data, and runs new ones', async () => {
    const before = (await api.call<{ items: PublicRun[] }>('GET', '/api/v1/runs?limit=100')).body.items;
    const fanId = [...finished.keys()][0]!;
    const fanBefore = await api.getRun(fanId);
    expect(await stopHost(host)).toBe(0);

    host = spawnHost(env);
    processes.push(host);
    api.host = host;
    await waitReady(api.base, host, 90_000);
    const after = (await api.call<{ items: PublicRun[] }>('GET', '/api/v1/runs?limit=100')).body.items;
    expect(after.map((r) => `${r.id}:${r.state}`)).toEqual(before.map((r) => `${r.id}:${r.state}`));
    for (const [id, state] of finished) expect(after.find((r) => r.id === id)?.state).toBe(state);
    expect(await api.getRun(fanId)).toEqual(fanBefore);

    const again = await api.waitRun((await api.startRun('fan-out-in')).body.id);
    expect(again.state).toBe('succeeded');
    expect((await api.call<unknown[]>('GET', '/api/v1/assets')).body).toEqual([]);
  }, 120_000);

  it("never wrote the password to the hosts' output", async () => {
    expect(await stopHost(host)).toBe(0);
    expect(processes).toHaveLength(2);
    const output = processes.map((p) => p.stdout() + p.stderr()).join('\n');
    expect(output).toContain('"msg":"ready"'); // the output was captured, at debug level
    expect(output.length).toBeGreaterThan(10_000);
    expect(output.includes(password)).toBe(false);
    expect(api.responses.filter((text) => text.includes(password))).toEqual([]);
  });
});
