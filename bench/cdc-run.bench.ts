/**
 * CDC → run benchmark, end to end: `node bench/run.js bench/cdc-run.bench.ts` (needs `scripts/stack/stack up`:
 * Kafka, Kafka Connect with Debezium, PostgreSQL with wal_level=logical).
 *
 * The embedded platform (every service module in one process, Postgres bus) with FLOWFORGE_KAFKA_CONNECT_URL:
 * a catalog `postgres` connection to a scratch database, a `cdc` trigger on one of its tables (windowMs 100,
 * the changed keys mapped into the run's parameters) running a one-step `noop` workflow. Single-row INSERTs in
 * autocommit, paced open-loop at BENCH_RATE per second for BENCH_SECONDS; latency of a row = the moment an
 * observer consumer group receives RunStateChanged → running of the run whose parameters name the row's key −
 * the moment the INSERT answered (its commit), one process clock. Target (issue 13): "CDC insert committed →
 * run started: p99 ≤ 2 s". Writes bench/RESULTS.md (section "cdc-run").
 */
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { createHostApp, createLogger, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { adminApiToken, bearer, discoverStack, testAdminEnv } from '@flowforge/testing';
import { embeddedServices } from '../services/embedded/src/embedded.services';
import { loadLine, machineLine, ms, now, observeRunning, paced, scratchDatabase, sleep, summarize, verdict, writeResults, type ResultRow } from './bench-kit';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TARGET_P99_MS = 2_000;

const WORKFLOW = `
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: bench-nothing }
spec: { type: noop, config: {} }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: bench-on-change }
spec:
  parameters:
    - { name: keys, type: string, default: '' }
  steps:
    - { id: a, job: bench-nothing }
`;

async function main(): Promise<void> {
  const stack = discoverStack();
  if (!stack.kafkaBrokers || !stack.kafkaConnectUrl) throw new Error('no Kafka or Kafka Connect: run scripts/stack/stack up');
  const db = await scratchDatabase('ff_bench_cdc_run');
  const source = await scratchDatabase('ff_bench_cdc_src');
  const home = mkdtempSync(path.join(os.tmpdir(), 'ff-bench-cdc-run-'));
  const loadBefore = loadLine();
  let app: INestApplication | undefined;
  let observer: Awaited<ReturnType<typeof observeRunning>> | undefined;
  const rows = new Pool({ connectionString: source.url, max: 8 });
  rows.on('error', () => undefined);
  try {
    await rows.query('create table bench_rows (id int primary key, payload text not null)');
    const logger = createLogger({ service: 'embedded', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const config = loadHostConfig({
      host: 'embedded',
      services: embeddedServices,
      env: {
        DATABASE_URL: db.url,
        FLOWFORGE_HOME: home,
        ...testAdminEnv,
        FLOWFORGE_RATE_LIMIT_PER_SECOND: '0',
        FLOWFORGE_KAFKA_CONNECT_URL: stack.kafkaConnectUrl,
        FLOWFORGE_KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        FLOWFORGE_TRIGGERS_SYNC_MS: '200',
      },
    });
    app = await createHostApp({ mode: 'embedded', host: 'embedded', services: embeddedServices, config, logger, databaseUrl: db.url, port: 0 });
    const base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    const auth = bearer(await adminApiToken(base, 'bench'));
    const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { ...auth, 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    };
    for (const deadline = Date.now() + 20_000; (await call('GET', '/api/v1/job-types/noop')).status !== 200; await sleep(100)) {
      if (Date.now() > deadline) throw new Error('the noop job type was not registered');
    }
    const applied = await call('POST', '/api/v1/workflows/apply', WORKFLOW);
    if (applied.status !== 200) throw new Error(`apply: ${applied.status} ${JSON.stringify(applied.body)}`);
    const u = new URL(source.url);
    const connection = await call('POST', '/api/v1/connections', {
      name: 'bench-src',
      type: 'postgres',
      config: {
        host: u.hostname,
        port: Number(u.port || 5432),
        database: u.pathname.slice(1),
        user: decodeURIComponent(u.username),
        allowPrivateNetworks: true,
      },
    });
    if (connection.status !== 201) throw new Error(`connection: ${connection.status} ${JSON.stringify(connection.body)}`);

    observer = await observeRunning(db.url);
    const running = observer.running;

    const trigger = await call('PUT', '/api/v1/triggers/bench-cdc', {
      workflow: 'bench-on-change',
      type: 'cdc',
      config: { connection: 'bench-src', tables: ['public.bench_rows'], operations: ['insert'], windowMs: 100 },
      params: { keys: '${payload.keys}' },
    });
    if (trigger.status !== 201) throw new Error(`trigger: ${trigger.status} ${JSON.stringify(trigger.body)}`);
    const t0 = now();
    type Firing = { runId: string | null; params: Record<string, string> | null };
    const firings = async (): Promise<Firing[]> => ((await call('GET', '/api/v1/triggers/bench-cdc/firings?limit=1000')).body as { items: Firing[] }).items;
    // Warm-up: rows until one starts a run (the source has started: connector, slot, publication, consumer).
    let warm = -1;
    for (const deadline = Date.now() + 120_000; (await firings()).every((f) => !f.runId); await sleep(500)) {
      if (Date.now() > deadline) throw new Error('the cdc trigger did not start within 120 s');
      await rows.query('insert into bench_rows values ($1, $2)', [warm--, 'warm-up']);
    }
    const startS = (now() - t0) / 1000;
    await sleep(1000);

    const total = RATE * SECONDS;
    const committedAt = new Map<number, number>();
    const run = await paced(total, RATE, async (seq) => {
      await rows.query('insert into bench_rows values ($1, $2)', [seq, 'x'.repeat(100)]);
      committedAt.set(seq, now());
    });
    // Every row's run running: keys of each firing's parameters → its run → when it was seen running.
    const samples: number[] = [];
    let fired: Firing[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
      fired = (await firings()).filter((f) => f.runId);
      const seen = new Set<number>();
      for (const f of fired) if (running.has(f.runId!)) for (const k of JSON.parse(f.params?.keys ?? '[]') as number[]) seen.add(k);
      if ([...committedAt.keys()].every((k) => seen.has(k))) break;
    }
    for (const f of fired) {
      const at = running.get(f.runId!);
      if (at === undefined) continue;
      for (const k of JSON.parse(f.params?.keys ?? '[]') as number[]) {
        const c = committedAt.get(k);
        if (c !== undefined) samples.push(at - c);
      }
    }
    const s = summarize(samples);
    const runs = new Set(fired.map((f) => f.runId)).size;
    const result: ResultRow[] = [
      [
        'insert committed → run `running`, p50 / p95 / p99 / max',
        `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}`,
        `p99 ≤ ${TARGET_P99_MS} ms`,
        verdict(s.p99 <= TARGET_P99_MS && s.n === committedAt.size),
      ],
      ['rows whose run was seen running / rows inserted', `${s.n} / ${committedAt.size}`, 'all', verdict(s.n === committedAt.size)],
      ['runs started (one per window of changes)', String(runs), '—', ''],
      ['inserts completed per second', run.completedRate.toFixed(1), `${RATE}/s`, verdict(run.completedRate >= RATE * 0.95)],
      ['trigger saved → first change starts a run (connector, slot, consumer)', `${startS.toFixed(1)} s`, '—', ''],
    ];
    writeResults(
      'cdc-run',
      'cdc-run — a row inserted in PostgreSQL to its run `running`, end to end (`node bench/run.js bench/cdc-run.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machineLine(db)}; load average before the run ${loadBefore}, after ${loadLine()}; Kafka and Kafka Connect (Debezium 3.6) from scripts/stack on the same machine.`,
        `The embedded platform (every service module in one process, Postgres bus): a catalog postgres connection, a cdc trigger (windowMs 100, operations insert, the changed keys mapped into the run's parameters) on a one-step noop workflow; single-row autocommit INSERTs paced open-loop at ${RATE}/s for ${SECONDS} s after a warm-up.`,
      ],
      result,
      [
        "Latency = an observer group receives RunStateChanged → running of the run whose parameters list the row − the INSERT answered (one process clock). The path: WAL → Debezium (poll 100 ms) → Kafka → the trigger's consumer → a 100 ms window → the firing and RunRequested in one transaction → the orchestrator → running.",
      ],
    );
    await call('DELETE', '/api/v1/triggers/bench-cdc');
  } finally {
    await observer?.close();
    await app?.close();
    await rows
      .query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1 and not active', [new URL(source.url).pathname.slice(1)])
      .catch(() => undefined);
    await rows.end();
    await source.drop();
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
