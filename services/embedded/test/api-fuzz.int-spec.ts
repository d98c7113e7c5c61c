import http from 'node:http';
import { createTestDatabase } from '@flowforge/testing';
import { randomBytes } from 'node:crypto';
import { schedulerService } from '@flowforge/service-scheduler';
import { transformationService } from '@flowforge/service-transformation';
import { triggersService } from '@flowforge/service-triggers';
import { ADMIN, startAuthHost, type AuthHost } from './auth-host';

/**
 * A fuzz test generated from the OpenAPI document the gateway serves: every documented operation,
 * called anonymously and as each built-in role, with NUL bytes, lone surrogates, deep JSON, huge and
 * negative numbers, very long strings and wrong types in every path parameter, query parameter and
 * body field (and whole bodies that are not objects, not JSON, or nested 8,000 levels). No answer may
 * be a 5xx; the host must still serve afterwards, and its audit chain must still verify and still grow.
 *
 * Deterministic (no random values; the same cases in the same order every run) and bounded: the admin,
 * who passes every permission check and so reaches every handler, gets every value for every field;
 * the other callers get two values per field, rotated so that together they cover every value too.
 */

type Schema = { type?: string; $ref?: string; properties?: Record<string, Schema>; items?: Schema; example?: unknown; enum?: unknown[]; format?: string };
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
  example?: unknown;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { contentType: string; schema: Schema };
}
interface Case {
  what: string;
  url: string;
  body?: string;
  contentType?: string;
}

const FIXED_UUID = '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e';
const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Hostile values for a path or query parameter, as they appear in the URL (already encoded). */
const URL_VALUES: [string, string][] = [
  ['NUL', 'a%00b'],
  ['lone surrogate (UTF-8 of U+D800)', '%ED%A0%80'],
  ['dot-dot', '%2e%2e'],
  ['huge integer', '99999999999999999999'],
  ['int32 + 1', '2147483648'],
  ['negative', '-1'],
  ['float overflow', '1e400'],
  ['long string', 'x'.repeat(4000)],
  ['wrong type (JSON)', encodeURIComponent('{"a":[1]}')],
];

/** Hostile values for a JSON body field, as JSON text (so that lone surrogates and 1e400 stay as sent). */
const BODY_VALUES: [string, string][] = [
  ['NUL', '"a\\u0000b"'],
  ['lone surrogate', '"a\\ud800b"'],
  ['lone low surrogate', '"\\udc00"'],
  ['deep JSON (70 levels)', nested(70)],
  ['deep JSON (40 levels)', nested(40)],
  ['huge number', '1e308'],
  ['float overflow', '1e400'],
  ['huge integer', '99999999999999999999'],
  ['negative', '-9007199254740993'],
  ['long string', JSON.stringify('x'.repeat(20_000))],
  ['deep YAML flow (10,000 levels)', JSON.stringify(`a: ${'['.repeat(10_000)}`)],
  ['wrong type: boolean', 'true'],
  ['wrong type: array', '[1,"two",{"three":null}]'],
  ['wrong type: object', '{"a":{"b":1}}'],
  ['null', 'null'],
];

/** Whole bodies that are not the object a route expects. */
const WHOLE_BODIES: [string, string][] = [
  ['body: 8,000 levels deep', `{"params":${nested(8000)}}`],
  ['body: array', '[{"a":1}]'],
  ['body: string', '"\\u0000"'],
  ['body: not JSON', '{"a":'],
  ['body: NUL key', '{"\\u0000":1}'],
];

function resolve(doc: OpenApi, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 10; i++) s = doc.components?.schemas?.[s.$ref.split('/').pop()!] ?? {};
  return s;
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

function operationsOf(doc: OpenApi): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const json = op.requestBody?.content['application/json'];
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query'),
        body: json ? { contentType: 'application/json', schema: resolve(doc, json.schema) } : undefined,
      });
    }
  }
  return ops;
}

/** A plausible value for a parameter, so that one hostile value at a time reaches as deep as it can. */
function baseline(p: Parameter): string {
  if (p.name === 'id' || p.name.endsWith('Id') || p.schema?.format === 'uuid') return FIXED_UUID;
  if (p.name === 'version') return '1';
  if (p.name === 'type') return 'noop';
  if (p.name === 'name') return 'fuzz-probe';
  return '';
}

