/**
 * What the bus benchmarks share: the benchmark event (with a high-resolution send time for latency),
 * a scratch database, percentiles, machine facts and the RESULTS.md section writer.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, escapeIdentifier, Pool } from 'pg';
import { Registry } from 'prom-client';
import { PostgresEventBus } from '@flowforge/bus';
import { AvroCodec, PostgresSchemaRegistry, RunStateChanged } from '@flowforge/contracts';
import type { EventDefinition, EventEnvelope } from '@flowforge/contracts';

export interface BenchEvent extends EventEnvelope {
  seq: number;
  key: string;
  sentAt: number;
}

export const BenchEventDef: EventDefinition<BenchEvent> = {
  name: 'io.flowforge.bench.BenchEvent',
  topic: 'flowforge.bench.events',
  subject: 'flowforge.bench.events-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'BenchEvent',
    namespace: 'io.flowforge.bench',
    fields: [
      { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'producer', type: 'string' },
      { name: 'traceparent', type: ['null', 'string'], default: null },
      { name: 'schemaVersion', type: 'int' },
      { name: 'seq', type: 'int' },
      { name: 'key', type: 'string' },
      { name: 'sentAt', type: 'double' },
    ],
  },
};

export const quiet = { info: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable inside one process. */
export const now = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface ScratchDatabase {
  url: string;
  /** server_version, fsync, synchronous_commit */
  settings: Record<string, string>;
  drop(): Promise<void>;
}

/** A database of its own on DATABASE_URL's server (default: the machine's PostgreSQL), dropped afterwards. */
export async function scratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
  const settings = await admin.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit')`,
  );
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    settings: Object.fromEntries(settings.rows.map((r) => [r.name, r.setting])),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export function machineLine(db: ScratchDatabase): string {
  const s = db.settings;
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${s.server_version} (fsync=${s.fsync}, synchronous_commit=${s.synchronous_commit}) on the same machine`;
}

export type ResultRow = [measure: string, value: string, target: string, verdict: string];

export const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

/** Prints the rows and replaces the benchmark's own section of bench/RESULTS.md (between its markers). */
export function writeResults(id: string, title: string, intro: string[], rows: ResultRow[], notes: string[]): void {
  console.table(rows.map(([measure, value, target, v]) => ({ measure, value, target, verdict: v })));
  const section = [
    `<!-- ${id}:start -->`,
    `## ${title}`,
    '',
    ...intro,
    '',
    '| measure | value | target | verdict |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...notes,
    `<!-- ${id}:end -->`,
  ].join('\n');
  const file = path.join(__dirname, 'RESULTS.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\nFigures from real runs; each benchmark owns its section.\n';
  const re = new RegExp(`<!-- ${id}:start -->[\\s\\S]*?<!-- ${id}:end -->`);
  text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
  console.log(`figures written to ${file}`);
}

/** The machine's load averages (1, 5, 15 min): the benches share the machine, so each run states it. */
export const loadLine = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1]! };
}

export const ms = (v: number): string => `${v.toFixed(1)} ms`;

/**
 * Open-loop pacing: `send(seq)` is started on schedule at `rate` per second for `total` calls, whether
 * earlier calls answered or not (a slow system shows as latency, not as a slower pace). Each answer's
 * time from its start is recorded. `rate` is the pace the calls were started at (the pacer itself
 * may fall behind on a starved CPU), `completedRate` the calls over the time until the last answer
 * (below `rate` when answers queued up behind the pace).
 */
export async function paced(
  total: number,
  rate: number,
  send: (seq: number) => Promise<unknown>,
): Promise<{ acks: number[]; rate: number; completedRate: number; failures: number }> {
  const acks: number[] = [];
  let failures = 0;
  let sent = 0;
  const t0 = now();
  const inflight = new Set<Promise<unknown>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate));
    while (sent < due) {
      const at = now();
      const p = send(sent++).then(
        () => void acks.push(now() - at),
        () => void failures++,
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await sleep(1);
  }
  const scheduledFor = (now() - t0) / 1000;
  await Promise.all(inflight);
  return { acks, rate: total / scheduledFor, completedRate: total / ((now() - t0) / 1000), failures };
}

/**
 * Verdict of a "measured p99 ≤ factor × baseline p99" target. A baseline that could not hold the pace
 * itself (machine overloaded) gives no verdict: its p99 would flatter anything compared to it.
 */
