import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { authService } from '@flowforge/service-auth';
import { gatewayService } from '@flowforge/service-gateway';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { createHostApp, createLogger, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { bearer, createTestDatabase, TEST_ADMIN, testAdminEnv, type TestDatabase } from '@flowforge/testing';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

// Builtin job types only (the orchestrator hosts their executor): a run to cancel, a run that fails.
const PIPELINE = `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: who-long
spec:
  type: sleep
  config: { ms: 60000 }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: who-boom
spec:
  type: fail
  config: { message: boom on purpose, retryable: false }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: who-slow
spec:
  steps:
    - { id: wait, job: who-long }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: who-breaks
spec:
  steps:
    - { id: explode, job: who-boom }
`;

/** An API token as a run records it: `token:<token name> (<owner>)` (libs/access principalName). */
const TOKEN_BY = 'token:ci-deploy (admin)';

interface Run {
  id: string;
  state: string;
  reason: string | null;
  requestedBy: string;
  cancelledBy: string | null;
  parentRunId: string | null;
}

/**
 * Runs record who asked (requestedBy, cancelledBy), through the gateway with the real auth service and
 * orchestrator in one process (as embedded): a signed-in user by name, an API token as `token:<name> (<owner>)`,
 * for start, cancel and rerun; a client cannot claim someone else.
 */
describe('runs record their principal (gateway → orchestrator)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let user: Record<string, string>;
  let token: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('ff_principal');
    const services = [gatewayService, authService, orchestratorService];
    const env = { DATABASE_URL: db.url, FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200', ...testAdminEnv };
    const config = loadHostConfig({ host: 'embedded', services, env, requireDatabaseUrl: true });
    app = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger: quiet, port: 0 });
    base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;

    const login = await post('/api/v1/auth/login', TEST_ADMIN);
    expect(login.status).toBe(200);
    user = bearer(((await login.json()) as { accessToken: string }).accessToken);
    const created = await post('/api/v1/tokens', { name: 'ci-deploy', permissions: ['workflow:view', 'workflow:execute'], expiresInDays: 1 }, user);
    expect(created.status).toBe(201);
    token = bearer(((await created.json()) as { token: string }).token);

    const applied = await fetch(`${base}/api/v1/workflows/apply`, { method: 'POST', headers: { 'content-type': 'application/yaml', ...user }, body: PIPELINE });
    expect(applied.status).toBe(200);
    await waitFor('the builtin job types', async () => {
      const res = await fetch(`${base}/api/v1/job-types`, { headers: user });
      const types = (await res.json()) as { items?: { type: string }[] } | { type: string }[];
      const list = Array.isArray(types) ? types : (types.items ?? []);
      return ['sleep', 'fail'].every((t) => list.some((i) => i.type === t));
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  async function json<T>(res: Response | Promise<Response>, status: number): Promise<T> {
    const r = await res;
    const text = await r.text();
    expect({ status: r.status, text }).toEqual({ status, text: expect.any(String) });
    return JSON.parse(text) as T;
  }

  const getRun = (id: string): Promise<Run> => json<Run>(fetch(`${base}/api/v1/runs/${id}`, { headers: user }), 200);

  async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function failedRun(as: Record<string, string>): Promise<Run> {
    const run = await json<Run>(post('/api/v1/runs', { workflow: 'who-breaks' }, as), 201);
    await waitFor(`run ${run.id} to fail`, async () => (await getRun(run.id)).state === 'failed');
    return getRun(run.id);
  }

  it('a signed-in user is recorded by name: start, cancel and rerun', async () => {
    const started = await json<Run>(post('/api/v1/runs', { workflow: 'who-slow' }, user), 201);
    expect({ requestedBy: started.requestedBy, cancelledBy: started.cancelledBy }).toEqual({ requestedBy: TEST_ADMIN.username, cancelledBy: null });
    const cancelled = await json<Run>(post(`/api/v1/runs/${started.id}/cancel`, { reason: 'not today' }, user), 200);
    expect(cancelled).toMatchObject({ state: 'cancelled', requestedBy: 'admin', cancelledBy: 'admin', reason: 'cancelled by admin: not today' });

    const failed = await failedRun(user);
    expect(failed.requestedBy).toBe('admin');
    const rerun = await json<Run>(post(`/api/v1/runs/${failed.id}/rerun`, {}, user), 201);
    expect(rerun).toMatchObject({ parentRunId: failed.id, requestedBy: 'admin', cancelledBy: null });
  });

  it("an API token is recorded as token:<name> (<owner>), also when it cancels or re-runs a user's run", async () => {
    const started = await json<Run>(post('/api/v1/runs', { workflow: 'who-slow' }, token), 201);
    expect(started.requestedBy).toBe(TOKEN_BY);
    const cancelled = await json<Run>(post(`/api/v1/runs/${started.id}/cancel`, {}, token), 200);
    expect(cancelled).toMatchObject({ state: 'cancelled', requestedBy: TOKEN_BY, cancelledBy: TOKEN_BY, reason: `cancelled by ${TOKEN_BY}` });

    // Someone else's run: the record keeps who started it, and says who cancelled and who re-ran.
    const users = await json<Run>(post('/api/v1/runs', { workflow: 'who-slow' }, user), 201);
    const byToken = await json<Run>(post(`/api/v1/runs/${users.id}/cancel`, {}, token), 200);
    expect({ requestedBy: byToken.requestedBy, cancelledBy: byToken.cancelledBy }).toEqual({ requestedBy: 'admin', cancelledBy: TOKEN_BY });
    // Cancelling again is a no-op: the first cancel's caller stays recorded.
    const again = await json<Run>(post(`/api/v1/runs/${users.id}/cancel`, {}, user), 200);
    expect(again.cancelledBy).toBe(TOKEN_BY);

    const failed = await failedRun(user);
    const rerun = await json<Run>(post(`/api/v1/runs/${failed.id}/rerun`, {}, token), 201);
    expect(rerun).toMatchObject({ parentRunId: failed.id, requestedBy: TOKEN_BY });
    expect((await getRun(failed.id)).requestedBy).toBe('admin');

    // The list says who started each run.
    const list = await json<{ items: Run[] }>(fetch(`${base}/api/v1/runs?limit=500`, { headers: token }), 200);
    const by = new Map(list.items.map((r) => [r.id, r.requestedBy]));
    expect([by.get(started.id), by.get(users.id), by.get(rerun.id)]).toEqual([TOKEN_BY, 'admin', TOKEN_BY]);
  });

  it('a client cannot claim another principal: requestedBy in a body is dropped, the caller is recorded', async () => {
    const started = await json<Run>(post('/api/v1/runs', { workflow: 'who-slow', requestedBy: 'scheduler' }, token), 201);
    expect(started.requestedBy).toBe(TOKEN_BY);
    const cancelled = await json<Run>(post(`/api/v1/runs/${started.id}/cancel`, { requestedBy: 'someone-else' }, user), 200);
    expect(cancelled.cancelledBy).toBe('admin');
    // As stored, not only as shown.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ requested_by: string; cancelled_by: string }>(
        'SELECT requested_by, cancelled_by FROM ff_orchestrator.runs WHERE id = $1',
        [started.id],
      );
      expect(rows).toEqual([{ requested_by: TOKEN_BY, cancelled_by: 'admin' }]);
    } finally {
      await pg.end();
    }
  });

  it('without a credential nothing starts (401), and nothing is recorded as anonymous', async () => {
    const res = await post('/api/v1/runs', { workflow: 'who-slow' });
    expect(res.status).toBe(401);
    const list = await json<{ items: Run[] }>(fetch(`${base}/api/v1/runs?limit=500`, { headers: user }), 200);
    expect(list.items.filter((r) => !['admin', TOKEN_BY].includes(r.requestedBy))).toEqual([]);
  });
});
