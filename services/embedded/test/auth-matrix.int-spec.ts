import { randomUUID } from 'node:crypto';
import { DEFAULT_ROLE_PERMISSIONS, parseAccessLabel, type Permission, type RouteAccess } from '@flowforge/access';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

interface Operation {
  method: string;
  path: string;
  access: RouteAccess;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** A concrete URL for an OpenAPI path: ids are random (the call must not need the resource to exist to be judged). */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'version') return '1';
    if (name === 'type') return 'noop';
    if (name === 'name') return 'matrix-probe';
    return randomUUID();
  });
}

function operationsOf(doc: { paths: Record<string, Record<string, { 'x-permission'?: string }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (typeof op['x-permission'] !== 'string') throw new Error(`${method.toUpperCase()} ${path} declares no x-permission`);
      ops.push({ method: method.toUpperCase(), path, access: parseAccessLabel(op['x-permission']) });
    }
  }
  return ops;
}

/**
 * The route × role matrix, generated from the OpenAPI document the gateway serves: every operation,
 * called by every built-in role, a custom role and a scoped API token, answers 403 exactly when the
 * permission table says no — for the API token, also on every `interactive` route (FF_AUTH_INTERACTIVE_REQUIRED)
 * — and never 401/403 when it says yes; anonymous callers get 401 everywhere
 * but on public routes. A route added tomorrow is in the document (openapi.int-spec.ts checks the
 * document against Nest's route table), so it is in this matrix too.
 */
describe('RBAC matrix: every /api route × every role', () => {
  let host: AuthHost;
  let ops: Operation[];
  const callers: { name: string; token: () => Promise<string>; grants: ReadonlySet<Permission>; apiToken?: boolean; signedOut?: () => void }[] = [];
  /** One sign-in per caller, made again after `signedOut()`. */
  const signIn = (username: string, password: string) => {
    let token: Promise<string> | undefined;
    return { token: () => (token ??= host.login(username, password).then((s) => s.accessToken)), signedOut: () => (token = undefined) };
  };

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_authmatrix'));
    const doc = await host.call<{ paths: Record<string, Record<string, { 'x-permission'?: string }>> }>('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    ops = operationsOf(doc.body);
    for (const role of ['admin', 'developer', 'operator', 'analyst'] as const) {
      const user = role === 'admin' ? { username: 'admin', password: 'Bootstrap-Root-Pass-9' } : await host.userWith([role]);
      callers.push({ name: role, ...signIn(user.username, user.password), grants: new Set(DEFAULT_ROLE_PERMISSIONS[role]) });
    }
    const custom: Permission[] = ['audit:view', 'job:view', 'connection:use'];
    const admin = await host.adminToken();
    const put = await host.call('PUT', '/api/v1/roles/matrix-auditor', { token: admin, body: { description: 'matrix test', permissions: custom } });
    expect(put.status).toBe(201);
    const auditor = await host.userWith(['matrix-auditor']);
    callers.push({ name: 'custom role matrix-auditor', ...signIn(auditor.username, auditor.password), grants: new Set(custom) });
    const scopes: Permission[] = ['workflow:view', 'asset:download'];
    const created = await host.call<{ token: string }>('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'matrix', permissions: scopes, expiresInDays: 1 },
    });
    expect(created.status).toBe(201);
    callers.push({ name: 'API token [workflow:view, asset:download]', token: async () => created.body.token, grants: new Set(scopes), apiToken: true });
  });

  afterAll(async () => host?.stop());

  it('covers every documented operation, each with a known access declaration', () => {
    expect(ops.length).toBeGreaterThanOrEqual(59);
    const kinds = new Set(ops.map((o) => o.access.kind));
    expect(kinds).toEqual(new Set(['public', 'authenticated', 'interactive', 'permission']));
    // The routes that act for the account itself are the interactive ones (an API token may use none).
    const interactive = ops.filter((o) => o.access.kind === 'interactive').map((o) => `${o.method} ${o.path}`);
    expect(interactive).toEqual(
      expect.arrayContaining([
        'GET /api/v1/auth/me',
        'GET /api/v1/auth/sessions',
        'DELETE /api/v1/auth/sessions/{id}',
        'POST /api/v1/auth/password',
        'POST /api/v1/auth/mfa/totp',
        'POST /api/v1/auth/mfa/totp/confirm',
        'POST /api/v1/auth/mfa/totp/disable',
        'GET /api/v1/tokens',
        'POST /api/v1/tokens',
        'DELETE /api/v1/tokens/{id}',
      ]),
    );
  });

  it('answers anonymous callers 401 on every route but the public ones', async () => {
    const wrong: string[] = [];
    for (const op of ops) {
      const res = await host.call(op.method, concrete(op.path), { body: op.method === 'GET' || op.method === 'DELETE' ? undefined : {} });
      const denied = res.status === 401;
      if (op.access.kind === 'public' ? denied || res.status === 403 : !denied) wrong.push(`${op.method} ${op.path} (${op.access.kind}) -> ${res.status}`);
      if (denied) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(wrong).toEqual([]);
  });

  it('allows or forbids each route for each role exactly as the permission table says', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const caller of callers) {
      for (const op of ops) {
        if (op.access.kind === 'public') continue;
        const allowed = op.access.kind === 'authenticated' || (op.access.kind === 'interactive' ? !caller.apiToken : caller.grants.has(op.access.permission));
        const res = await host.call(op.method, concrete(op.path), {
          token: await caller.token(),
          body: op.method === 'GET' || op.method === 'DELETE' ? undefined : {},
        });
        // Signing out ended that session: the caller signs in again (the other calls share one sign-in, argon2 is slow).
        if (op.path === '/api/v1/auth/logout') caller.signedOut?.();
        checked += 1;
        const code = (res.body as { code?: string }).code;
        const refused = res.status === 403 && code === (op.access.kind === 'interactive' ? 'FF_AUTH_INTERACTIVE_REQUIRED' : 'FF_FORBIDDEN');
        if (res.status === 401 || (allowed ? res.status === 403 : !refused)) {
          wrong.push(
            `${caller.name}: ${op.method} ${op.path} needs ${op.access.kind === 'permission' ? op.access.permission : op.access.kind}; expected ${allowed ? 'allowed' : '403'}, got ${res.status} ${res.text.slice(0, 120)}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(250);
  });
});
