/**
 * Webhook → run benchmark, distributed: `node bench/run.js bench/webhook-distributed.bench.ts` (needs
 * `scripts/stack/stack up`: the Kafka broker and the Confluent-compatible registry; DATABASE_URL or the
 * machine's PostgreSQL). Creates and drops its own database; builds dist/ when it is out of date.
 *
 * Distributed mode, as docker-compose.yml runs it: the gateway, auth, catalog, orchestrator and triggers
 * services each in its own process (their dist entry points, default settings but the gateway's rate
 * limits) on the Kafka bus (FLOWFORGE_BUS=kafka), sharing one database as separate schemas. The same
 * trigger and deliveries as bench/webhook.bench.ts: a webhook trigger (auth hmac) on a one-step `noop`
 * workflow receives signed deliveries at BENCH_RATE/s (default 20) for BENCH_SECONDS (default 20), open
 * loop, through the gateway's public door (POST /api/v1/hooks/{id}: gateway → triggers over HTTP → firing
 * + RunRequested in the triggers' outbox in one transaction → relay → Kafka → orchestrator inbox → run
 * created, step dispatched to the builtin executor inside the orchestrator → RunStateChanged running in
 * its outbox → relay → Kafka). Latency = the moment this process's own Kafka consumer group (a broadcast
 * subscription of a KafkaEventBus) receives RunStateChanged → running of the run the delivery started −
 * the moment the delivery's HTTP call started (one process clock). Target (issue 13): p99 ≤ 250 ms.
 * 3 s of warm-up at the pace, then BENCH_ROUNDS (default 3) measured rounds on the same services, pooled;
 * each round states the load average, the services' CPU use and the bench process's event-loop delay.
 * Also reports where the time goes by stage (from the events' occurredAt and this process's receipt of
 * RunRequested) and the orchestrator's RunRequested handler time (its bus metrics). BENCH_DUMP=<file>
 * writes each delivery's moments there as JSON for a closer look.
 * Writes its figures into bench/RESULTS.md (section "webhook-distributed").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { KafkaEventBus } from '@flowforge/bus';
import { AvroCodec, ConfluentSchemaRegistry, RunRequested, RunStateChanged } from '@flowforge/contracts';
import { adminApiToken, bearer, discoverStack, testAdminEnv } from '@flowforge/testing';
import { buildIfNeeded, distributedEnv, freePort, serviceMain, spawnHost, stopHost, waitReady, type HostProcess } from '../services/embedded/test/host-process';
import {
  cpuSeconds,
  driveWebhook,
  loadLine,
  machineLine,
  ms,
  now,
  poolFigures,
  quiet,
  scratchDatabase,
  setUpWebhook,
  sleep,
  summarize,
  verdict,
  webhookRows,
  writeResults,
  type WebhookFigures,
} from './bench-kit';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
// Warm-up at the measured pace, so that pools, sockets and the concurrent paths are warm too.
const WARMUP_SECONDS = 3;
const TARGET_P99_MS = 250;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const key32 = (): string => randomBytes(32).toString('base64');

async function main(): Promise<void> {
  const stack = discoverStack();
  if (!stack.kafkaBrokers || !stack.schemaRegistryUrl) {
    throw new Error(
      'no Kafka broker or schema registry: run scripts/stack/stack up (or set FLOWFORGE_TEST_KAFKA_BROKERS and FLOWFORGE_TEST_SCHEMA_REGISTRY_URL)',
    );
  }
  buildIfNeeded();
  const db = await scratchDatabase('ff_bench_webhook_dist');
  const home = mkdtempSync(path.join(os.tmpdir(), 'ff-bench-webhook-dist-'));
  const loadBefore = loadLine();
  const hosts: HostProcess[] = [];
  let observerPool: Pool | undefined;
  let observerBus: KafkaEventBus | undefined;
  try {
    const common = { ...distributedEnv(db, stack), FLOWFORGE_HOME: home };
    const executorToken = key32();
    const ports = { auth: await freePort(), catalog: await freePort(), orchestrator: await freePort(), triggers: await freePort(), gateway: await freePort() };
    const url = (service: keyof typeof ports): string => `http://127.0.0.1:${ports[service]}`;
    const services: [keyof typeof ports, Record<string, string>][] = [
      ['auth', { ...testAdminEnv }],
      ['catalog', { FLOWFORGE_EXECUTOR_TOKEN: executorToken, FLOWFORGE_MASTER_KEY: key32() }],
      ['orchestrator', {}],
      [
        'triggers',
        {
          FLOWFORGE_EXECUTOR_TOKEN: executorToken,
          FLOWFORGE_CATALOG_URL: url('catalog'),
          FLOWFORGE_TRIGGERS_SECRET_KEY: key32(),
          FLOWFORGE_ORCHESTRATOR_URL: url('orchestrator'),
        },
      ],
      [
        'gateway',
        {
          FLOWFORGE_AUTH_URL: url('auth'),
          FLOWFORGE_CATALOG_URL: url('catalog'),
          FLOWFORGE_ORCHESTRATOR_URL: url('orchestrator'),
          FLOWFORGE_TRIGGERS_URL: url('triggers'),
          FLOWFORGE_RATE_LIMIT_PER_SECOND: '0',
          FLOWFORGE_RATE_LIMIT_ANONYMOUS_PER_SECOND: '0',
        },
      ],
    ];
    const started = services.map(([name, env]) => {
      const host = spawnHost({ ...common, ...env, PORT: String(ports[name]) }, serviceMain(name));
      hosts.push(host);
      return [name, host] as const;
    });
    for (const [name, host] of started) await waitReady(url(name), host, 120_000);
    const base = url('gateway');
    const auth = bearer(await adminApiToken(base, 'bench'));
    const hook = await setUpWebhook(base, auth, 60_000);

    // The observer: a Kafka consumer group of its own (broadcast: it starts at the head of the topic and is
    // deleted at close), its inbox in a schema of its own in the scratch database.
    observerPool = new Pool({ connectionString: db.url, max: 4, application_name: 'bench' });
    observerPool.on('error', () => undefined); // the scratch database is dropped WITH (FORCE) at the end
    observerBus = new KafkaEventBus({
      brokers: stack.kafkaBrokers,
      clientId: 'ff-bench-webhook-observer',
      producer: 'bench',
      pool: observerPool,
      outboxSchema: 'ff_bench_observer',
      codec: new AvroCodec(new ConfluentSchemaRegistry({ url: stack.schemaRegistryUrl })),
      logger: quiet,
      metrics: new Registry(),
    });
    await observerBus.migrate();
    const running = new Map<string, number>();
    // Where the time goes: each event's occurredAt (its publisher's clock when it wrote the event to its
    // outbox; same machine) and when this process received it.
    const requested = new Map<string, { occurredAt: number; seen: number }>();
    const runningAt = new Map<string, number>();
    await observerBus.subscribe(RunStateChanged, { group: 'bench-observer', broadcast: true }, async (e) => {
      if (e.to === 'running' && !running.has(e.runId)) {
        running.set(e.runId, now());
        runningAt.set(e.runId, e.occurredAt);
      }
    });
    await observerBus.subscribe(RunRequested, { group: 'bench-observer', broadcast: true }, async (e) => {
      if (!requested.has(e.runId)) requested.set(e.runId, { occurredAt: e.occurredAt, seen: now() });
    });

    // How starved the machine is while it runs: the services' CPU use, and how late this process's timers fire.
    const pids = hosts.map((h) => h.child.pid!);
    const rounds: { figures: WebhookFigures; machine: string }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const loop = monitorEventLoopDelay({ resolution: 10 });
      let cpu0 = 0;
      let t0 = 0;
      let loadAt = '';
      if (round > 1) await sleep(1_000); // the previous round's runs finish their steps
      const figures = await driveWebhook(base, hook, running, {
        rate: RATE,
        seconds: SECONDS,
        warmup: round === 1 ? WARMUP_SECONDS * RATE : 0,
        warmupRate: RATE,
        round,
        onMeasureStart: () => {
          loadAt = loadLine();
          cpu0 = cpuSeconds(pids);
          t0 = now();
          loop.enable();
        },
      });
      loop.disable();
      const cpuUsed = cpuSeconds(pids) - cpu0;
      const wall = (now() - t0) / 1000;
      const machine = `load average ${loadAt} at its start; the five services used ${(cpuUsed / wall).toFixed(2)} of the ${os.cpus().length} cores (${cpuUsed.toFixed(1)} CPU s in ${wall.toFixed(1)} s); the bench process's event-loop delay p99 / max ${ms(loop.percentile(99) / 1e6)} / ${ms(loop.max / 1e6)}`;
      const { lat } = figures;
      console.log(`round ${round}: p50 / p95 / p99 / max ${ms(lat.p50)} / ${ms(lat.p95)} / ${ms(lat.p99)} / ${ms(lat.max)}; ${machine}`);
      rounds.push({ figures, machine });
    }
    const samples = rounds.flatMap((r) => r.figures.samples);
    const pooled = poolFigures(rounds.map((r) => r.figures));

    const stages = {
      'call start → 202': [] as number[],
      'call start → RunRequested written (triggers)': [] as number[],
      'RunRequested written → received from Kafka (triggers relay, broker, consumer)': [] as number[],
      'RunRequested received → RunStateChanged running written (orchestrator)': [] as number[],
      'RunStateChanged written → received from Kafka (orchestrator relay, broker, consumer)': [] as number[],
    };
    const [answeredS, writtenS, relayedS, orchestratedS, observedS] = Object.values(stages);
    for (const s of samples) {
      const r = s.runId ? requested.get(s.runId) : undefined;
      const seen = s.runId ? running.get(s.runId) : undefined;
      const written = s.runId ? runningAt.get(s.runId) : undefined;
      if (s.answeredAt !== undefined) answeredS!.push(s.answeredAt - s.at);
      if (!r || seen === undefined || written === undefined) continue;
      writtenS!.push(r.occurredAt - s.at);
      relayedS!.push(r.seen - r.occurredAt);
      orchestratedS!.push(written - r.seen);
      observedS!.push(seen - written);
    }
    const breakdown = Object.entries(stages).map(([stage, v]) => {
      const x = summarize(v);
      return `| ${stage} | ${ms(x.p50)} | ${ms(x.p95)} | ${ms(x.p99)} | ${ms(x.max)} |`;
    });
    console.log(breakdown.join('\n'));
    if (process.env.BENCH_DUMP) {
      // Per delivery, for a closer look: [ms since the first measured call, then each moment − the call's start].
      const first = Math.min(...samples.map((x) => x.at));
      const rows = samples.map((x) => {
        const r = x.runId ? requested.get(x.runId) : undefined;
        const w = x.runId ? runningAt.get(x.runId) : undefined;
        const seen = x.runId ? running.get(x.runId) : undefined;
        return [x.at - first, x.answeredAt, r?.occurredAt, r?.seen, w, seen].map((v, i) => (v === undefined ? null : i === 0 ? v : v - x.at));
      });
      writeFileSync(process.env.BENCH_DUMP, JSON.stringify(rows));
    }
    // The orchestrator's own account of its RunRequested handler (run creation and first dispatch, in the
    // consumer's transaction), from its bus metrics: every run of the bench, warm-up included.
    const handler = handlerLine(await fetch(`${url('orchestrator')}/metrics`).then((r) => r.text(), String), 'flowforge.run.requested', 'orchestrator');
    const loadAfter = loadLine();
    writeResults(
      'webhook-distributed',
      'webhook — signed delivery to a running run, distributed (`node bench/run.js bench/webhook-distributed.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machineLine(db)}; Kafka ${stack.kafkaBrokers.join(',')} and the registry on the same machine; load average before the run ${loadBefore}, after ${loadAfter}.`,
        `The gateway, auth, catalog, orchestrator and triggers services each in its own process (dist entry points, FLOWFORGE_BUS=kafka, default settings, the gateway's rate limits off; the builtin executor runs \`noop\` inside the orchestrator). The trigger and deliveries of the embedded figure: a webhook trigger (auth hmac, one mapped parameter) on a one-step \`noop\` workflow; ${WARMUP_SECONDS} s of warm-up deliveries at the same pace first (not measured). ${ROUNDS} measured rounds of ${SECONDS} s on the same services (the machine is shared: one round's tail can be another process's burst); the table pools them, each round's figures follow it.`,
      ],
      webhookRows(pooled, RATE, TARGET_P99_MS),
      [
        ...rounds.map(
          ({ figures: { lat }, machine }, i) =>
            `- round ${i + 1}: p50 / p95 / p99 / max ${ms(lat.p50)} / ${ms(lat.p95)} / ${ms(lat.p99)} / ${ms(lat.max)} (${verdict(lat.p99 <= TARGET_P99_MS)}); ${machine}.`,
        ),
        '',
        `${RATE} signed deliveries/s, open loop, through the gateway's POST /api/v1/hooks/{id}: the gateway reads the body raw and forwards it to the triggers service over HTTP, which checks the signature, the window and the replay key, records the firing and writes RunRequested to its outbox in one transaction and answers 202; its relay produces it to Kafka; the orchestrator consumes it, creates the run and dispatches its step to the builtin executor, writing RunStateChanged → running to its outbox; its relay produces that. Latency = receipt of RunStateChanged → running by the bench's own Kafka consumer group (a KafkaEventBus broadcast subscription, same process clock) − start of the delivery's HTTP call.`,
        '',
        `Where the time goes, all rounds (each stage's own percentiles, so they do not add up; "written" is the event's occurredAt, taken by its publisher when it writes the event to its outbox, millisecond clock of the same machine; "received" is this process's consumer, which also reads RunRequested in a broadcast group — the orchestrator's own consumer receives it at about the same moment):`,
        '',
        '| stage | p50 | p95 | p99 | max |',
        '|---|---|---|---|---|',
        ...breakdown,
        '',
        `The orchestrator's RunRequested handler (run created, step dispatched, RunStateChanged written, in the consumer's transaction; its bus metric ff_bus_handler_duration_seconds, warm-up included): ${handler}.`,
      ],
    );
  } finally {
    await observerBus?.close().catch(() => undefined);
    await observerPool?.end().catch(() => undefined);
    for (const h of hosts.reverse()) await stopHost(h).catch((err: unknown) => console.warn('stopping a service failed', err));
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Mean and the share over 50 ms of a bus handler, from a Prometheus text page. */
function handlerLine(metrics: string, topic: string, group: string): string {
  const value = (name: string, extra = ''): number => {
    const re = new RegExp(`^${name}\\{${extra}[^}]*topic="${topic.replace(/\./g, '\\.')}",group="${group}"\\} (\\S+)$`, 'm');
    return Number(re.exec(metrics)?.[1] ?? NaN);
  };
  const count = value('ff_bus_handler_duration_seconds_count');
  const sum = value('ff_bus_handler_duration_seconds_sum');
  const under50 = value('ff_bus_handler_duration_seconds_bucket', 'le="0.05",');
  const under100 = value('ff_bus_handler_duration_seconds_bucket', 'le="0.1",');
  return `${count} events, mean ${ms((sum / count) * 1000)}, ${count - under50} over 50 ms, ${count - under100} over 100 ms`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
