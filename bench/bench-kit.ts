/**
 * What the bus benchmarks share: the benchmark event (with a high-resolution send time for latency),
 * a scratch database, percentiles, machine facts and the RESULTS.md section writer.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, escapeIdentifier } from 'pg';
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
