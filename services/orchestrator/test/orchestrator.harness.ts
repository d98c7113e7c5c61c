import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import type { EventBus } from '@flowforge/bus';
import { createHostApp, createLogger, EVENT_BUS, HOST_RUNTIME, loadHostConfig, startHostApp, type HostRuntime } from '@flowforge/service-kit';
import { Pool } from 'pg';
import { orchestratorService } from '../src/orchestrator.definition';
import type { RunView } from '../src/runs/run.views';

const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** Short intervals so leases, retries and timeouts play out in a test's time. */
export const FAST_ENV: Record<string, string> = {
  FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '100',
  FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS: '200',
};

export interface OrchestratorHarness {
  app: INestApplication;
  base: string;
  /** The test's own connection to the database (reads and SQL assertions). */
  pool: Pool;
  bus: EventBus;
  /** The internal-API token header of this orchestrator (`api` and `apply` send it; raw fetches add it). */
  internalHeaders: Record<string, string>;
  /** A request to the orchestrator with the internal token (a test's own `headers` may override it). */
  api<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  apply(yaml: string): Promise<{ status: number; body: unknown }>;
  createRun(workflow: string, params?: Record<string, unknown>, extra?: Record<string, unknown>): Promise<RunView>;
  getRun(id: string): Promise<RunView>;
  /** Polls until `until` (default: a final state); a run not created yet (404) is waited for. */
  waitRun(id: string, until?: (r: RunView) => boolean, timeoutMs?: number): Promise<RunView>;
  stop(): Promise<void>;
}

export const isFinal = (r: RunView): boolean => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.state);

/**
 * Boots the orchestrator (with its builtin executor and a real PostgresEventBus) standalone on `dbUrl`,
 * the way `nx serve orchestrator` does, listening on an ephemeral port; resolves once the builtin job
 * types are registered.
 */
export async function startOrchestrator(dbUrl: string, env: Record<string, string> = {}): Promise<OrchestratorHarness> {
  const services = [orchestratorService];
  const config = loadHostConfig({ host: 'orchestrator', services, env: { DATABASE_URL: dbUrl, ...FAST_ENV, ...env }, requireDatabaseUrl: true });
  const app = await createHostApp({ mode: 'standalone', host: 'orchestrator', services, config, logger: quiet, port: 0 });
  const port = await startHostApp(app, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const internalHeaders = app.get<HostRuntime>(HOST_RUNTIME).internalHeaders();
  const pool = new Pool({ connectionString: dbUrl, max: 4 });
  pool.on('error', () => undefined);

  const api: OrchestratorHarness['api'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...internalHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // YAML or empty
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };

  const getRun = async (id: string): Promise<RunView> => {
    const res = await api<RunView>('GET', `/internal/orchestrator/runs/${id}`);
    if (res.status !== 200) throw new Error(`GET run ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  const harness: OrchestratorHarness = {
    app,
    base,
    pool,
    bus: app.get<EventBus>(EVENT_BUS),
    internalHeaders,
    api,
    apply: async (yaml) => {
      const res = await fetch(`${base}/internal/orchestrator/workflows/apply`, {
        method: 'POST',
        headers: { ...internalHeaders, 'content-type': 'application/yaml' },
        body: yaml,
      });
      return { status: res.status, body: (await res.json()) as unknown };
    },
    createRun: async (workflow, params = {}, extra = {}) => {
      const res = await api<RunView>('POST', '/internal/orchestrator/runs', { workflow, params, ...extra });
      if (res.status !== 201 && res.status !== 200) throw new Error(`POST run: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    getRun,
    waitRun: async (id, until = isFinal, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: RunView | undefined;
      while (Date.now() < deadline) {
        const res = await api<RunView>('GET', `/internal/orchestrator/runs/${id}`);
        if (res.status !== 404) {
          if (res.status !== 200) throw new Error(`GET run ${id}: ${res.status} ${JSON.stringify(res.body)}`);
          last = res.body;
          if (until(last)) return last;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`run ${id} did not reach the expected state within ${timeoutMs} ms; last seen:\n${JSON.stringify(last, null, 2)}`);
    },
    stop: async () => {
      await app.close();
      await pool.end();
    },
  };
  await waitFor('builtin job types registered', async () => {
    const { rows } = await pool
      .query(`SELECT count(*)::int AS n FROM ff_orchestrator.job_types WHERE executor = 'builtin'`)
      .catch(() => ({ rows: [{ n: 0 }] }));
    return (rows[0] as { n: number }).n >= 3 ? true : undefined;
  });
  return harness;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A YAML Job document. */
export function jobYaml(name: string, type: string, config?: Record<string, unknown>): string {
  const cfg = config ? `  config: ${JSON.stringify(config)}\n` : '';
  return `apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n${cfg}`;
}

/** The usual builtin jobs: noop, a short sleep, an always-failing and a fail-twice job. */
export const BUILTIN_JOBS = [
  jobYaml('noop', 'noop'),
  jobYaml('nap', 'sleep', { ms: 50 }),
  jobYaml('long-sleep', 'sleep', { ms: 60_000 }),
  jobYaml('boom', 'fail', { message: 'boom on purpose', retryable: true }),
  jobYaml('flaky', 'fail', { message: 'flaky on purpose', failAttempts: 2 }),
].join('---\n');