export function ratioVerdict(measured: number, baseline: number, factor: number, baselinePaceHeld: boolean): string {
  if (!baselinePaceHeld) return 'no verdict (baseline below pace)';
  return verdict(measured <= factor * baseline);
}

/*
 * The webhook benchmarks (bench/webhook.bench.ts embedded, bench/webhook-distributed.bench.ts one process per
 * service): the same trigger, the same signed deliveries and the same figures, whatever hosts the services.
 */

/** A one-step `noop` workflow with one parameter the webhook maps from its payload. */
export const WEBHOOK_WORKFLOW = `
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: bench-nothing }
spec: { type: noop, config: {} }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: bench-hooked }
spec:
  parameters:
    - { name: n, type: string, default: '' }
  steps:
    - { id: a, job: bench-nothing }
`;

export interface BenchHook {
  hookPath: string;
  secret: string;
}

/**
 * Through the gateway at `base`: waits for the `noop` job type, applies WEBHOOK_WORKFLOW and creates the
 * webhook trigger (auth hmac, its own rate limit far above the pace) → its public path and secret.
 */
export async function setUpWebhook(base: string, auth: Record<string, string>, timeoutMs = 20_000): Promise<BenchHook> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    if ((await fetch(`${base}/api/v1/job-types/noop`, { headers: auth })).status === 200) break;
    if (Date.now() > deadline) throw new Error('the noop job type was not registered');
    await sleep(100);
  }
  const applied = await fetch(`${base}/api/v1/workflows/apply`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/yaml' },
    body: WEBHOOK_WORKFLOW,
  });
  if (applied.status !== 200) throw new Error(`apply: ${applied.status} ${await applied.text()}`);
  const created = await fetch(`${base}/api/v1/triggers/bench-hook`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      workflow: 'bench-hooked',
      type: 'webhook',
      config: { auth: 'hmac', rateLimit: { perMinute: 600_000, burst: 10_000 } },
      params: { n: '${payload.n}' },
    }),
  });
  const hook = (await created.json()) as BenchHook;
  if (created.status !== 201) throw new Error(`create trigger: ${created.status} ${JSON.stringify(hook)}`);
  return hook;
}

export interface WebhookFigures {
  total: number;
  /** delivery start → the observer saw the run `running` */
  lat: Summary;
  /** delivery start → 202 answered */
  answered: Summary;
  pace: { rate: number; completedRate: number; failures: number };
  missing: number;
  /** delivery start → running, each run seen */
  latencies: number[];
  /** delivery start → 202, each answered delivery */
  acks: number[];
  /** each measured delivery: when its call started, when its 202 came, the run it started */
  samples: DeliverySample[];
}

export interface DeliverySample {
  at: number;
  answeredAt?: number;
  runId?: string;
}

/**
 * `warmup` deliveries one after the other, or open loop at `warmupRate`/s when set (not measured; then a pause until their runs show `running`
 * and 1 s more, so their remaining events are not in the measured window), then `rate × seconds` signed
 * deliveries, open loop, to POST {hookPath}; waits up to 30 s for every started run to show in `running`
 * (run id → the moment an observer received RunStateChanged → running, on this process's clock).
 * `round` tells the payloads of repeated calls apart.
 */
