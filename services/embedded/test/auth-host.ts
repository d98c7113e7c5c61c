import type { INestApplication } from '@nestjs/common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { authService } from '@flowforge/service-auth';
import { catalogService } from '@flowforge/service-catalog';
import { gatewayService } from '@flowforge/service-gateway';
import { createHostApp, createLogger, HOST_RUNTIME, loadHostConfig, startHostApp, type HostRuntime, type ServiceDefinition } from '@flowforge/service-kit';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { Pool } from 'pg';

export const ADMIN = { username: 'admin', password: 'Bootstrap-Root-Pass-9' };

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  expiresIn: number;
  user: { id: string; username: string; roles: string[]; mustChangePassword: boolean };
}

/**
 * The embedded host's identity path in one process: gateway, auth, catalog and orchestrator on a fresh
 * database, the admin created at first start from FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD.
 */
/** The database the host runs on (a spec passes `createTestDatabase` of @flowforge/testing: only specs may import it). */
export interface HostDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface AuthHost {
  app: INestApplication;
  base: string;
  db: HostDatabase;
  pool: Pool;
  runtime: HostRuntime;
  /** Every log line the host wrote (level info and up), to search for secrets. */
  logs: string[];
  /** The text of every answer `call` received. */
  answers: string[];
  call<T = unknown>(method: string, urlPath: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer<T>>;
  login(username: string, password: string, extra?: Record<string, string>): Promise<TokenPair>;
  adminToken(): Promise<string>;
  /** Creates a user holding `roles` and signs them in. */
  userWith(roles: string[], name?: string): Promise<{ id: string; username: string; password: string; token: string; session: TokenPair }>;
  /** An API token of a new developer, scoped to `permissions` (a narrow credential, as a CI job would hold). */
  scopedToken(permissions: string[]): Promise<string>;
  /** POST /api/v1/workflows/apply with a YAML body as it is (the admin's token unless another is given). */
  applyYaml(text: string, token?: string): Promise<Response>;
  /**
   * Another gateway replica (gateway and auth modules, own process state) on the same database and bus,
   * as a second embedded host or a second gateway pod would be: for what must reach every replica.
   */
  startReplica(env?: Record<string, string>): Promise<{ base: string; call: AuthHost['call']; stop(): Promise<void> }>;
  /** The current value of a Prometheus counter on /metrics (0 when absent), e.g. metric('ff_auth_logins_total', { outcome: 'locked' }). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startAuthHost(
  createDb: () => Promise<HostDatabase>,
  env: Record<string, string> = {},
  /** More service modules in the same process (e.g. ingestion for its routes). */
  extraServices: ServiceDefinition[] = [],
): Promise<AuthHost> {
  const logs: string[] = [];
  const answers: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) }) });
  const db = await createDb();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-auth-host-'));
  const services: ServiceDefinition[] = [gatewayService, authService, catalogService, orchestratorService, ...extraServices];
  const config = loadHostConfig({
    host: 'embedded',
    services,
    env: {
      DATABASE_URL: db.url,
      FLOWFORGE_HOME: home,
      FLOWFORGE_MASTER_KEY: randomBytes(32).toString('base64'),
      FLOWFORGE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      FLOWFORGE_AUTH_CACHE_SECONDS: '1',
      ...env,
    },
    requireDatabaseUrl: true,
  });
  const app = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger, port: 0 });
  const port = await startHostApp(app, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const pool = new Pool({ connectionString: db.url, max: 3 });
  pool.on('error', () => undefined);

  const callAt =
    (at: string): AuthHost['call'] =>
    async (method, urlPath, opts = {}) => {
      const headers: Record<string, string> = { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const res = await fetch(`${at}${urlPath}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
      const text = await res.text();
      answers.push(text);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body: body as never, text, headers: res.headers };
    };
  const call = callAt(base);
  const replicas: INestApplication[] = [];
  const startReplica: AuthHost['startReplica'] = async (extra = {}) => {
    const replicaServices = [gatewayService, authService];
    const replicaConfig = loadHostConfig({
      host: 'embedded',
      services: replicaServices,
      env: { DATABASE_URL: db.url, FLOWFORGE_HOME: home, FLOWFORGE_AUTH_CACHE_SECONDS: '1', ...env, ...extra },
      requireDatabaseUrl: true,
    });
    const replica = await createHostApp({ mode: 'embedded', host: 'embedded', services: replicaServices, config: replicaConfig, logger, port: 0 });
    replicas.push(replica);
    const replicaBase = `http://127.0.0.1:${await startHostApp(replica, 0, '127.0.0.1')}`;
    return {
      base: replicaBase,
      call: callAt(replicaBase),
      stop: async () => {
        replicas.splice(replicas.indexOf(replica), 1);
        await replica.close();
      },
    };
  };
  const login: AuthHost['login'] = async (username, password, extra = {}) => {
    const res = await call<TokenPair>('POST', '/api/v1/auth/login', { body: { username, password, ...extra } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
    return res.body;
  };
  let admin: string | undefined;
  const adminToken = async () => (admin ??= (await login(ADMIN.username, ADMIN.password)).accessToken);
  let n = 0;
  const userWith: AuthHost['userWith'] = async (roles, userName) => {
    const username = userName ?? `${roles.join('-') || 'none'}-${++n}-${randomBytes(3).toString('hex')}`;
    const password = `Strong-${randomBytes(6).toString('hex')}-Pw9`;
    const res = await call<{ id: string }>('POST', '/api/v1/users', { token: await adminToken(), body: { username, password, roles } });
    if (res.status !== 201) throw new Error(`create user ${username}: ${res.status} ${res.text}`);
    const session = await login(username, password);
    return { id: res.body.id, username, password, token: session.accessToken, session };
  };
  const scopedToken: AuthHost['scopedToken'] = async (permissions) => {
    const owner = await userWith(['developer']);
    const res = await call<{ token: string }>('POST', '/api/v1/tokens', {
      token: owner.token,
      body: { name: `scoped-${++n}`, permissions, expiresInDays: 1 },
    });
    if (res.status !== 201) throw new Error(`create token: ${res.status} ${res.text}`);
    return res.body.token;
  };
  const applyYaml: AuthHost['applyYaml'] = async (text, token) =>
    fetch(`${base}/api/v1/workflows/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${token ?? (await adminToken())}` },
      body: text,
    });
  return {
    app,
    base,
    db,
    pool,
    runtime: app.get<HostRuntime>(HOST_RUNTIME),
    logs,
    answers,
    call,
    login,
    adminToken,
    userWith,
    scopedToken,
    applyYaml,
    startReplica,
    async metric(name, labels = {}) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return 0;
    },
    async stop() {
      for (const replica of replicas.splice(0)) await closeOrReport('replica', replica, logs);
      await closeOrReport('host', app, logs);
      await pool.end();
      await db.drop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** How long a host's shutdown may take before the harness reports it and moves on. */
const CLOSE_REPORT_MS = 30_000;

/**
 * Closes `app`. Twice in full `npm test` runs (never alone, never when re-run) a host's close did not
 * finish within jest's 60 s hook timeout, after every test of the suite had passed: rather than fail
 * the suite on its teardown, a close still pending after CLOSE_REPORT_MS is reported on stderr
 * (FF_TEST_HOST_CLOSE_SLOW, with the host's last log lines and what keeps the process busy) and the
 * harness moves on; the database is dropped WITH (FORCE) after it anyway. The report is the lead for
 * finding the cause.
 */
async function closeOrReport(what: string, app: INestApplication, logs: string[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), CLOSE_REPORT_MS)));
  const closed = app.close().then(() => 'closed' as const);
  try {
    if ((await Promise.race([closed, slow])) === 'slow') {
      const busy = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
      process.stderr.write(
        `\nFF_TEST_HOST_CLOSE_SLOW: the ${what}'s close has not finished after ${CLOSE_REPORT_MS} ms; moving on.\n` +
          `active resources: ${JSON.stringify(busy)}\nlast log lines:\n${logs.slice(-20).join('')}\n`,
      );
      closed.catch(() => undefined);
    }
  } finally {
    clearTimeout(timer);
  }
}
