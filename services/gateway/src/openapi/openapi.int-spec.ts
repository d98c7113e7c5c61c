import { Controller, Get, Module, RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ApiOperation, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createHostApp, createLogger, defineService, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { gatewayService } from '../gateway.definition';
import { renderOpenApiSnapshot } from './openapi.snapshot';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const repoRoot = path.resolve(__dirname, '../../../..');

/** Stands for another service's internal API, mounted in the same app as in the embedded host — documented on purpose. */
@Controller('internal/orchestrator/probe')
class InternalProbeController {
  @Get()
  @ApiOperation({ summary: 'internal' })
  @ApiResponse({ status: 200 })
  get(): { ok: true } {
    return { ok: true };
  }
}
@Module({ controllers: [InternalProbeController] })
class InternalProbeModule {}
const internalService = defineService({ service: 'orchestrator', module: InternalProbeModule });

interface Route {
  method: string;
  /** OpenAPI form: `/api/v1/runs/{id}`. */
  path: string;
  handler: string;
}

/** Every controller method with an HTTP method decorator, in every module of the application. */
function routeTable(app: INestApplication): Route[] {
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  const paths = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : [typeof value === 'string' ? value : '']);
  for (const moduleRef of app.get(ModulesContainer).values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      const prototype = type.prototype as object;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const fn = (prototype as Record<string, unknown>)[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const base of paths(Reflect.getMetadata(PATH_METADATA, type))) {
          for (const sub of paths(Reflect.getMetadata(PATH_METADATA, fn))) {
            const joined = `/${[base, sub]
              .map((p) => p.replace(/^\/+|\/+$/g, ''))
              .filter(Boolean)
              .join('/')}`;
            routes.push({ method: RequestMethod[method].toLowerCase(), path: joined.replace(/:(\w+)/g, '{$1}'), handler: `${type.name}.${name}` });
          }
        }
      }
    }
  }
  return routes;
}

/**
 * The OpenAPI document served at /api/openapi.json against Nest's own route table: a route under /api
 * cannot escape the document, and another service's /internal routes mounted in the same application
 * (the embedded host) never appear in it.
 */
