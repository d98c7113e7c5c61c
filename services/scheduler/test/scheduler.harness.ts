import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import type { EventBus, Subscription } from '@flowforge/bus';
import { RunRequested, RunStateChanged, type RunRequestedEvent, type RunState } from '@flowforge/contracts';
import { createHostApp, createLogger, EVENT_BUS, HOST_RUNTIME, loadHostConfig, startHostApp, type HostRuntime } from '@flowforge/service-kit';
import { Pool } from 'pg';
import { schedulerService } from '../src/scheduler.definition';
import { FireLoop } from '../src/schedules/fire.loop';
import { SchedulerClock } from '../src/schedules/scheduler.clock';

const quiet = createLogger({
  service: 'test',
  level: 'error',
  destination: process.env.FF_TEST_LOG ? process.stderr : new Writable({ write: (_c, _e, cb) => cb() }),
});

export interface SchedulerHarness {
  app: INestApplication;
  base: string;
  pool: Pool;
  bus: EventBus;
  loop: FireLoop;
  clock: SchedulerClock;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Says a run changed state, as the orchestrator would (run.state-changed on the real bus). */
  runState(runId: string, workflow: string, to: RunState, reason?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Boots the scheduler standalone on `dbUrl` (real PostgresEventBus), listening on an ephemeral port.
 * The loop does not run by itself (FLOWFORGE_SCHEDULER_TICK_MS=0) unless `env` says so: tests call
 * `loop.tickOnce(at)` with the time they want.
 */
export async function startScheduler(dbUrl: string, env: Record<string, string> = {}): Promise<SchedulerHarness> {
  const services = [schedulerService];
  const config = loadHostConfig({
    host: 'scheduler',
    services,
    env: { DATABASE_URL: dbUrl, FLOWFORGE_SCHEDULER_TICK_MS: '0', ...env },
    requireDatabaseUrl: true,
  });
  const app = await createHostApp({ mode: 'standalone', host: 'scheduler', services, config, logger: quiet, port: 0 });
  const base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
  const internal = app.get<HostRuntime>(HOST_RUNTIME).internalHeaders();
  const pool = new Pool({ connectionString: dbUrl, max: 4 });
  pool.on('error', () => undefined);
  const bus = app.get<EventBus>(EVENT_BUS);
  return {
    app,
    base,
    pool,
    bus,
    loop: app.get(FireLoop),
    clock: app.get(SchedulerClock),
    api: async (method, path, body) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...internal, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-flowforge-actor-name': 'tester' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
    },
    runState: async (runId, workflow, to, reason) => {
      await bus.publish(RunStateChanged, { runId, workflowId: workflow, from: null, to, reason: reason ?? null }, { key: runId });
    },
    stop: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/** Collects every RunRequested published on `bus` (its own consumer group). */
export async function collectRunRequests(bus: EventBus, group: string): Promise<{ events: RunRequestedEvent[]; sub: Subscription }> {
  const events: RunRequestedEvent[] = [];
  const sub = await bus.subscribe(RunRequested, { group }, async (e) => {
    events.push(e);
  });
  return { events, sub };
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
