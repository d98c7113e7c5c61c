import http from 'node:http';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

/** `{"a":{"a":...{"a":1}}}` nested `depth` objects deep, built as text (a recursive JSON.stringify would be the crash itself). */
const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/**
 * Bad input against the real embedded identity path (gateway, auth, catalog, orchestrator on a fresh
 * database): deep JSON, NUL bytes, lone surrogates, out-of-range integers and dot names are each a 400
 * naming the field, never a 500, and the host keeps serving.
 */
describe('bad input is a 4xx naming the field', () => {
  let host: AuthHost;
  let operator: string;
  let admin: string;

  const raw = async (method: string, path: string, body: string, token?: string) => {
    const res = await fetch(`${host.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, body: (text ? JSON.parse(text) : null) as Problem, headers: res.headers };
  };
  /** A request whose path is sent byte for byte: fetch would resolve `%2e%2e` itself, as browsers do; curl --path-as-is and attackers do not. */
  const asIs = (method: string, path: string, token: string, body?: unknown) =>
    new Promise<{ status: number; body: Problem }>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const { hostname, port } = new URL(host.base);
      const req = http.request(
        { hostname, port, path, method, headers: { authorization: `Bearer ${token}`, ...(text ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') as Problem }));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  const live = async () => (await fetch(`${host.base}/health/live`)).status;
  const fields = (p: Problem) => (p.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_input_safety'));
    admin = await host.adminToken();
    operator = (await host.userWith(['operator'])).token;
  });

  afterAll(async () => host?.stop());

  describe('JSON depth', () => {
    it("an operator's run whose params nest 8,000 objects deep is a 400 naming the limit, and the host lives on", async () => {
      const body = `{"workflow":"hello","params":${nested(8000)}}`;
      const res = await raw('POST', '/api/v1/runs', body, operator);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'FF_JSON_TOO_DEEP' });
      expect(res.body.detail).toContain('64 levels');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      // The process is alive and the same caller is served normally afterwards.
      expect(await live()).toBe(200);
      expect((await host.call('GET', '/api/v1/runs', { token: operator })).status).toBe(200);
    });

    it("refuses a deep body before authentication and on every service's routes, arrays too", async () => {
      expect((await raw('POST', '/api/v1/auth/login', `{"username":${'['.repeat(5000)}${']'.repeat(5000)}}`)).body.code).toBe('FF_JSON_TOO_DEEP');
      const internal = await fetch(`${host.base}/internal/orchestrator/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...host.runtime.internalHeaders() },
        body: nested(100),
      });
      expect(internal.status).toBe(400);
      expect(((await internal.json()) as Problem).code).toBe('FF_JSON_TOO_DEEP');
    });

    it('lets 60 levels through the parser, and does not count brackets inside strings', async () => {
      const ok = await raw('POST', '/api/v1/runs', `{"workflow":"no-such-workflow","params":${nested(60)}}`, operator);
      expect(ok.body.code).not.toBe('FF_JSON_TOO_DEEP');
      expect(ok.status).toBeLessThan(500);
      const inString = await raw('POST', '/api/v1/runs', JSON.stringify({ workflow: 'no-such-workflow', params: { s: '{['.repeat(5000) + '\\"' } }), operator);
      expect(inString.body.code).not.toBe('FF_JSON_TOO_DEEP');
      expect(inString.status).toBeLessThan(500);
    });

    it('a workflow-as-code apply whose YAML nests 10,000 flow collections is a 400, and the host lives on', async () => {
      const res = await fetch(`${host.base}/api/v1/workflows/apply`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml', authorization: `Bearer ${admin}` },
        body: `apiVersion: flowforge.io/v1\nkind: Job\nmetadata: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as Problem).code).toBe('FF_YAML_TOO_DEEP');
      expect(await live()).toBe(200);
    });

    it('audits a wide body as a bounded list of field names', async () => {
      const params = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, i]));
      const res = await host.call('POST', '/api/v1/runs', { token: operator, body: { workflow: 'wide-params', params } });
      expect(res.status).toBe(404);
      const entry = await waitForAudit(
        host,
        `SELECT changes FROM ff_auth.audit_log WHERE action = 'workflow:execute' AND jsonb_array_length(changes->'fields') > 100 LIMIT 1`,
      );
      const listed = (entry as { changes: { fields: string[] } }).changes.fields;
      expect(listed.length).toBeLessThanOrEqual(201);
      expect(listed[listed.length - 1]).toBe('…');
    });
  });

  describe('NUL bytes and lone surrogates', () => {
    it('a NUL in the login user name is a 400 naming username, before any credential check', async () => {
      const res = await host.call<Problem>('POST', '/api/v1/auth/login', { body: { username: 'ad\u0000min', password: 'whatever-it-is' } });
      expect({ status: res.status, code: res.body.code, fields: fields(res.body) }).toEqual({ status: 400, code: 'FF_VALIDATION', fields: ['username'] });
      expect(res.body.detail).toContain('NUL');
    });

    it('a lone surrogate deep in run params is a 400 naming params.a.b', async () => {
      const res = await raw('POST', '/api/v1/runs', '{"workflow":"hello","params":{"a":{"b":"x\\ud800y"}}}', operator);
      expect({ status: res.status, fields: fields(res.body) }).toEqual({ status: 400, fields: ['params.a.b'] });
      expect(res.body.detail).toContain('surrogate');
    });

    it('a NUL in a key is named too, as is a NUL in an idempotency key and in a token name', async () => {
      const key = await raw('POST', '/api/v1/runs', '{"workflow":"hello","params":{"a\\u0000":1}}', operator);
      expect({ status: key.status, fields: fields(key.body) }).toEqual({ status: 400, fields: ['params["a\\u0000"]'] });
      const idem = await host.call<Problem>('POST', '/api/v1/runs', { token: operator, body: { workflow: 'hello', idempotencyKey: 'k\u0000' } });
      expect({ status: idem.status, fields: fields(idem.body) }).toEqual({ status: 400, fields: ['idempotencyKey'] });
      const token = await host.call<Problem>('POST', '/api/v1/tokens', { token: admin, body: { name: 'ci\u0000', permissions: ['workflow:view'] } });
      expect({ status: token.status, fields: fields(token.body) }).toEqual({ status: 400, fields: ['name'] });
    });

    it('a NUL in a path parameter or a query parameter is a 400 naming it', async () => {
      const path = await host.call<Problem>('GET', '/api/v1/jobs/a%00b', { token: admin });
      expect({ status: path.status, fields: fields(path.body) }).toEqual({ status: 400, fields: ['name'] });
      const query = await host.call<Problem>('GET', '/api/v1/runs?workflow=a%00b', { token: admin });
      expect({ status: query.status, fields: fields(query.body) }).toEqual({ status: 400, fields: ['workflow'] });
      const session = await host.call<Problem>('DELETE', '/api/v1/auth/sessions/a%00b', { token: admin });
      expect(session.status).toBe(400);
    });
  });

  describe('integers in paths and queries', () => {
    it.each([
      ['/api/v1/workflows/hello/versions/2147483648', 'version'],
      ['/api/v1/workflows/hello/versions/-1', 'version'],
      ['/api/v1/jobs/load/versions/99999999999999999999', 'version'],
      ['/api/v1/runs?before=9999999999999999999', 'before'],
      ['/api/v1/runs?limit=1e400', 'limit'],
      ['/api/v1/connections?offset=9999999999', 'offset'],
    ])('%s is a 400 naming %s', async (path, field) => {
      const res = await host.call<Problem>('GET', path, { token: admin });
      expect({ status: res.status, fields: [...new Set(fields(res.body))] }).toEqual({ status: 400, fields: [field] });
    });

    it('the largest cursor PostgreSQL holds is accepted', async () => {
      expect((await host.call('GET', '/api/v1/runs?before=9223372036854775807', { token: admin })).status).toBe(200);
    });
  });

  describe('name parameters', () => {
    it.each([
      ['GET', '/api/v1/workflows/%2e%2e'],
      ['GET', '/api/v1/workflows/%2E'],
      ['GET', '/api/v1/workflows/..%2Fruns/versions'],
      ['GET', '/api/v1/jobs/%2e%2e/versions'],
      ['GET', '/api/v1/job-types/a%5Cb'],
      ['PUT', '/api/v1/roles/%2e%2e'],
      ['DELETE', '/api/v1/roles/%2e'],
    ])('%s %s is a 400 naming the parameter', async (method, path) => {
      const res = await asIs(method, path, admin, method === 'PUT' ? { permissions: ['workflow:view'] } : undefined);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'FF_VALIDATION' });
      expect(fields(res.body)).toEqual([path.includes('job-types') ? 'type' : 'name']);
    });

    it('a valid name still reaches its route', async () => {
      const res = await host.call<Problem>('GET', '/api/v1/workflows/no-such.workflow_1', { token: admin });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'FF_WORKFLOW_NOT_FOUND' });
    });
  });

  it('sends no x-powered-by, on the public API, the internal API and health', async () => {
    for (const path of ['/api/v1/auth/config', '/health/live', '/internal/orchestrator/runs', '/no-such-route']) {
      const res = await fetch(`${host.base}${path}`);
      expect([path, res.headers.get('x-powered-by')]).toEqual([path, null]);
    }
  });
});

/**
 * The gateway's rate limit, on a host whose limits are small: per principal (another user at the same
 * address is still served, so the limit keys on the principal the AuthGuard found), per address for
 * anonymous calls, 429 problem+json with Retry-After.
 */
describe('gateway rate limit', () => {
  let host: AuthHost;

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_rate_limit'), {
      FLOWFORGE_RATE_LIMIT_PER_SECOND: '1',
      FLOWFORGE_RATE_LIMIT_BURST: '8',
      FLOWFORGE_RATE_LIMIT_ANONYMOUS_PER_SECOND: '1',
      FLOWFORGE_RATE_LIMIT_ANONYMOUS_BURST: '6',
    });
  });

  afterAll(async () => host?.stop());

  it('limits a principal without limiting another one', async () => {
    const a = await host.userWith(['analyst']);
    const b = await host.userWith(['analyst']);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<AuthHost['call']>> | undefined;
    for (let i = 0; i < 15 && !limited; i++) {
      const res = await host.call('GET', '/api/v1/runs', { token: a.token });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
    expect(limited!.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((limited!.body as Problem).code).toBe('FF_RATE_LIMITED');
    expect((await host.call('GET', '/api/v1/runs', { token: b.token })).status).toBe(200);
  });

  it('limits anonymous calls per client address', async () => {
    let status = 0;
    for (let i = 0; i < 15 && status !== 429; i++) status = (await host.call('GET', '/api/v1/auth/config')).status;
    expect(status).toBe(429);
    // Health and metrics are not the public API: never limited.
    expect((await fetch(`${host.base}/health/live`)).status).toBe(200);
  });
});

async function waitForAudit(host: AuthHost, sql: string): Promise<unknown> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const { rows } = await host.pool.query(sql);
    if (rows[0]) return rows[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no audit entry for ${sql}`);
}
