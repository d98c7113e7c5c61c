/**
 * PostgresEventBus benchmark: `node bench/run.js bench/bus-postgres.bench.ts`.
 * Uses DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres; creates and drops its own database.
 *  (a) throughput: N Avro events published in batches (publishMany), consumed by one group → events/s
 *      from the first publish to the last handler (target ≥ 5,000/s);
 *  (b) latency against the database's own, in the same run: single-event publishes without a
 *      transaction paced at 1,000/s, and as the baseline a single-row INSERT + NOTIFY (one autocommit
 *      statement) paced the same way from a pool of the same size, received by a LISTEN connection.
 *      The two alternate in slices (raw, bus, raw, bus, …) so that both meet the same background load
 *      of a shared machine. Measured: the commit acknowledgement (publish() resolving / the statement
 *      answering) and the delivery (handler called / notification received), each timed from the call
 *      (high-resolution time carried in the event). Targets: the bus's p99 ≤ 3× the baseline's p99,
 *      for both.
 * Writes its figures into bench/RESULTS.md (section "bus-postgres").
 */
import { Client, Pool } from 'pg';
import { Registry } from 'prom-client';
import { PostgresEventBus } from '@flowforge/bus';
import { AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import {
  BenchEventDef,
  loadLine,
  machineLine,
  ms,
  now,
  paced,
  quiet,
  ratioVerdict,
  scratchDatabase,
  sleep,
  summarize,
  verdict,
  writeResults,
  type ResultRow,
  type Summary,
} from './bench-kit';

const N = Number(process.env.BENCH_EVENTS ?? 50_000);
const RATE = 1_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 4);
const PUBLISH_POOL = Number(process.env.BENCH_PUBLISH_POOL ?? 16);
const PARTITIONS = 8;
const FACTOR = 3;
const KEYS = 100;

interface Kind {
  /** application_name of its publishing connections (for the wait-event sampler). */
  app: string;
  acks: number[];
  delivered: number[];
  roundAckP99: number[];
  roundDeliveredP99: number[];
  rates: number[];
  completedRates: number[];
  sent: number;
  failures: number;
  waits: Map<string, number>;
  samples: number;
}

const newKind = (app: string): Kind => ({
  app,
  acks: [],
  delivered: [],
  roundAckP99: [],
  roundDeliveredP99: [],
  rates: [],
  completedRates: [],
  sent: 0,
  failures: 0,
  waits: new Map(),
  samples: 0,
});

