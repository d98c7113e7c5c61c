/**
 * PostgresEventBus benchmark: `node bench/run.js bench/bus-postgres.bench.ts`.
 * Uses DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres; creates and drops its own database.
 *  (a) throughput: N Avro events published in batches (publishMany), consumed by one group → events/s
 *      from the first publish to the last handler (target ≥ 5,000/s);
 *  (b) latency: single-event publishes (each its own transaction) at a steady 1,000/s for 10 s;
 *      the handler records now − sentAt (high-resolution time carried in the payload) → p50/p95/p99
 *      (target p99 ≤ 50 ms).
 * Writes its figures into bench/RESULTS.md (section "bus-postgres").
 */
import os from 'node:os';
import { Client, escapeIdentifier, Pool } from 'pg';
import { Registry } from 'prom-client';
import { PostgresEventBus } from '@flowforge/bus';
import { AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import { BenchEventDef, now, percentile, quiet, verdict, writeResults, type ResultRow } from './bench-kit';

const N = Number(process.env.BENCH_EVENTS ?? 50_000);
const RATE = 1_000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `ff_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${escapeIdentifier(dbName)}`);
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  const settings = await admin.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers')`,
  );
  const pools: Pool[] = [];
  const buses: PostgresEventBus[] = [];
  try {
    const pgInfo = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
    const mkBus = (max: number): PostgresEventBus => {
      const pool = new Pool({ connectionString: url, max });
      pool.on('error', () => undefined); // the database is dropped WITH (FORCE) at the end
      pools.push(pool);
      const registry = new PostgresSchemaRegistry({ pool });
      const bus = new PostgresEventBus({
        pool,
        codec: new AvroCodec(registry),
        producer: 'bench',
        retentionIntervalMs: 0,
        logger: quiet,
        metrics: new Registry(),
      });
      buses.push(bus);
      return bus;
    };
    const publisher = mkBus(Number(process.env.BENCH_PUBLISH_POOL ?? 16));
    const consumer = mkBus(12);
    await new PostgresSchemaRegistry({ pool: pools[0]! }).migrate();
    await publisher.migrate();

    // (a) throughput
    const tTopic = 'flowforge.bench.throughput';
    await publisher.ensureTopic(tTopic, { partitions: 8 });
    let consumed = 0;
    let lastAt = 0;
    let allDone!: () => void;
    const done = new Promise<void>((r) => (allDone = r));
    await consumer.subscribe(BenchEventDef, { group: 'bench-throughput', topic: tTopic }, async () => {
      if (++consumed === N) {
        lastAt = now();
        allDone();
      }
    });
    const batch = 500;
    const t0 = now();
    for (let start = 0; start < N; start += batch) {
      const items = [];
      for (let seq = start; seq < Math.min(N, start + batch); seq++) {
        const key = `k${seq % 1000}`;
        items.push({ key, event: { seq, key, sentAt: now() } });
      }
      await publisher.publishMany(BenchEventDef, items, { topic: tTopic });
    }
    const publishedAt = now();
    await done;
    const throughput = {
      events: N,
      publishSeconds: (publishedAt - t0) / 1000,
      endToEndSeconds: (lastAt - t0) / 1000,
      publishRate: N / ((publishedAt - t0) / 1000),
      endToEndRate: N / ((lastAt - t0) / 1000),
    };
    console.log(`throughput: ${N} events end-to-end in ${throughput.endToEndSeconds.toFixed(2)} s`);

    // (b) latency at a steady rate, single-event publishes (each its own transaction)
    const lTopic = 'flowforge.bench.latency';
    await publisher.ensureTopic(lTopic, { partitions: 8 });
    const latencies: number[] = [];
    const publishAcks: number[] = [];
    await consumer.subscribe(BenchEventDef, { group: 'bench-latency', topic: lTopic }, async (ev) => {
      latencies.push(now() - ev.sentAt);
    });
    const total = RATE * LATENCY_SECONDS;
    let sent = 0;
    const lStart = now();
    const inflight = new Set<Promise<unknown>>();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((now() - lStart) / 1000) * RATE));
      while (sent < due) {
        const seq = sent++;
        const key = `run-${seq % 100}`;
        const sentAt = now();
        const p = publisher
          .publish(BenchEventDef, { seq, key, sentAt }, { key, topic: lTopic })
          .then(() => publishAcks.push(now() - sentAt));
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
    const actualRate = total / ((now() - lStart) / 1000);
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const sorted = [...latencies].sort((a, b) => a - b);
    const latency = {
      events: total,
      received: latencies.length,
      rate: actualRate,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]!,
    };
    const acks = [...publishAcks].sort((a, b) => a - b);

    const rows: ResultRow[] = [
      ['throughput, publishMany (500/batch) only', `${throughput.publishRate.toFixed(0)} events/s`, '—', ''],
      ['throughput, end to end (publish → handler)', `${throughput.endToEndRate.toFixed(0)} events/s`, '≥ 5,000 events/s', verdict(throughput.endToEndRate >= 5000)],
      [`latency p50 @ ${latency.rate.toFixed(0)} events/s`, `${latency.p50.toFixed(1)} ms`, '', ''],
      ['latency p95', `${latency.p95.toFixed(1)} ms`, '', ''],
      ['latency p99', `${latency.p99.toFixed(1)} ms`, '≤ 50 ms', verdict(latency.p99 <= 50)],
      ['latency max', `${latency.max.toFixed(1)} ms`, '', ''],
      ['publish() ack time p50 / p99 (same run)', `${percentile(acks, 50).toFixed(1)} / ${percentile(acks, 99).toFixed(1)} ms`, '', ''],
      ['latency events received / sent', `${latency.received} / ${latency.events}`, 'all', verdict(latency.received === latency.events)],
    ];
    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${pgInfo.server_version} (fsync=${pgInfo.fsync}, synchronous_commit=${pgInfo.synchronous_commit}) on the same machine`;
    writeResults(
      'bus-postgres',
      'bus-postgres — PostgresEventBus (`node bench/run.js bench/bus-postgres.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machine}.`,
        `One publisher bus (pool 16) and one consumer bus (pool 12, one group member owning all 8 partitions, batches of 500), Avro via AvroCodec + PostgresSchemaRegistry, handlers doing no I/O.`,
      ],
      rows,
      [
        `(a) ${N} events, keys k0..k999, publishMany batches of 500, timed from first publish to last handler (publishing took ${throughput.publishSeconds.toFixed(2)} s, end to end ${throughput.endToEndSeconds.toFixed(2)} s).`,
        `(b) ${latency.events} single-event publishes (each its own autocommit transaction) paced at ${RATE}/s for ${LATENCY_SECONDS} s; latency = handler time − sentAt (performance.timeOrigin + performance.now(), same process).`,
      ],
    );
  } finally {
    for (const b of buses) await b.close();
    for (const p of pools) await p.end();
    await admin.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(dbName)} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
