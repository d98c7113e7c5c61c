/**
 * Webhook → run benchmark: `node bench/run.js bench/webhook.bench.ts`.
 * Uses DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres; creates and drops its own database.
 *
 * Embedded mode, as `npm start` runs it (every service module in one process, Postgres bus, default
 * settings). A webhook trigger (auth hmac) on a one-step `noop` workflow receives signed deliveries at
 * BENCH_RATE/s (default 20) for BENCH_SECONDS (default 20), open loop, through the public door
 * (POST /api/v1/hooks/{id}: gateway → triggers → firing + RunRequested in one transaction → orchestrator).
 * Latency = the moment an observer consumer group receives RunStateChanged → running of the run the
 * delivery started − the moment the delivery's HTTP call started (one process clock). Target (issue 13):
 * p99 ≤ 100 ms. Writes its figures into bench/RESULTS.md (section "webhook").
 */
import type { INestApplication } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { PostgresEventBus } from '@flowforge/bus';
import { AvroCodec, PostgresSchemaRegistry, RunStateChanged } from '@flowforge/contracts';
import { createHostApp, createLogger, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { adminApiToken, bearer, testAdminEnv } from '@flowforge/testing';
import { embeddedServices } from '../services/embedded/src/embedded.services';
import { loadLine, machineLine, ms, now, paced, quiet, scratchDatabase, sleep, summarize, verdict, writeResults, type ResultRow } from './bench-kit';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = 40;
const TARGET_P99_MS = 100;

const WORKFLOW = `
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

async function main(): Promise<void> {
  const db = await scratchDatabase('ff_bench_webhook');
  const home = mkdtempSync(path.join(os.tmpdir(), 'ff-bench-webhook-'));
  const loadBefore = loadLine();
  let app: INestApplication | undefined;
  let observerPool: Pool | undefined;
  let observerBus: PostgresEventBus | undefined;
  try {
    const logger = createLogger({ service: 'embedded', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const config = loadHostConfig({
      host: 'embedded',
      services: embeddedServices,
      env: {
        DATABASE_URL: db.url,
        FLOWFORGE_HOME: home,
        ...testAdminEnv,
        FLOWFORGE_RATE_LIMIT_PER_SECOND: '0',
        FLOWFORGE_RATE_LIMIT_ANONYMOUS_PER_SECOND: '0',
      },
    });
    app = await createHostApp({ mode: 'embedded', host: 'embedded', services: embeddedServices, config, logger, databaseUrl: db.url, port: 0 });
    const base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    const auth = bearer(await adminApiToken(base, 'bench'));
    for (const deadline = Date.now() + 20_000; ;) {
      if ((await fetch(`${base}/api/v1/job-types/noop`, { headers: auth })).status === 200) break;
      if (Date.now() > deadline) throw new Error('the noop job type was not registered');
      await sleep(100);
    }
    const applied = await fetch(`${base}/api/v1/workflows/apply`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: WORKFLOW });
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
    const hook = (await created.json()) as { hookPath: string; secret: string };
    if (created.status !== 201) throw new Error(`create trigger: ${created.status} ${JSON.stringify(hook)}`);

    observerPool = new Pool({ connectionString: db.url, max: 4, application_name: 'bench' });
    observerPool.on('error', () => undefined);
    observerBus = new PostgresEventBus({
      pool: observerPool,
      codec: new AvroCodec(new PostgresSchemaRegistry({ pool: observerPool })),
      producer: 'bench',
      retentionIntervalMs: 0,
      logger: quiet,
      metrics: new Registry(),
    });
    const running = new Map<string, number>();
    await observerBus.subscribe(RunStateChanged, { group: 'bench-observer' }, async (e) => {
      if (e.to === 'running' && !running.has(e.runId)) running.set(e.runId, now());
    });

    const started = new Map<number, { at: number; runId?: string; status?: number }>();
    const deliver = async (seq: number): Promise<void> => {
      const body = JSON.stringify({ n: String(seq) });
      const ts = Math.floor(Date.now() / 1000);
      const signature = `sha256=${createHmac('sha256', hook.secret).update(`${ts}.${body}`).digest('hex')}`;
      const entry: { at: number; runId?: string; status?: number } = { at: now() };
      started.set(seq, entry);
      const res = await fetch(`${base}${hook.hookPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-flowforge-timestamp': String(ts), 'x-flowforge-signature': signature },
        body,
      });
      entry.status = res.status;
      const answer = (await res.json()) as { runId?: string };
      if (res.status !== 202) throw new Error(`delivery ${seq}: ${res.status} ${JSON.stringify(answer)}`);
      entry.runId = answer.runId;
    };

    // Warm-up, not measured: JIT, pools, partition leases.
    for (let i = 0; i < WARMUP; i++) await deliver(-1 - i);
    started.clear();
    const total = RATE * SECONDS;
    const pace = await paced(total, RATE, deliver);
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
    const answered = summarize(pace.acks);
    const lat = summarize(latencies);
    const rows: ResultRow[] = [
      [
        'delivery received → run `running`, p50 / p95 / p99 / max',
        `${ms(lat.p50)} / ${ms(lat.p95)} / ${ms(lat.p99)} / ${ms(lat.max)}`,
        `p99 ≤ ${TARGET_P99_MS} ms`,
        verdict(lat.p99 <= TARGET_P99_MS && missing === 0),
      ],
      ['202 answered, p50 / p95 / p99 / max', `${ms(answered.p50)} / ${ms(answered.p95)} / ${ms(answered.p99)} / ${ms(answered.max)}`, '—', ''],
      ['pace started / completed', `${pace.rate.toFixed(1)} / ${pace.completedRate.toFixed(1)} deliveries/s`, `${RATE}/s`, verdict(pace.rate >= RATE * 0.95)],
      ['runs seen running / deliveries', `${lat.n} / ${total} (${pace.failures} deliveries failed)`, 'all', verdict(lat.n === total && pace.failures === 0)],
    ];
    writeResults(
      'webhook',
      'webhook — signed delivery to a running run, embedded (`node bench/run.js bench/webhook.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machineLine(db)}; load average before the run ${loadBefore}, after ${loadLine()}.`,
        `One process hosting every service module (embedded mode, default settings, the gateway's rate limits off). A webhook trigger (auth hmac, a JSON Schema-free payload, one mapped parameter) on a one-step \`noop\` workflow; ${WARMUP} warm-up deliveries first.`,
      ],
      rows,
      [
        `${total} signed deliveries at ${RATE}/s for ${SECONDS} s, open loop (a call starts on schedule whether earlier ones answered or not), through POST /api/v1/hooks/{id}: the gateway reads the body raw, the triggers service checks the signature, the window and the replay key, records the firing and publishes RunRequested in one transaction, answers 202; the orchestrator creates the run and dispatches its step. Latency = receipt of RunStateChanged → running by an observer consumer group (its own bus and pool, same process clock) − start of the delivery's HTTP call.`,
      ],
    );
  } finally {
    await observerBus?.close().catch(() => undefined);
    await observerPool?.end().catch(() => undefined);
    await app?.close().catch((err: unknown) => console.warn('closing the host failed', err));
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
