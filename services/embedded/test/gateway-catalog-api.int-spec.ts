import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addRequestSchemas, ProblemDto } from '@flowforge/http';
import { adminApiToken, bearer, createTestDatabase, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { startGatewayWithStandIn, type StandInGateway } from './gateway-stand-in';

const ID = '0b7f0e8e-1f0e-4a57-9d0f-5b1f3c9d2a11';

/**
 * The gateway's catalog API against a stand-in catalog: what is forwarded (method, path, query, body),
 * what comes back (status, problem+json with the public `instance`, streamed downloads), and what the
 * gateway refuses itself. The real catalog behind the real gateway: services/catalog/test/*.e2e-spec.ts.
 * The auth service runs beside the gateway (one process, as embedded: a gateway test may not import
 * it, hence here), and every call carries the admin's API token.
 */
describe('gateway /api/v1/connections and /api/v1/assets → catalog internal API', () => {
  let db: TestDatabase;
  let gw: StandInGateway;
  let base: string;
  let auth: Record<string, string>;
  let seen: StandInGateway['seen'];
  const big = 'x'.repeat(3 * 1024 * 1024);

  beforeAll(async () => {
    db = await createTestDatabase('ff_gwcat');
    gw = await startGatewayWithStandIn({
      db,
      upstreamVariable: 'FLOWFORGE_CATALOG_URL',
      env: testAdminEnv,
      answer: (req, res) => {
        if (req.url?.startsWith(`/internal/catalog/connections/${ID}/test`)) {
          res.writeHead(501, { 'content-type': 'application/problem+json; charset=utf-8' });
          res.end(
            JSON.stringify({
              type: 'https://flowforge.dev/problems/connection-tester-unavailable',
              title: 'x',
              status: 501,
              detail: 'no SFTP client',
              instance: req.url,
              code: 'FF_CONNECTION_TESTER_UNAVAILABLE',
            }),
          );
        } else if (req.url?.startsWith(`/internal/catalog/assets/${ID}/download`)) {
          res.writeHead(200, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': 'attachment; filename="silver.s.t.3.csv"',
            'x-internal': 'hidden',
          });
          res.end(big);
        } else if (req.method === 'DELETE') {
          res.writeHead(204).end();
        } else {
          res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json; charset=utf-8' });
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

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('forwards method, path, validated query and body, and relays the status', async () => {
    const created = await send('POST', '/api/v1/connections', { name: 'dwh', type: 'postgres', config: { host: 'db', password: 'p' } });
    expect(created.status).toBe(201);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/internal/catalog/connections' });
    expect(seen.at(-1)!.headers.authorization).toBeUndefined(); // the caller's token stays at the gateway
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ name: 'dwh', type: 'postgres', config: { host: 'db', password: 'p' } });

    expect((await send('GET', '/api/v1/connections?type=mysql&limit=5')).status).toBe(200);
    expect(seen.at(-1)!.url).toBe('/internal/catalog/connections?type=mysql&limit=5');
    await send('PATCH', `/api/v1/connections/${ID}`, { config: { port: 5433 }, description: null });
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', url: `/internal/catalog/connections/${ID}` });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ config: { port: 5433 }, description: null });
    expect((await send('DELETE', `/api/v1/connections/${ID}`)).status).toBe(204);
    await send('GET', `/api/v1/assets?layer=silver&namespace=sales`);
    expect(seen.at(-1)!.url).toBe('/internal/catalog/assets?layer=silver&namespace=sales');
    await send('GET', `/api/v1/assets/${ID}/preview?limit=10`);
    expect(seen.at(-1)!.url).toBe(`/internal/catalog/assets/${ID}/preview?limit=10`);
    await send('PUT', `/api/v1/assets/${ID}/retention`, { keepLast: 3 });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ keepLast: 3 });
  });

  it('passes a catalog problem through with its status and code, naming the public URL as instance', async () => {
    const res = await send('POST', `/api/v1/connections/${ID}/test`);
    expect(res.status).toBe(501);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'FF_CONNECTION_TESTER_UNAVAILABLE', detail: 'no SFTP client', instance: `/api/v1/connections/${ID}/test` });
  });

  it('streams downloads with the catalog’s content type and file name (and nothing else of its headers)', async () => {
    const res = await send('GET', `/api/v1/assets/${ID}/download?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="silver.s.t.3.csv"');
    expect(res.headers.get('x-internal')).toBeNull();
    expect((await res.text()).length).toBe(big.length);
    expect(seen.at(-1)!.url).toBe(`/internal/catalog/assets/${ID}/download?format=csv`);
  });

  it('refuses a bad query or path parameter itself with 400 problem+json naming the field (nothing reaches the catalog)', async () => {
    const before = seen.length;
    const cases: [string, string, string][] = [
      ['GET', '/api/v1/connections/not-a-uuid', 'id'],
      ['GET', '/api/v1/connections?type=oracle', 'type'],
      ['GET', '/api/v1/connections?limit=0', 'limit'],
      ['GET', '/api/v1/assets?layer=platinum', 'layer'],
      ['GET', '/api/v1/assets?namespace=Sales', 'namespace'],
      ['GET', `/api/v1/assets/${ID}/snapshots?offset=-1`, 'offset'],
      ['GET', `/api/v1/assets/${ID}/preview?limit=10001`, 'limit'],
      ['GET', `/api/v1/assets/${ID}/preview?snapshot=x`, 'snapshot'],
      ['GET', `/api/v1/assets/${ID}/download?format=xml`, 'format'],
      // The catalog's schemas are strict: a parameter it does not know is refused, not passed on.
      ['GET', '/api/v1/assets?colour=red', 'colour'],
    ];
    for (const [method, path, field] of cases) {
      const res = await send(method, path);
      const problem = (await res.json()) as { code: string; errors: { field: string }[]; instance: string };
      expect({ path, status: res.status, code: problem.code, fields: problem.errors.map((e) => e.field) }).toEqual({
        path,
        status: 400,
        code: 'FF_VALIDATION',
        fields: [field],
      });
    }
    expect(seen.length).toBe(before);
  });

  it('forwards bodies as they came: the catalog validates them, once (services/catalog/src/*/*.int-spec.ts refuse these)', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/connections', { name: 'x', type: 'oracle', config: 'nope', extra: 1 }],
      ['PATCH', `/api/v1/connections/${ID}`, { config: { port: 'many' } }],
      ['PUT', `/api/v1/assets/${ID}/retention`, { keepLast: 0 }],
    ] as const) {
      await send(method, path, body);
      expect({ method: seen.at(-1)!.method, body: JSON.parse(seen.at(-1)!.body) as unknown }).toEqual({ method, body });
    }
  });

  it('answers 502 FF_CATALOG_UNREACHABLE when the catalog does not answer', async () => {
    // A port that was free a moment ago: nothing listens there (fetch refuses well-known ports like 1 outright).
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const dead = await gw.startAnother(`http://127.0.0.1:${port}`);
    try {
      const res = await fetch(`${dead.base}/api/v1/connections`, { headers: auth });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        code: 'FF_CATALOG_UNREACHABLE',
        detail: `catalog at http://127.0.0.1:${port} did not answer GET /connections: ECONNREFUSED`,
      });
    } finally {
      await dead.app.close();
    }
  });

  it('describes every route in the OpenAPI document', () => {
    const doc = addRequestSchemas(SwaggerModule.createDocument(gw.app, new DocumentBuilder().setTitle('FlowForge').build(), { extraModels: [ProblemDto] }));
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/connections') || p.startsWith('/api/v1/assets'));
    expect(paths.sort()).toEqual(
      [
        '/api/v1/assets',
        '/api/v1/assets/{id}',
        // Answered by the transformation service (SCD2 dimensions), documented with the assets.
        '/api/v1/assets/{id}/as-of',
        '/api/v1/assets/{id}/download',
        '/api/v1/assets/{id}/preview',
        '/api/v1/assets/{id}/retention',
        '/api/v1/assets/{id}/retention/apply',
        '/api/v1/assets/{id}/schema-history',
        '/api/v1/assets/{id}/snapshots',
        '/api/v1/assets/{id}/snapshots/{snapshotId}',
        '/api/v1/connections',
        '/api/v1/connections/{id}',
        '/api/v1/connections/{id}/browse',
        '/api/v1/connections/{id}/test',
      ].sort(),
    );
    expect(doc.paths['/api/v1/connections']?.post?.tags).toEqual(['connections']);
    expect(doc.paths['/api/v1/connections/{id}/test']?.post?.responses).toHaveProperty('404');
    expect(doc.components?.schemas).toHaveProperty('CreateConnectionDto');
    expect(doc.components?.schemas).toHaveProperty('SnapshotDto');
    expect(doc.paths['/api/v1/assets/{id}/preview']?.get?.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual(
      expect.arrayContaining(['id', 'snapshot', 'limit']),
    );
  });
});
