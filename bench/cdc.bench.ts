/**
 * CDC trigger latency: `node bench/run.js bench/cdc.bench.ts` (needs `scripts/stack/stack up`: Kafka,
 * Kafka Connect with Debezium, PostgreSQL with wal_level=logical; MariaDB with its binlog when
 * FLOWFORGE_TEST_MARIADB_URL is set). For each database: one `cdc` trigger (services/triggers/src/cdc)
 * on a table of a scratch database, windowMs 100, a recording emit; single-row INSERTs in autocommit,
 * paced open-loop at BENCH_CDC_RATE per second for BENCH_CDC_SECONDS; latency = the emit naming the
 * row's key − the INSERT's answer (the commit), same process clock → p50/p95/p99/max.
 * Target: "CDC insert committed → emit: p99 ≤ 2 s". Writes bench/RESULTS.md (section "cdc").
 */
import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Pool } from 'pg';
import { discoverStack } from '@flowforge/testing';
import type { FireOutcome, SourceEvent } from '../services/triggers/src/core/event-source';
import type { CdcBatchPayload } from '../services/triggers/src/cdc/cdc-batch.window';
import { cdcConfigSchema } from '../services/triggers/src/cdc/cdc.config';
import type { CdcConnection } from '../services/triggers/src/cdc/cdc-connection.port';
import { CdcSource } from '../services/triggers/src/cdc/cdc.source';
import { loadLine, machineLine, ms, now, paced, scratchDatabase, sleep, summarize, verdict, writeResults, type ResultRow } from './bench-kit';

const RATE = Number(process.env.BENCH_CDC_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_CDC_SECONDS ?? 20);
const WINDOW_MS = 100;
const TARGET_P99_MS = 2_000;

interface Measured {
  name: string;
  samples: number[];
  sent: number;
  batches: number;
  paceCompleted: number;
  startMs: number;
}

async function measure(name: string, source: CdcSource, connection: string, table: string, insert: (id: number) => Promise<unknown>): Promise<Measured> {
  const committedAt = new Map<number, number>();
  const samples: number[] = [];
  let batches = 0;
  const emit = async (event: SourceEvent): Promise<FireOutcome> => {
    const at = now();
    batches++;
    for (const key of (event.payload as CdcBatchPayload).keys) {
      const c = committedAt.get(key as number);
      if (c !== undefined) samples.push(at - c);
    }
    return { firingId: randomUUID(), matched: true, reason: 'bench', runId: null };
  };
  const trigger = {
    id: randomUUID(),
    name: `bench ${name}`,
    workflow: 'bench',
    type: 'cdc',
    config: cdcConfigSchema.parse({ connection, tables: [table], windowMs: WINDOW_MS }),
  };
  const t0 = now();
  const handle = await source.start(trigger, emit);
  const startMs = now() - t0;
  try {
    const total = RATE * SECONDS;
    const run = await paced(total, RATE, async (seq) => {
      await insert(seq);
      committedAt.set(seq, now());
    });
    const deadline = Date.now() + 30_000;
    while (samples.length < total - run.failures && Date.now() < deadline) await sleep(100);
    return { name, samples, sent: total - run.failures, batches, paceCompleted: run.completedRate, startMs };
  } finally {
    await handle.stop();
    await source.remove(trigger);
  }
}

async function main(): Promise<void> {
  const stack = discoverStack();
  if (!stack.kafkaBrokers || !stack.kafkaConnectUrl)
    throw new Error('no Kafka or Kafka Connect: run scripts/stack/stack up (FLOWFORGE_TEST_KAFKA_BROKERS, FLOWFORGE_TEST_KAFKA_CONNECT_URL)');
  const db = await scratchDatabase('ff_bench_cdc');
  const loadBefore = loadLine();
  const connections = new Map<string, CdcConnection>();
  const source = new CdcSource({
    connectUrl: stack.kafkaConnectUrl,
    kafkaBrokers: stack.kafkaBrokers,
    resolver: { resolve: async (n) => connections.get(n)! },
  });
  const results: Measured[] = [];
  const pool = new Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => undefined);
  try {
    await pool.query('create table bench_rows (id int primary key, payload text not null)');
    const u = new URL(db.url);
    connections.set('pg', {
      type: 'postgres',
      host: u.hostname,
      port: Number(u.port || 5432),
      database: u.pathname.slice(1),
      user: decodeURIComponent(u.username),
    });
    results.push(
      await measure('PostgreSQL', source, 'pg', 'public.bench_rows', (id) => pool.query('insert into bench_rows values ($1, $2)', [id, 'x'.repeat(100)])),
    );

    if (stack.mariadbUrl) {
      const m = new URL(stack.mariadbUrl);
      const base = { host: m.hostname, port: Number(m.port || 3306), user: decodeURIComponent(m.username) || 'root', password: decodeURIComponent(m.password) };
      const database = `ff_bench_cdc_${Date.now().toString(36)}`;
      const c = await createConnection(base);
      try {
        await c.query(`create database ${database}`);
        await c.query(`create table ${database}.bench_rows (id int primary key, payload text not null)`);
        connections.set('maria', { type: 'mysql', ...base, password: base.password || undefined });
        let chain: Promise<unknown> = Promise.resolve();
        // One connection: statements queue on it, in order, as autocommit transactions.
        const insert = (id: number) => (chain = chain.then(() => c.query(`insert into ${database}.bench_rows values (?, ?)`, [id, 'x'.repeat(100)])));
        results.push(await measure('MariaDB', source, 'maria', `${database}.bench_rows`, insert));
      } finally {
        await c.query(`drop database if exists ${database}`).catch(() => undefined);
        await c.end();
      }
    }
  } finally {
    await pool.end();
    await db.drop();
  }

  const rows: ResultRow[] = [];
  for (const r of results) {
    const s = summarize(r.samples);
    rows.push([`${r.name}: insert committed → emit p50 / p95 / p99 / max`, `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}`, '', '']);
    rows.push([`${r.name}: insert committed → emit p99`, ms(s.p99), `≤ ${TARGET_P99_MS} ms`, verdict(s.p99 <= TARGET_P99_MS && s.n === r.sent)]);
    rows.push([`${r.name}: rows seen in an emit / inserted`, `${s.n} / ${r.sent}`, 'all', verdict(s.n === r.sent)]);
    rows.push([`${r.name}: emits (batches of windowMs ${WINDOW_MS})`, String(r.batches), '—', '']);
    rows.push([`${r.name}: start (connector created and holding its position)`, `${(r.startMs / 1000).toFixed(1)} s`, '—', '']);
    rows.push([`${r.name}: inserts completed per second`, r.paceCompleted.toFixed(0), `${RATE}/s`, verdict(r.paceCompleted >= RATE * 0.95)]);
  }
  writeResults(
    'cdc',
    'cdc — database change → trigger emit through Debezium (`node bench/run.js bench/cdc.bench.ts`)',
    [
      `Run ${new Date().toISOString()} on ${machineLine(db)}; load average before the run ${loadBefore}, after ${loadLine()}; Kafka, Kafka Connect (Debezium) from scripts/stack on the same machine.`,
      `One cdc trigger per database (services/triggers/src/cdc), windowMs ${WINDOW_MS}, a recording emit; single-row autocommit INSERTs paced open-loop at ${RATE}/s for ${SECONDS} s.`,
    ],
    rows,
    [
      'Latency = the time the emit naming the row arrived − the time its INSERT answered (committed), same process clock. It holds the window (the first change of a window waits up to windowMs), Debezium reading the log, Connect producing to Kafka and the consumer fetching.',
    ],
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