async function main(): Promise<void> {
  const db = await scratchDatabase('ff_bench');
  const loadBefore = loadLine();
  const pools: Pool[] = [];
  const buses: PostgresEventBus[] = [];
  const clients: Client[] = [];
  const pool = (max: number, app: string): Pool => {
    const u = new URL(db.url);
    u.searchParams.set('application_name', app);
    const p = new Pool({ connectionString: u.toString(), max });
    p.on('error', () => undefined); // the database is dropped WITH (FORCE) at the end
    pools.push(p);
    return p;
  };
  try {
    const mkBus = (p: Pool): PostgresEventBus => {
      const bus = new PostgresEventBus({
        pool: p,
        codec: new AvroCodec(new PostgresSchemaRegistry({ pool: p })),
        producer: 'bench',
        retentionIntervalMs: 0,
        logger: quiet,
        metrics: new Registry(),
      });
      buses.push(bus);
      return bus;
    };
    const publisherPool = pool(PUBLISH_POOL, 'bench-bus-pub');
    const publisher = mkBus(publisherPool);
    const consumer = mkBus(pool(12, 'bench-bus-sub'));
    await new PostgresSchemaRegistry({ pool: publisherPool }).migrate();
    await publisher.migrate();

    // (a) throughput
    const tTopic = 'flowforge.bench.throughput';
    await publisher.ensureTopic(tTopic, { partitions: PARTITIONS });
    let consumed = 0;
    let lastAt = 0;
    let allDone!: () => void;
    const done = new Promise<void>((r) => (allDone = r));
    const tSub = await consumer.subscribe(BenchEventDef, { group: 'bench-throughput', topic: tTopic }, async () => {
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
    await tSub.close(); // its idle workers would poll through the latency phase
    const throughput = {
      publishSeconds: (publishedAt - t0) / 1000,
      endToEndSeconds: (lastAt - t0) / 1000,
      publishRate: N / ((publishedAt - t0) / 1000),
      endToEndRate: N / ((lastAt - t0) / 1000),
    };
    console.log(`throughput: ${N} events end-to-end in ${throughput.endToEndSeconds.toFixed(2)} s`);

    // (b) latency: the bus and its raw baseline, alternating.
    const lTopic = 'flowforge.bench.latency';
    await publisher.ensureTopic(lTopic, { partitions: PARTITIONS });
    const bus = newKind('bench-bus-pub');
    const raw = newKind('bench-raw-pub');
    const ins = newKind('bench-ins-pub');
    let busReceived = 0;
    await consumer.subscribe(BenchEventDef, { group: 'bench-latency', topic: lTopic }, async (ev) => {
      bus.delivered.push(now() - ev.sentAt);
      busReceived++;
    });
    const rawPool = pool(PUBLISH_POOL, raw.app);
    const insPool = pool(PUBLISH_POOL, ins.app);
    for (const table of ['bench_raw', 'bench_ins']) {
      await rawPool.query(
        `CREATE TABLE ${table} (id bigserial PRIMARY KEY, key text NOT NULL, payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
      );
    }
    const rawSentAt = new Map<number, number>();
    let rawReceived = 0;
    const listener = new Client({ connectionString: db.url });
    clients.push(listener);
    await listener.connect();
    listener.on('notification', (n) => {
      const at = rawSentAt.get(Number(n.payload));
      if (at === undefined) return;
      raw.delivered.push(now() - at);
      rawReceived++;
    });
    await listener.query('LISTEN bench_raw');
    const payload = (await new AvroCodec(new PostgresSchemaRegistry({ pool: publisherPool })).encode(BenchEventDef, {
      eventId: '00000000-0000-4000-8000-000000000000',
      occurredAt: Date.now(),
      producer: 'bench',
      traceparent: null,
      schemaVersion: 1,
      seq: 0,
      key: 'run-0',
      sentAt: now(),
    })) as Buffer;

    // Wait events of each kind's publishing backends, sampled through the slices (where time goes).
    const sampler = pool(1, 'bench-sampler');
    let sampling: Kind | null = null;
    let samplerStop = false;
    const samplerLoop = (async () => {
      while (!samplerStop) {
        const kind = sampling as Kind | null;
        if (kind) {
          const { rows } = await sampler.query<{ w: string; n: number }>(
            `SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS w, count(*)::int AS n FROM pg_stat_activity
             WHERE application_name = $1 AND state = 'active' GROUP BY 1`,
            [kind.app],
          );
          kind.samples++;
          for (const r of rows) kind.waits.set(r.w, (kind.waits.get(r.w) ?? 0) + r.n);
        }
        await sleep(10);
      }
    })();

    const perSlice = RATE * SLICE_SECONDS;
    const settle = async (received: () => number, expected: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (received() < expected && Date.now() < deadline) await sleep(10);
    };
    let seqBase = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Raw: one autocommit statement per event, inserting the same bytes and notifying its sequence.
      {
        const base = seqBase;
        seqBase += perSlice;
        const before = raw.acks.length;
        const deliveredBefore = raw.delivered.length;
        sampling = raw;
        const r = await paced(perSlice, RATE, (i) => {
          const seq = base + i;
          rawSentAt.set(seq, now());
          return rawPool.query(`WITH i AS (INSERT INTO bench_raw (key, payload) VALUES ($1, $2)) SELECT pg_notify('bench_raw', $3)`, [
            `run-${seq % KEYS}`,
            payload,
            String(seq),
          ]);
        });
        sampling = null;
        raw.sent += perSlice;
        await settle(() => rawReceived, raw.sent - r.failures);
        raw.acks.push(...r.acks);
        raw.failures += r.failures;
        raw.rates.push(r.rate);
        raw.completedRates.push(r.completedRate);
        raw.roundAckP99.push(summarize(raw.acks.slice(before)).p99);
        raw.roundDeliveredP99.push(summarize(raw.delivered.slice(deliveredBefore)).p99);
      }
      // The database alone: the same INSERT without NOTIFY (no server-wide lock through the commit).
      {
        const before = ins.acks.length;
        sampling = ins;
        const r = await paced(perSlice, RATE, (i) => insPool.query(`INSERT INTO bench_ins (key, payload) VALUES ($1, $2)`, [`run-${i % KEYS}`, payload]));
        sampling = null;
        ins.sent += perSlice;
        ins.acks.push(...r.acks);
        ins.failures += r.failures;
        ins.rates.push(r.rate);
        ins.completedRates.push(r.completedRate);
        ins.roundAckP99.push(summarize(ins.acks.slice(before)).p99);
      }
      // The bus: publish() without a transaction, the same pace, keys and pool size.
      {
        const base = seqBase;
        seqBase += perSlice;
        const before = bus.acks.length;
        const deliveredBefore = bus.delivered.length;
        sampling = bus;
        const r = await paced(perSlice, RATE, (i) => {
          const seq = base + i;
          const key = `run-${seq % KEYS}`;
          return publisher.publish(BenchEventDef, { seq, key, sentAt: now() }, { key, topic: lTopic });
        });
        sampling = null;
        bus.sent += perSlice;
        await settle(() => busReceived, bus.sent - r.failures);
        bus.acks.push(...r.acks);
        bus.failures += r.failures;
        bus.rates.push(r.rate);
        bus.completedRates.push(r.completedRate);
        bus.roundAckP99.push(summarize(bus.acks.slice(before)).p99);
        bus.roundDeliveredP99.push(summarize(bus.delivered.slice(deliveredBefore)).p99);
      }
      console.log(
        `round ${round + 1}: raw ack p99 ${ms(raw.roundAckP99[round]!)}, delivered p99 ${ms(raw.roundDeliveredP99[round]!)}; ` +
          `insert ack p99 ${ms(ins.roundAckP99[round]!)}; ` +
          `bus ack p99 ${ms(bus.roundAckP99[round]!)}, delivered p99 ${ms(bus.roundDeliveredP99[round]!)}`,
      );
    }
    samplerStop = true;
    await samplerLoop;
    const loadAfter = loadLine();

    const rawAck = summarize(raw.acks);
    const rawDel = summarize(raw.delivered);
    const insAck = summarize(ins.acks);
    const busAck = summarize(bus.acks);
    const busDel = summarize(bus.delivered);
    const minRate = (k: Kind): number => Math.min(...k.completedRates);
    // The pace held when every slice's answers kept up with it (90 %: a slice of a few seconds ends
    // with the last answers still in flight).
    const held = (k: Kind): boolean => minRate(k) >= 0.9 * RATE && k.failures === 0;
    const line = (s: Summary): string => `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
    const list = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
    const pace = (k: Kind): string => `${Math.min(...k.rates).toFixed(0)} / ${minRate(k).toFixed(0)}`;
    const waits = (k: Kind): string =>
      [...k.waits]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5)
        .map(([w, n]) => `${w} ${(n / Math.max(1, k.samples)).toFixed(2)}`)
        .join(', ');
    const rows: ResultRow[] = [
      ['throughput, publishMany (500/batch) only', `${throughput.publishRate.toFixed(0)} events/s`, '—', ''],
      [
        'throughput, end to end (publish → handler)',
        `${throughput.endToEndRate.toFixed(0)} events/s`,
        '≥ 5,000 events/s',
        verdict(throughput.endToEndRate >= 5000),
      ],
      ['baseline INSERT + NOTIFY: statement answered p50 / p99 / max', line(rawAck), '—', ''],
      ['baseline INSERT + NOTIFY: notification received p50 / p99 / max', line(rawDel), '—', ''],
      ['baseline INSERT alone: statement answered p50 / p99 / max', line(insAck), '—', ''],
      ['bus: publish() resolved p50 / p99 / max', line(busAck), '', ''],
      ['bus: handler called p50 / p95 / p99 / max', `${ms(busDel.p50)} / ${ms(busDel.p95)} / ${ms(busDel.p99)} / ${ms(busDel.max)}`, '', ''],
      [
        'ratio at p99: publish() resolved / INSERT + NOTIFY answered',
        (busAck.p99 / rawAck.p99).toFixed(2),
        `≤ ${FACTOR}`,
        ratioVerdict(busAck.p99, rawAck.p99, FACTOR, held(raw)),
      ],
      [
        'ratio at p99: handler called / NOTIFY received',
        (busDel.p99 / rawDel.p99).toFixed(2),
        `≤ ${FACTOR}`,
        ratioVerdict(busDel.p99, rawDel.p99, FACTOR, held(raw)),
      ],
      [
        'ratio at p99: publish() resolved / INSERT alone answered',
        (busAck.p99 / insAck.p99).toFixed(2),
        `≤ ${FACTOR}`,
        ratioVerdict(busAck.p99, insAck.p99, FACTOR, held(ins)),
      ],
      [
        'p99 per round: INSERT + NOTIFY answered / INSERT alone answered / publish() resolved',
        `${list(raw.roundAckP99)} / ${list(ins.roundAckP99)} / ${list(bus.roundAckP99)} ms`,
        '',
        '',
      ],
      ['p99 per round: NOTIFY received / handler called', `${list(raw.roundDeliveredP99)} / ${list(bus.roundDeliveredP99)} ms`, '', ''],
      [
        'pace started / completed, slowest slice: INSERT + NOTIFY; INSERT alone; bus',
        `${pace(raw)}; ${pace(ins)}; ${pace(bus)} events/s`,
        `${RATE}/s`,
        verdict(held(bus)),
      ],
      [
        'events delivered / sent (INSERT + NOTIFY; bus)',
        `${raw.delivered.length} / ${raw.sent}; ${bus.delivered.length} / ${bus.sent}`,
        'all',
        verdict(raw.delivered.length === raw.sent && bus.delivered.length === bus.sent),
      ],
    ];
    writeResults(
      'bus-postgres',
      'bus-postgres — PostgresEventBus against INSERT + NOTIFY (`node bench/run.js bench/bus-postgres.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machineLine(db)}; load average before the run ${loadBefore}, after ${loadAfter}.`,
        `One publisher bus (pool ${PUBLISH_POOL}) and one consumer bus (pool 12, one group member owning all ${PARTITIONS} partitions, batches of 500), Avro via AvroCodec + PostgresSchemaRegistry, handlers doing no I/O.`,
      ],
      rows,
      [
        `(a) ${N} events, keys k0..k999, publishMany batches of 500, timed from first publish to last handler (publishing took ${throughput.publishSeconds.toFixed(2)} s, end to end ${throughput.endToEndSeconds.toFixed(2)} s).`,
        `(b) ${ROUNDS} rounds, each a ${SLICE_SECONDS} s slice of INSERT + NOTIFY, one of INSERT alone, then one of the bus, each paced open-loop at ${RATE} events/s over keys run-0..run-${KEYS - 1} from a pool of ${PUBLISH_POOL}; percentiles over all rounds. ` +
          `Baselines: one autocommit \`WITH i AS (INSERT INTO bench_raw …) SELECT pg_notify(…)\` per event (the same ${payload.length}-byte Avro frame), received by one LISTEN connection; the same INSERT without NOTIFY. ` +
          `Bus: \`publish()\` without a transaction (Avro encode, append to one of ${PARTITIONS} partitions, those arriving while the partition's statement is in flight going in the next one, libs/bus/src/publish.combiner.ts; wake-up NOTIFY), the handler runs in the consumer's batch transaction. ` +
          `Times run from the call to the answer / to the receipt (performance.timeOrigin + performance.now(), same process). A ratio gets no verdict when the baseline itself could not keep the pace.`,
        `Wait events of the publishing backends (mean backends per 10 ms sample; "on CPU" = active, no wait): INSERT + NOTIFY — ${waits(raw) || 'none seen'}; INSERT alone — ${waits(ins) || 'none seen'}; bus — ${waits(bus) || 'none seen'}.`,
      ],
    );
  } finally {
    for (const b of buses) await b.close();
    for (const c of clients) await c.end().catch(() => undefined);
    for (const p of pools) await p.end();
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
