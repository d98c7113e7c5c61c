import type { INestApplication, Type } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import fs from 'node:fs';
import path from 'node:path';
import { addRequestSchemas, ProblemDto } from '@flowforge/http';
import { PROBLEM_CONTENT_TYPE } from '@flowforge/service-kit';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The product version: `version` of the repository's package.json (beside dist/ in the image). */
export function productVersion(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flowforge' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`FF_VERSION_UNKNOWN: no package.json named "flowforge" above ${from}`);
  }
}

/** `RunsController` + `create` → `runs_create`; `JobTypesController` + `list` → `jobTypes_list`. */
function operationId(controller: string, method: string): string {
  const name = controller.replace(/Controller$/, '');
  return `${name.charAt(0).toLowerCase()}${name.slice(1)}_${method}`;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The public API's OpenAPI document, built from the controllers of `modules` only: in the embedded
 * host every service's internal controllers live in the same application and must not be described.
 * Paths and schemas are sorted so the committed snapshot (services/gateway/openapi.json) diffs cleanly.
 */
export function buildOpenApiDocument(app: INestApplication, modules: Type<unknown>[]): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('FlowForge')
    .setDescription(
      'The public REST API of FlowForge, an event-driven open data platform. Errors answer RFC 9457 `application/problem+json` (schema `Problem`) with a stable `code`.',
    )
    .setVersion(productVersion())
    .addTag('connections', 'Typed connections to sources and targets; secrets are encrypted and never returned')
    .addTag('assets', 'Lake tables: snapshots, schema history, preview, download, retention')
    .addTag('jobs', 'Typed, versioned job configurations and the job types executors announce')
    .addTag('workflows', 'Versioned workflows (DAGs of steps) and workflow-as-code YAML')
    .addTag('runs', 'Start, watch, cancel and rerun workflow runs')
    .addTag('system', 'The API document and platform self-checks')
    .addTag('auth', 'Sign-in (built-in accounts), sessions, two-factor authentication, the permission matrix')
    .addTag('users', 'Users, custom roles and API tokens')
    .addTag('audit', 'The hash-chained audit log: search, export, verify')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An access token (built-in issuer or Keycloak) or an API token (ffp_…)' })
    .build();
  // Request bodies are zod schemas (libs/http/src/openapi/zod-openapi.ts): the document gets them after Nest's scan.
  const doc = addRequestSchemas(SwaggerModule.createDocument(app, config, { include: modules, extraModels: [ProblemDto], operationIdFactory: operationId }));
  documentUnexpectedErrors(doc);
  assertEveryRouteDeclaresAccess(doc);
  return { ...doc, paths: sortedKeys(doc.paths), components: { ...doc.components, schemas: sortedKeys(doc.components?.schemas ?? {}) } };
}

/**
 * Answers any route can give: 429 FF_RATE_LIMITED (the gateway's rate limit, src/limits/rate-limit.guard.ts)
 * and 500 FF_INTERNAL (an unexpected error; ProblemDetailsFilter logs it).
 */
function documentUnexpectedErrors(doc: OpenAPIObject): void {
  const problem = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } };
  for (const item of Object.values(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      op.responses['429'] ??= {
        description: 'FF_RATE_LIMITED: too many requests from this caller (or address, when anonymous); retry after Retry-After seconds',
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        content: problem,
      };
      op.responses['500'] ??= { description: 'FF_INTERNAL: an unexpected error; it has been logged', content: problem };
    }
  }
}

/**
 * A route without `x-permission` (RequirePermission, Authenticated or Public) would be open to anyone:
 * the document refuses to build, so the snapshot check in `npm test` and the gateway's start both fail.
 */
export function assertEveryRouteDeclaresAccess(doc: OpenAPIObject): void {
  const unguarded: string[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as { 'x-permission'?: unknown } | undefined;
      if (op && typeof op['x-permission'] !== 'string') unguarded.push(`${method.toUpperCase()} ${p}`);
    }
  }
  if (unguarded.length) {
    throw new Error(`FF_ROUTE_UNGUARDED: these routes declare no access (add @RequirePermission, @Authenticated or @Public): ${unguarded.join(', ')}`);
  }
}

/** The snapshot's text: stable key order, two-space indent, final newline. */
export function formatOpenApiDocument(doc: OpenAPIObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
