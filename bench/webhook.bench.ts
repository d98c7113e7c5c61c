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
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createHostApp, createLogger, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { adminApiToken, bearer, testAdminEnv } from '@flowforge/testing';
import { embeddedServices } from '../services/embedded/src/embedded.services';
import { driveWebhook, loadLine, machineLine, observeRunning, scratchDatabase, setUpWebhook, webhookRows, writeResults } from './bench-kit';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = 40;
const TARGET_P99_MS = 100;

async function main(): Promise<void> {
  const db = await scratchDatabase('ff_bench_webhook');
  const home = mkdtempSync(path.join(os.tmpdir(), 'ff-bench-webhook-'));
  const loadBefore = loadLine();
  let app: INestApplication | undefined;
  let observer: Awaited<ReturnType<typeof observeRunning>> | undefined;
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
    const hook = await setUpWebhook(base, auth);

    observer = await observeRunning(db.url);
    const running = observer.running;

    const figures = await driveWebhook(base, hook, running, { rate: RATE, seconds: SECONDS, warmup: WARMUP });
    const total = figures.total;
    const rows = webhookRows(figures, RATE, TARGET_P99_MS);
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
    await observer?.close();
    await app?.close().catch((err: unknown) => console.warn('closing the host failed', err));
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