describe('gateway OpenAPI document (/api/openapi.json)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let served: OpenAPIObject;
  let servedType: string | null;

  beforeAll(async () => {
    db = await createTestDatabase('ff_gwopenapi');
    const services = [gatewayService, internalService];
    const config = loadHostConfig({ host: 'gateway', services, env: { DATABASE_URL: db.url }, requireDatabaseUrl: true });
    app = await createHostApp({ mode: 'standalone', host: 'gateway', services, config, logger: quiet, port: 0 });
    base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    const res = await fetch(`${base}/api/openapi.json`);
    expect(res.status).toBe(200);
    servedType = res.headers.get('content-type');
    served = (await res.json()) as OpenAPIObject;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is an OpenAPI 3 JSON document titled FlowForge, versioned like package.json', () => {
    expect(servedType).toContain('application/json');
    expect(served.openapi).toMatch(/^3\./);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(served.info).toMatchObject({ title: 'FlowForge', version: pkg.version });
  });

  it('documents every /api route of the application with an operationId and a success response', () => {
    const routes = routeTable(app);
    // The walk sees the whole application: the internal probe and the kit's /health are there too.
    expect(routes).toContainEqual(expect.objectContaining({ method: 'get', path: '/internal/orchestrator/probe' }));
    const api = routes.filter((r) => r.path === '/api' || r.path.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(30);
    const undocumented = api.filter((r) => !served.paths[r.path]?.[r.method as 'get']).map((r) => `${r.method.toUpperCase()} ${r.path} (${r.handler})`);
    expect(undocumented).toEqual([]);
    const operationIds: string[] = [];
    for (const r of api) {
      const op = served.paths[r.path]![r.method as 'get']!;
      expect({ route: `${r.method} ${r.path}`, operationId: typeof op.operationId }).toEqual({ route: `${r.method} ${r.path}`, operationId: 'string' });
      operationIds.push(op.operationId!);
      const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
      expect({ route: `${r.method} ${r.path}`, success: success.length > 0 }).toEqual({ route: `${r.method} ${r.path}`, success: true });
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
    // Nothing documented that the application does not route.
    const routed = new Set(api.map((r) => `${r.method} ${r.path}`));
    const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
    const documented = Object.entries(served.paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => methods.includes(m))
        .map((m) => `${m} ${p}`),
    );
    expect(documented.filter((d) => !routed.has(d))).toEqual([]);
  });

  it('describes no /internal path and nothing outside /api', () => {
    const paths = Object.keys(served.paths);
    expect(paths.filter((p) => p.startsWith('/internal'))).toEqual([]);
    expect(paths.filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });

  it('answers every 4xx and 5xx with the shared Problem schema as application/problem+json', () => {
    expect(served.components?.schemas?.Problem).toMatchObject({ required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code']) });
    const wrong: string[] = [];
    for (const [p, item] of Object.entries(served.paths)) {
      for (const [method, op] of Object.entries(
        item as Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>,
      )) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          if (!/^[45]\d\d$/.test(status)) continue;
          if (response.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/Problem' || Object.keys(response.content).length !== 1) {
            wrong.push(`${method.toUpperCase()} ${p} ${status}`);
          }
        }
        if (!op.responses?.['500']) wrong.push(`${method.toUpperCase()} ${p}: no 500`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives no schema keywords of another type: `string | null` reflects as Object, so a nullable string DTO field must name its type', () => {
    const STRING_ONLY = ['maxLength', 'minLength', 'pattern', 'format'];
    const wrong: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.type !== undefined && o.type !== 'string' && typeof o.type === 'string') {
        const misplaced = STRING_ONLY.filter((k) => k in o && !(k === 'format' && ['integer', 'number'].includes(o.type as string)));
        if (misplaced.length) wrong.push(`${at}: type ${String(o.type)} with ${misplaced.join(', ')}`);
      }
      for (const [k, v] of Object.entries(o)) if (k !== 'example' && k !== 'examples') walk(v, `${at}.${k}`);
    };
    walk(served, '#');
    expect(wrong).toEqual([]);
    expect(served.components?.schemas?.CreateConnectionDto).toMatchObject({ properties: { description: { type: 'string', nullable: true, maxLength: 2000 } } });
  });

  it('describes each request body as a named component from the schema its owning service validates with, constraints included', () => {
    const bodyRef = (p: string, method: 'post' | 'put' | 'patch') =>
      (served.paths[p]?.[method]?.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)?.content?.['application/json']
        ?.schema?.$ref;
    const schemas = served.components!.schemas! as Record<
      string,
      { properties: Record<string, Record<string, unknown>>; required?: string[]; additionalProperties?: unknown }
    >;
    // An auth admin route (validated by services/auth), a catalog route (services/catalog), an orchestrator route.
    expect(bodyRef('/api/v1/users', 'post')).toBe('#/components/schemas/CreateUserDto');
    expect(schemas.CreateUserDto).toMatchObject({
      required: ['username', 'password'],
      additionalProperties: false,
      properties: {
        username: { type: 'string', minLength: 1, maxLength: 64 },
        password: { type: 'string', maxLength: 1024 },
        email: { type: 'string', format: 'email', maxLength: 320, nullable: true },
        roles: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 40 } },
      },
    });
    expect(bodyRef('/api/v1/roles/{name}', 'put')).toBe('#/components/schemas/PutRoleDto');
    expect(bodyRef('/api/v1/connections/{id}', 'patch')).toBe('#/components/schemas/UpdateConnectionDto');
    expect(schemas.CreateConnectionDto).toMatchObject({
      required: ['name', 'type', 'config'],
      properties: {
        name: { pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$' },
        type: { enum: expect.arrayContaining(['postgres', 'kafka']) },
        config: { type: 'object' },
      },
    });
    expect(schemas.CreateRunDto).toMatchObject({ properties: { workflow: { maxLength: 63 }, workflowVersion: { type: 'integer', maximum: 2147483647 } } });
    // requestedBy is the gateway's to set: not part of the public body.
    expect(schemas.CreateRunDto!.properties.requestedBy).toBeUndefined();
    // Queries: one parameter per field, with bounds and defaults.
    const limit = served.paths['/api/v1/assets/{id}/preview']!.get!.parameters!.find((p) => 'name' in p && p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10000, default: 100 } });
    // Every referenced component exists.
    const refs = JSON.stringify(served).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
    expect([...new Set(refs)].filter((r) => !schemas[r.split('/').pop()!])).toEqual([]);
  });

  it('is the document the preview generator commits (scripts/openapi.js builds it without a database)', async () => {
    expect(JSON.parse(await renderOpenApiSnapshot())).toEqual(served);
  });
});