function baselineBody(doc: OpenApi, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const s = resolve(doc, prop);
    if (s.example !== undefined) out[key] = s.example;
    else if (s.enum?.length) out[key] = s.enum[0];
    else if (s.type === 'string') out[key] = 'fuzz';
    else if (s.type === 'integer' || s.type === 'number') out[key] = 1;
    else if (s.type === 'boolean') out[key] = true;
    else if (s.type === 'array') out[key] = [];
    else out[key] = {};
  }
  return out;
}

function urlOf(op: Operation, override?: { name: string; value: string }): string {
  let path = op.path;
  const query: string[] = [];
  for (const p of op.parameters) {
    const value = override?.name === p.name ? override.value : p.in === 'path' ? baseline(p) : undefined;
    if (p.in === 'path') path = path.replace(`{${p.name}}`, value ?? '');
    else if (value !== undefined) query.push(`${encodeURIComponent(p.name)}=${value}`);
  }
  return query.length ? `${path}?${query.join('&')}` : path;
}

/** Every case of one operation: for `pick(field index, values)` of the values of each field. */
function casesOf(doc: OpenApi, op: Operation, pick: <T>(i: number, values: T[]) => T[]): Case[] {
  const cases: Case[] = [];
  let field = 0;
  const send = op.method !== 'GET' && op.method !== 'DELETE';
  // A body documented as a string (workflow-as-code apply) is sent as JSON `{"yaml": "..."}`.
  const base = op.body ? (op.body.schema.type === 'string' ? { yaml: 'apiVersion: flowforge.io/v1' } : baselineBody(doc, op.body.schema)) : undefined;
  const baseText = base ? JSON.stringify(base) : send ? '{}' : undefined;
  for (const p of op.parameters) {
    for (const [what, value] of pick(field++, URL_VALUES))
      cases.push({ what: `${p.in} ${p.name}: ${what}`, url: urlOf(op, { name: p.name, value }), body: baseText });
    // A repeated query parameter arrives as an array: the wrong type a query can carry.
    if (p.in === 'query') cases.push({ what: `query ${p.name}: repeated`, url: `${urlOf(op)}${urlOf(op).includes('?') ? '&' : '?'}${p.name}=1&${p.name}=2` });
  }
  if (base) {
    for (const key of Object.keys(base)) {
      for (const [what, value] of pick(field++, BODY_VALUES)) {
        // Spliced as text: JSON.stringify would turn a lone surrogate into an escape of its own and 1e400 into null.
        const others = Object.entries(base)
          .filter(([k]) => k !== key)
          .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        cases.push({ what: `body ${key}: ${what}`, url: urlOf(op), body: `{${[...others, `${JSON.stringify(key)}:${value}`].join(',')}}` });
      }
    }
  }
  if (send) for (const [what, text] of pick(field++, WHOLE_BODIES)) cases.push({ what, url: urlOf(op), body: text });
  return cases;
}

interface Answer {
  status: number;
  text: string;
}