export async function driveWebhook(
  base: string,
  hook: BenchHook,
  running: Map<string, number>,
  opts: { rate: number; seconds: number; warmup: number; warmupRate?: number; round?: number; onMeasureStart?: () => void },
): Promise<WebhookFigures> {
  const started = new Map<number, DeliverySample>();
  const allRunning = async (): Promise<void> => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if ([...started.values()].every((s) => !s.runId || running.has(s.runId))) break;
      await sleep(50);
    }
  };
  const deliver = async (seq: number): Promise<void> => {
    const body = JSON.stringify({ n: `${opts.round ?? 0}.${seq}` });
    const ts = Math.floor(Date.now() / 1000);
    const signature = `sha256=${createHmac('sha256', hook.secret).update(`${ts}.${body}`).digest('hex')}`;
    const entry: DeliverySample = { at: now() };
    started.set(seq, entry);
    const res = await fetch(`${base}${hook.hookPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-flowforge-timestamp': String(ts), 'x-flowforge-signature': signature },
      body,
    });
    const answer = (await res.json()) as { runId?: string };
    if (res.status !== 202) throw new Error(`delivery ${seq}: ${res.status} ${JSON.stringify(answer)}`);
    entry.answeredAt = now();
    entry.runId = answer.runId;
  };

  // Warm-up, not measured: JIT, pools, partition leases and assignments.
  if (opts.warmup > 0) {
    if (opts.warmupRate) await paced(opts.warmup, opts.warmupRate, (i) => deliver(-1 - i));
    else for (let i = 0; i < opts.warmup; i++) await deliver(-1 - i);
    await allRunning();
    await sleep(1_000);
  }
  started.clear();
  opts.onMeasureStart?.();
  const total = opts.rate * opts.seconds;
  const pace = await paced(total, opts.rate, deliver);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    if ([...started.values()].every((s) => !s.runId || running.has(s.runId))) break;
    await sleep(50);
  }
  const latencies: number[] = [];
  let missing = 0;
  for (const s of started.values()) {
    const at = s.runId ? running.get(s.runId) : undefined;
    if (at === undefined) missing++;
    else latencies.push(at - s.at);
  }
  return { total, lat: summarize(latencies), answered: summarize(pace.acks), pace, missing, latencies, acks: pace.acks, samples: [...started.values()] };
}

/** CPU seconds (user + system) the processes `pids` have used so far (Linux /proc; NaN elsewhere). */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command name: state is [0], utime [11], stime [12] (man 5 proc).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      return NaN;
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Several runs' figures as one: their samples pooled, the pace of the slowest. */
export function poolFigures(runs: WebhookFigures[]): WebhookFigures {
  const samples = runs.flatMap((r) => r.samples);
  return {
    total: runs.reduce((n, r) => n + r.total, 0),
    lat: summarize(runs.flatMap((r) => r.latencies)),
    answered: summarize(runs.flatMap((r) => r.acks)),
    pace: {
      rate: Math.min(...runs.map((r) => r.pace.rate)),
      completedRate: Math.min(...runs.map((r) => r.pace.completedRate)),
      failures: runs.reduce((n, r) => n + r.pace.failures, 0),
    },
    missing: runs.reduce((n, r) => n + r.missing, 0),
    latencies: runs.flatMap((r) => r.latencies),
    acks: runs.flatMap((r) => r.acks),
    samples,
  };
}

/** The result rows of a webhook run against a p99 target. */
export function webhookRows(f: WebhookFigures, rate: number, targetP99Ms: number): ResultRow[] {
  const { lat, answered, pace, total } = f;
  return [
    [
      'delivery received → run `running`, p50 / p95 / p99 / max',
      `${ms(lat.p50)} / ${ms(lat.p95)} / ${ms(lat.p99)} / ${ms(lat.max)}`,
      `p99 ≤ ${targetP99Ms} ms`,
      verdict(lat.p99 <= targetP99Ms && f.missing === 0),
    ],
    ['202 answered, p50 / p95 / p99 / max', `${ms(answered.p50)} / ${ms(answered.p95)} / ${ms(answered.p99)} / ${ms(answered.max)}`, '—', ''],
    ['pace started / completed', `${pace.rate.toFixed(1)} / ${pace.completedRate.toFixed(1)} deliveries/s`, `${rate}/s`, verdict(pace.rate >= rate * 0.95)],
    ['runs seen running / deliveries', `${lat.n} / ${total} (${pace.failures} deliveries failed)`, 'all', verdict(lat.n === total && pace.failures === 0)],
  ];
}

/**
 * An observer of the embedded platform's bus (its own pool and consumer group `bench-observer`): when each
 * run was first seen `running` (this process's clock), for latency figures that end at a run starting.
 */
export async function observeRunning(databaseUrl: string): Promise<{ running: Map<string, number>; close(): Promise<void> }> {
  const pool = new Pool({ connectionString: databaseUrl, max: 4, application_name: 'bench' });
  pool.on('error', () => undefined);
  const bus = new PostgresEventBus({
    pool,
    codec: new AvroCodec(new PostgresSchemaRegistry({ pool })),
    producer: 'bench',
    retentionIntervalMs: 0,
    logger: quiet,
    metrics: new Registry(),
  });
  const running = new Map<string, number>();
  await bus.subscribe(RunStateChanged, { group: 'bench-observer' }, async (e) => {
    if (e.to === 'running' && !running.has(e.runId)) running.set(e.runId, now());
  });
  return {
    running,
    close: async () => {
      await bus.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
