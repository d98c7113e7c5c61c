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
