import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { adminApiToken, bearer, createTestDatabase, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { startGatewayWithStandIn, type Seen, type StandInGateway } from './gateway-stand-in';

const RUN = '5b8d7c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';

/**
 * The gateway's orchestration API against a stand-in orchestrator: what is forwarded (method, path,
 * query, body, YAML, headers), what comes back (status, problem+json with the public `instance`, YAML,
 * a live SSE stream), and what the gateway refuses itself. The auth service runs beside the gateway (one
 * process, as embedded: a gateway test may not import it, hence here), and every call carries the
 * admin's API token.
 */
describe('gateway /api/v1/jobs, /workflows, /runs → orchestrator internal API', () => {
  let db: TestDatabase;
  let gw: StandInGateway;
  let base: string;
  let auth: Record<string, string>;
  let seen: Seen[];
  let streamClosed: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    db = await createTestDatabase('ff_gworch');
    gw = await startGatewayWithStandIn({
      db,
      upstreamVariable: 'FLOWFORGE_ORCHESTRATOR_URL',
      // An export also lists the schedules and triggers of the exported workflows.
      alsoVariables: ['FLOWFORGE_TRIGGERS_URL', 'FLOWFORGE_SCHEDULER_URL'],
      env: testAdminEnv,
      answer: (req, res, body) => {
        if (req.url?.startsWith(`/internal/orchestrator/runs/${RUN}/events`)) {
          // A live stream: one event now, one later; the test reads the first before the second exists.
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
          res.write(`id: 0.0\nevent: snapshot\ndata: {"id":"${RUN}"}\n\n`);
          const later = setTimeout(() => res.write('id: 1.0\nevent: run\ndata: {"to":"running"}\n\n'), 300);
          streamClosed = new Promise((resolve) => res.on('close', () => (clearTimeout(later), resolve())));
          return;
        }
        if (req.url === '/internal/orchestrator/workflows/apply' && body.includes('dependsOn: [aa]')) {
          res.writeHead(400, { 'content-type': 'application/problem+json; charset=utf-8' });
          res.end(
            JSON.stringify({
              type: 'https://flowforge.dev/problems/workflow-invalid',
              title: 'Workflow is invalid',
              status: 400,
              detail: 'line 8, column 32: step "b": depends on unknown step "aa"',
              instance: req.url,
              code: 'FF_WORKFLOW_INVALID',
              errors: [{ field: 'spec.steps[1].dependsOn[0]', message: 'line 8, column 32: step "b": depends on unknown step "aa"' }],
            }),
          );
        } else if (req.url === '/internal/triggers/triggers' || req.url?.startsWith('/internal/scheduler/schedules')) {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(req.url.startsWith('/internal/scheduler') ? JSON.stringify({ items: [] }) : '[]');
        } else if (req.url?.startsWith('/internal/orchestrator/workflows/export')) {
          res.writeHead(200, { 'content-type': 'application/yaml; charset=utf-8' });
          res.end('apiVersion: flowforge.io/v1\nkind: Job\n');
        } else if (req.method === 'PUT' && req.url === '/internal/orchestrator/jobs/same') {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ status: 'unchanged' }));
        } else {
          res.writeHead(req.method === 'GET' ? 200 : 201, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ echoed: req.url }));
        }
      },
    });
    ({ base, seen } = gw);
    auth = bearer(await adminApiToken(base));
  });

  afterAll(async () => {
    await gw?.stop();
    await db?.drop();
  });

  const last = (): Seen => gw.last();
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('forwards job and workflow reads and writes, relaying 201 (created) and 200 (unchanged)', async () => {
    // Forwarded as it came: the orchestrator's workflow model validates it (and refuses the unknown field).
    const created = await call('PUT', '/api/v1/jobs/wait', { type: 'sleep', config: { ms: 5 }, stray: 'kept' });
    expect(created.status).toBe(201);
    expect(last()).toMatchObject({ method: 'PUT', url: '/internal/orchestrator/jobs/wait' });
    expect(JSON.parse(last().body)).toEqual({ type: 'sleep', config: { ms: 5 }, stray: 'kept' });
    expect((await call('PUT', '/api/v1/jobs/same', { type: 'noop' })).status).toBe(200);
    await call('GET', '/api/v1/jobs/wait/versions/2');
    expect(last().url).toBe('/internal/orchestrator/jobs/wait/versions/2');
    await call('GET', '/api/v1/job-types');
    expect(last().url).toBe('/internal/orchestrator/job-types');
    const wf = await call('PUT', '/api/v1/workflows/nightly', {
      steps: [{ id: 'a', job: 'wait', params: { day: '${params.day}' } }],
      concurrency: { overlap: 'queue' },
    });
    expect(wf.status).toBe(201);
    expect(JSON.parse(last().body)).toEqual({ steps: [{ id: 'a', job: 'wait', params: { day: '${params.day}' } }], concurrency: { overlap: 'queue' } });
    await call('GET', '/api/v1/workflows');
    expect(last().url).toBe('/internal/orchestrator/workflows');
  });

  it('forwards YAML to apply (raw or as JSON) and relays problems with the public instance', async () => {
    const yaml =
      'apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: broken\nspec:\n  steps:\n    - { id: a, job: x }\n    - { id: b, job: x, dependsOn: [aa] }\n';
    const res = await fetch(`${base}/api/v1/workflows/apply`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: yaml });
    expect(last()).toMatchObject({ method: 'POST', url: '/internal/orchestrator/workflows/apply', body: yaml });
    expect(last().headers['content-type']).toBe('application/yaml');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { code: string; detail: string; instance: string; errors: unknown[] };
    expect(problem).toMatchObject({ code: 'FF_WORKFLOW_INVALID', instance: '/api/v1/workflows/apply' });
    expect(problem.detail).toContain('line 8');
    expect(problem.errors).toHaveLength(1);
    const json = await call('POST', '/api/v1/workflows/apply', { yaml: 'kind: Job\n' });
    expect(json.status).toBe(201);
    expect(last().body).toBe('kind: Job\n');
    const xml = await fetch(`${base}/api/v1/workflows/apply`, { method: 'POST', headers: { ...auth, 'content-type': 'application/xml' }, body: '<x/>' });
    expect(xml.status).toBe(415);
    expect(((await xml.json()) as { code: string }).code).toBe('FF_UNSUPPORTED_MEDIA_TYPE');
  });

  it('relays the export as YAML, with the workflow filter', async () => {
    const res = await call('GET', '/api/v1/workflows/export?workflow=nightly');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/yaml');
    expect(await res.text()).toBe('apiVersion: flowforge.io/v1\nkind: Job\n');
    const urls = seen.slice(-3).map((x) => x.url);
    expect(urls).toContain('/internal/orchestrator/workflows/export?workflow=nightly');
    expect(urls).toContain('/internal/triggers/triggers'); // the triggers of the exported workflow follow its YAML
  });

  it('starts runs with the Idempotency-Key header and the principal, and forwards run commands and queries', async () => {
    // The caller is the admin's API token `test` (adminApiToken): `token:<name> (<owner>)`; a body's own requestedBy is dropped.
    const res = await call(
      'POST',
      '/api/v1/runs',
      { workflow: 'nightly', params: { day: '2026-01-01' }, requestedBy: 'scheduler' },
      { 'idempotency-key': 'k-1' },
    );
    expect(res.status).toBe(201);
    expect(JSON.parse(last().body)).toEqual({ workflow: 'nightly', params: { day: '2026-01-01' }, idempotencyKey: 'k-1', requestedBy: 'token:test (admin)' });
    await call('POST', `/api/v1/runs/${RUN}/cancel`, { reason: 'oops' });
    expect(last()).toMatchObject({ url: `/internal/orchestrator/runs/${RUN}/cancel` });
    expect(JSON.parse(last().body)).toEqual({ reason: 'oops', requestedBy: 'token:test (admin)' });
    await call('POST', `/api/v1/runs/${RUN}/rerun`, { fromStep: 'load' });
    expect(JSON.parse(last().body)).toEqual({ fromStep: 'load', requestedBy: 'token:test (admin)' });
    await call('GET', '/api/v1/runs?workflow=nightly&state=failed&limit=5');
    expect(last().url).toBe('/internal/orchestrator/runs?workflow=nightly&state=failed&limit=5');
    await call('GET', `/api/v1/runs/${RUN}/logs?step=load&after=1767268800000000_10`);
    expect(last().url).toBe(`/internal/orchestrator/runs/${RUN}/logs?step=load&after=1767268800000000_10`);
  });

  it('refuses a bad query or path parameter itself, without calling the orchestrator', async () => {
    const before = seen.length;
    expect((await call('GET', '/api/v1/runs/not-a-uuid')).status).toBe(400);
    expect((await call('GET', '/api/v1/runs?state=sleeping')).status).toBe(400);
    expect((await call('GET', '/api/v1/runs?before=99999999999999999999')).status).toBe(400);
    expect((await call('GET', '/api/v1/jobs/x/versions/one')).status).toBe(400);
    // A log cursor is the nextCursor of a page (`<µs>_<id>`), not a line id.
    const cursor = await call('GET', `/api/v1/runs/${RUN}/logs?after=10`);
    expect(cursor.status).toBe(400);
    expect(((await cursor.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['after']);
    const uuid = await call('POST', `/api/v1/runs/not-a-uuid/cancel`, {});
    expect({ status: uuid.status, fields: ((await uuid.json()) as { errors: { field: string }[] }).errors.map((e) => e.field) }).toEqual({
      status: 400,
      fields: ['id'],
    });
    expect(seen.length).toBe(before);
  });

  it('forwards bodies as they came (with who asks): the orchestrator validates them, once (services/orchestrator/src/runs/run-requests.int-spec.ts)', async () => {
    await call('POST', '/api/v1/runs', { workflow: 7, params: 'x' });
    expect(JSON.parse(last().body)).toEqual({ workflow: 7, params: 'x', requestedBy: 'token:test (admin)' });
    await call('PUT', '/api/v1/workflows/x', { steps: 'none' });
    expect(JSON.parse(last().body)).toEqual({ steps: 'none' });
    // No body at all: cancel and rerun take an optional one.
    await call('POST', `/api/v1/runs/${RUN}/cancel`);
    expect(JSON.parse(last().body)).toEqual({ requestedBy: 'token:test (admin)' });
    // Not an object: nothing to add the caller to; the orchestrator refuses it.
    await call('POST', `/api/v1/runs/${RUN}/rerun`, ['load']);
    expect(JSON.parse(last().body)).toEqual(['load']);
  });

  it('proxies the run event stream live, and closes the upstream stream when the client leaves', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/runs/${RUN}/events`, { headers: { ...auth, 'last-event-id': '3.4' }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(last().headers['last-event-id']).toBe('3.4');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: snapshot'); // arrived before the stand-in wrote its second event
    let rest = '';
    while (!rest.includes('event: run')) rest += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    await streamClosed;
  });

  it('answers 502 FF_ORCHESTRATOR_UNREACHABLE when the orchestrator does not answer', async () => {
    const dead = await gw.startAnother('http://127.0.0.1:9');
    try {
      const res = await fetch(`${dead.base}/api/v1/workflows`, { headers: auth });
      expect(res.status).toBe(502);
      const p = (await res.json()) as { code: string; detail: string };
      expect(p.code).toBe('FF_ORCHESTRATOR_UNREACHABLE');
      expect(p.detail).toContain('GET /workflows');
    } finally {
      await dead.app.close();
    }
  });

  it('documents every route in the OpenAPI document', () => {
    const doc = SwaggerModule.createDocument(gw.app, new DocumentBuilder().setTitle('FlowForge').build());
    for (const path of [
      '/api/v1/jobs',
      '/api/v1/jobs/{name}',
      '/api/v1/job-types',
      '/api/v1/workflows/apply',
      '/api/v1/workflows/export',
      '/api/v1/workflows/{name}/versions/{version}',
      '/api/v1/runs',
      '/api/v1/runs/{id}/cancel',
      '/api/v1/runs/{id}/rerun',
      '/api/v1/runs/{id}/logs',
      '/api/v1/runs/{id}/events',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/api/v1/runs']!.post!.responses['201']).toBeDefined();
    expect(doc.components?.schemas?.RunDto).toBeDefined();
  });
});