/** One request with its path sent byte for byte (fetch would resolve `%2e%2e` itself) and a time bound (event streams). */
function send(base: URL, method: string, url: string, token: string | undefined, body: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request({ hostname: base.hostname, port: base.port, path: url, method, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size < 4096) chunks.push(c);
        // An event stream or a download answered 200: that is all this test needs to know.
        if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString().slice(0, 300) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('OpenAPI fuzz: every route, every role, hostile values in every field', () => {
  let host: AuthHost;
  let doc: OpenApi;

  beforeAll(async () => {
    // Rate limits off: a 429 would hide what the handler answers (the limit itself is tested in input-safety.int-spec.ts).
    // The scheduler, triggers and transformation services too, so their routes reach their handlers (not a 404 of a service not hosted).
    host = await startAuthHost(
      () => createTestDatabase('ff_api_fuzz'),
      {
        FLOWFORGE_RATE_LIMIT_PER_SECOND: '0',
        FLOWFORGE_RATE_LIMIT_ANONYMOUS_PER_SECOND: '0',
        FLOWFORGE_TRIGGERS_SECRET_KEY: randomBytes(32).toString('base64'),
      },
      [schedulerService, triggersService, transformationService],
    );
    const res = await host.call<OpenApi>('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });

  afterAll(async () => host?.stop());

  it('answers no 5xx, keeps serving, and keeps a verifiable, growing audit chain', async () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThanOrEqual(59);
    const base = new URL(host.base);
    const users: { role: string; username: string; password: string }[] = [{ role: 'admin', username: ADMIN.username, password: ADMIN.password }];
    for (const role of ['developer', 'operator', 'analyst']) {
      const u = await host.userWith([role], `fuzz-${role}`);
      users.push({ role, username: u.username, password: u.password });
    }
    const callers: { role: string; signIn?: () => Promise<string>; all: boolean }[] = [
      ...users.map((u) => ({ role: u.role, signIn: async () => (await host.login(u.username, u.password)).accessToken, all: u.role === 'admin' })),
      { role: 'anonymous', all: false },
    ];

    const failures: string[] = [];
    let sent = 0;
    const byStatus = new Map<number, number>();
    for (const [ci, caller] of callers.entries()) {
      let token = caller.signIn ? await caller.signIn() : undefined;
      // Two values per field, rotated by caller and field: every value is used by some caller.
      const pick = <T>(i: number, values: T[]): T[] => (caller.all ? values : [values[(i + ci) % values.length]!, values[(i + ci + 2) % values.length]!]);
      const cases = ops.flatMap((op) => casesOf(doc, op, pick).map((c) => ({ op, c })));
      const ensured = async () => {
        // Logout, a session ended, a password changed: sign in again so the rest still runs as this role.
        if (caller.signIn && (await host.call('GET', '/api/v1/auth/me', { token })).status === 401) token = await caller.signIn();
      };
      // Four in flight: the machine is small and shared; the order of the cases does not matter.
      for (let i = 0; i < cases.length; i += 4) {
        const batch = cases.slice(i, i + 4);
        const answers = await Promise.all(
          batch.map(({ op, c }) => send(base, op.method, c.url, token, c.body).catch((err: Error) => ({ status: -1, text: err.message }))),
        );
        sent += batch.length;
        answers.forEach((a, j) => {
          const { op, c } = batch[j]!;
          byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
          if (a.status >= 500 || a.status < 0) failures.push(`${caller.role}: ${op.method} ${op.path} [${c.what}] -> ${a.status} ${a.text}`);
        });
        if (batch.some(({ op }) => op.path.startsWith('/api/v1/auth/') || op.path.startsWith('/api/v1/users'))) await ensured();
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(2000);
    // The cases reach the checks they aim at: many are refused as bad input, and some pass every check.
    expect(byStatus.get(400) ?? 0).toBeGreaterThan(sent / 4);
    expect([...byStatus].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(20);

    // Still alive and serving.
    expect((await fetch(`${host.base}/health/live`)).status).toBe(200);
    const admin = (await host.login(ADMIN.username, ADMIN.password)).accessToken;
    // A last audited call after everything above must land: the audit stream did not stall on a bad entry.
    const marker = await host.call<{ id: string }>('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'fuzz-final-marker', permissions: ['workflow:view'], expiresInDays: 1 },
    });
    expect(marker.status).toBe(201);
    const until = Date.now() + 20_000;
    let landed = false;
    while (!landed && Date.now() < until) {
      const { rows } = await host.pool.query(`SELECT 1 FROM ff_auth.audit_log WHERE changes::text LIKE '%fuzz-final-marker%' OR resource_id = $1 LIMIT 1`, [
        marker.body.id,
      ]);
      landed = rows.length > 0;
      if (!landed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(landed).toBe(true);
    const verify = await host.call<{ ok: boolean; checked: number }>('GET', '/api/v1/audit/verify', { token: admin });
    expect({ status: verify.status, ok: verify.body.ok }).toEqual({ status: 200, ok: true });
    expect(verify.body.checked).toBeGreaterThan(100);
  }, 300_000);
});
