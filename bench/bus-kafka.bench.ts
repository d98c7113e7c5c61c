/**
 * KafkaEventBus benchmark: `node bench/run.js bench/bus-kafka.bench.ts` (needs `scripts/stack/stack up`:
 * the broker, and the schema registry when there is one; DATABASE_URL or the machine's PostgreSQL).
 *  (a) baseline: kafkajs alone producing the same Avro frames as raw bytes (idempotent producer, acks=all,
 *      batches of the relay's size, one request in flight — what the relay does) and one consumer
 *      counting them → events/s from the first send to the last message consumed;
 *  (b) the bus: the same events through publishMany (Avro encode + outbox insert, 500 per statement) →
 *      outbox relay → Kafka → consumer chunks (inbox rows + handler in one transaction) → events/s from
 *      the first publish to the last handler (target ≥ 20,000/s), and the ratio to (a);
 *  (c) where the difference goes: Avro encode and decode alone, the publish phase, the relay's drain
 *      time, and the consumer's lag behind the relay;
 *  (d) latency against raw kafkajs in the same run, alternating slices so both meet the same background
 *      load: single-event publishes without a transaction paced at 1,000/s, outbox relay included,
 *      the handler records now − sentAt; the baseline is kafkajs alone at the same pace (the producer
 *      of (a), each send carrying what the pace made due while the previous send was in flight, the way
 *      the relay batches) to a consumer recording now − sentAt → p50/p95/p99; target: the bus's p99
 *      ≤ 3× the baseline's p99.
 * Writes its figures into bench/RESULTS.md (section "bus-kafka").
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { KafkaEventBus } from '@flowforge/bus';
import { AvroCodec, ConfluentSchemaRegistry, PostgresSchemaRegistry, type SchemaRegistry } from '@flowforge/contracts';
import { discoverStack } from '@flowforge/testing';
import {
  BenchEventDef,
  loadLine,
  machineLine,
  ms,
  now,
  paced,
  ratioVerdict,
  summarize,
  quiet,
  scratchDatabase,
  sleep,
  verdict,
  writeResults,
  type BenchEvent,
  type ResultRow,
} from './bench-kit';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const RATE = 1_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 4);
const FACTOR = 3;
const PARTITIONS = 8;
const BATCH = 500;

async function main(): Promise<void> {
  const stack = discoverStack();
  if (!stack.kafkaBrokers) throw new Error('no Kafka broker: run scripts/stack/stack up (or set FLOWFORGE_TEST_KAFKA_BROKERS)');
  const brokers = stack.kafkaBrokers;
  const db = await scratchDatabase('ff_bench_kafka');
  const loadBefore = loadLine();
  const runId = randomUUID().slice(0, 8);
  const pools: Pool[] = [];
  const buses: KafkaEventBus[] = [];
  const kafka = new Kafka({ clientId: `ff-bench-raw-${runId}`, brokers, logLevel: logLevel.NOTHING });
  try {
    const pool = (max: number): Pool => {
      const p = new Pool({ connectionString: db.url, max });
      p.on('error', () => undefined); // the scratch database is dropped WITH (FORCE) at the end
      pools.push(p);
      return p;
    };
    let registry: SchemaRegistry;
    let registryName: string;
    if (stack.schemaRegistryUrl) {
      registry = new ConfluentSchemaRegistry({ url: stack.schemaRegistryUrl });
      registryName = `Confluent-compatible registry at ${stack.schemaRegistryUrl}`;
    } else {
      const r = new PostgresSchemaRegistry({ pool: pool(2) });
      await r.migrate();
      registry = r;
      registryName = 'PostgresSchemaRegistry (no registry server found)';
    }
    const codec = new AvroCodec(registry);
    const mkBus = (schema: string, max: number): KafkaEventBus => {
      const bus = new KafkaEventBus({
        brokers,
        clientId: `ff-bench-${runId}`,
        producer: 'bench',
        pool: pool(max),
        outboxSchema: schema,
        codec,
        defaultPartitions: PARTITIONS,
        defaultRetentionMs: 3600_000,
        groupIdPrefix: `ff-bench-${runId}.`,
        consumer: {
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 5_000,
          heartbeatIntervalMs: 1_000,
          maxWaitTimeMs: 100,
          partitionsConsumedConcurrently: PARTITIONS,
        },
        relay: { batchSize: Number(process.env.BENCH_RELAY_BATCH ?? BATCH) },
        logger: quiet,
        metrics: new Registry(),
      });
      buses.push(bus);
      return bus;
    };
    const events = (count: number, topicKeyMod = 1000): { key: string; event: { seq: number; key: string; sentAt: number } }[] =>
      Array.from({ length: count }, (_, seq) => {
        const key = `k${seq % topicKeyMod}`;
        return { key, event: { seq, key, sentAt: now() } };
      });

    // (c1) Avro alone: encode and decode the N events (schema id cached after the first).
    const sample = events(N);
    const full: BenchEvent[] = sample.map(({ event }) => ({
      ...event,
      eventId: randomUUID(),
      occurredAt: Date.now(),
      producer: 'bench',
      traceparent: null,
      schemaVersion: 1,
    }));
    await codec.encode(BenchEventDef, full[0]!);
    let t = now();
    const frames: Buffer[] = [];
    for (const e of full) frames.push(await codec.encode(BenchEventDef, e));
    const encodeSeconds = (now() - t) / 1000;
    t = now();
    for (const f of frames) await codec.decode(BenchEventDef, f);
    const decodeSeconds = (now() - t) / 1000;
    const frameBytes = frames.reduce((n, f) => n + f.length, 0) / frames.length;

    // (a) baseline: raw kafkajs, same frames, same batching as the relay.
    const admin = kafka.admin();
    await admin.connect();
    const rawTopic = `flowforge.bench.raw.${runId}`;
    await admin.createTopics({ topics: [{ topic: rawTopic, numPartitions: PARTITIONS }], waitForLeaders: true });
    await admin.disconnect();
    const rawConsumer = kafka.consumer({ groupId: `ff-bench-raw-${runId}`, maxWaitTimeInMs: 100 });
    await rawConsumer.connect();
    await rawConsumer.subscribe({ topics: [rawTopic], fromBeginning: true });
    let rawConsumed = 0;
    let rawLastAt = 0;
    let rawDone!: () => void;
    const rawAll = new Promise<void>((r) => (rawDone = r));
    await rawConsumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        rawConsumed += batch.messages.length;
        if (rawConsumed >= N) {
          rawLastAt = now();
          rawDone();
        }
      },
    });
    const rawProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await rawProducer.connect();
    await sleep(2_000); // let the consumer join before timing
    const r0 = now();
    for (let start = 0; start < N; start += BATCH) {
      const messages = [];
      for (let i = start; i < Math.min(N, start + BATCH); i++) messages.push({ key: sample[i]!.key, value: frames[i]! });
      await rawProducer.sendBatch({ topicMessages: [{ topic: rawTopic, messages }], acks: -1 });
    }
    const rawProducedAt = now();
    await rawAll;
    await Promise.all([rawProducer.disconnect(), rawConsumer.disconnect()]);
    const raw = { produceSeconds: (rawProducedAt - r0) / 1000, endToEndSeconds: (rawLastAt - r0) / 1000 };

    // (b) the bus, end to end.
    const publisher = mkBus('ff_bench_pub', 8);
    const consumerBus = mkBus('ff_bench_sub', 12);
    await Promise.all([publisher.migrate(), consumerBus.migrate()]);
    const topic = `flowforge.bench.bus.${runId}`;
    await publisher.ensureTopic(topic, { partitions: PARTITIONS });
    let consumed = 0;
    let lastAt = 0;
    let allDone!: () => void;
    const done = new Promise<void>((r) => (allDone = r));
    await consumerBus.subscribe(BenchEventDef, { group: 'bench-throughput', topic }, async () => {
      if (++consumed === N) {
        lastAt = now();
        allDone();
      }
    });
    await sleep(2_000);
    const outboxPool = pool(2);
    let drainedAt = 0;
    const watchDrain = (async () => {
      for (;;) {
        const { rows } = await outboxPool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_bench_pub.outbox WHERE sent_at IS NULL AND topic = $1`, [
          topic,
        ]);
        if (rows[0]!.n === 0 && consumed > 0) return (drainedAt = now());
        await sleep(20);
      }
    })();
    const t0 = now();
    for (let start = 0; start < N; start += BATCH) {
      await publisher.publishMany(BenchEventDef, sample.slice(start, start + BATCH), { topic });
    }
    const publishedAt = now();
    await done;
    await watchDrain;
    const bus = {
      publishSeconds: (publishedAt - t0) / 1000,
      relaySeconds: (drainedAt - t0) / 1000,
      endToEndSeconds: (lastAt - t0) / 1000,
    };
    const busRate = N / bus.endToEndSeconds;
    const rawRate = N / raw.endToEndSeconds;
    console.log(`bus: ${N} events in ${bus.endToEndSeconds.toFixed(2)} s; raw kafkajs: ${raw.endToEndSeconds.toFixed(2)} s`);

    // (d) latency at a steady rate, single-event publishes, against raw kafkajs at the same pace.
    const lTopic = `flowforge.bench.latency.${runId}`;
    await publisher.ensureTopic(lTopic, { partitions: PARTITIONS });
    const busLat: number[] = [];
    await consumerBus.subscribe(BenchEventDef, { group: 'bench-latency', topic: lTopic }, async (ev) => {
      busLat.push(now() - ev.sentAt);
    });
    const rawLatTopic = `flowforge.bench.rawlat.${runId}`;
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.createTopics({ topics: [{ topic: rawLatTopic, numPartitions: PARTITIONS }], waitForLeaders: true });
    await admin2.disconnect();
    const rawLat: number[] = [];
    const latConsumer = kafka.consumer({ groupId: `ff-bench-rawlat-${runId}`, maxWaitTimeInMs: 100 });
    await latConsumer.connect();
    await latConsumer.subscribe({ topics: [rawLatTopic], fromBeginning: true });
    await latConsumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachMessage: async ({ message }) => void rawLat.push(now() - Number(message.headers?.sentAt?.toString())),
    });
    const latProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await latProducer.connect();
    // One send in flight; what falls due meanwhile goes in the next one (the relay's way of batching).
    let queued: Array<{ key: string; value: Buffer; headers: { sentAt: string }; done: () => void; fail: (e: unknown) => void }> = [];
    let sending = false;
    const flush = async (): Promise<void> => {
      sending = true;
      while (queued.length > 0) {
        const batch = queued;
        queued = [];
        try {
          await latProducer.send({ topic: rawLatTopic, acks: -1, messages: batch.map(({ key, value, headers }) => ({ key, value, headers })) });
          for (const m of batch) m.done();
        } catch (err) {
          for (const m of batch) m.fail(err);
        }
      }
      sending = false;
    };
    const rawSend = (seq: number): Promise<void> =>
      new Promise<void>((done, fail) => {
        queued.push({ key: `run-${seq % 100}`, value: frames[seq % frames.length]!, headers: { sentAt: String(now()) }, done, fail });
        if (!sending) void flush();
      });
    await sleep(2_000); // both consumers joined before timing
    const perSlice = RATE * SLICE_SECONDS;
    const rawRound: number[] = [];
    const busRound: number[] = [];
    const rawRates: number[] = [];
    const busRates: number[] = [];
    let rawFailures = 0;
    let busFailures = 0;
    const settle = async (got: () => number, expected: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (got() < expected && Date.now() < deadline) await sleep(20);
    };
    for (let round = 0; round < ROUNDS; round++) {
      let before = rawLat.length;
      const r = await paced(perSlice, RATE, rawSend);
      await settle(() => rawLat.length, before + perSlice - r.failures);
      rawFailures += r.failures;
      rawRates.push(r.completedRate);
      rawRound.push(summarize(rawLat.slice(before)).p99);
      before = busLat.length;
      const b = await paced(perSlice, RATE, (seq) => {
        const key = `run-${seq % 100}`;
        return publisher.publish(BenchEventDef, { seq, key, sentAt: now() }, { key, topic: lTopic });
      });
      await settle(() => busLat.length, before + perSlice - b.failures);
      busFailures += b.failures;
      busRates.push(b.completedRate);
      busRound.push(summarize(busLat.slice(before)).p99);
      console.log(`round ${round + 1}: raw kafkajs p99 ${rawRound[round]!.toFixed(1)} ms, bus p99 ${busRound[round]!.toFixed(1)} ms`);
    }
    await Promise.all([latProducer.disconnect(), latConsumer.disconnect()]);
    const total = perSlice * ROUNDS;
    const rawSum = summarize(rawLat);
    const busSum = summarize(busLat);
    // The baseline held the pace when every slice's sends were answered at ≥ 90 % of it.
    const rawHeld = Math.min(...rawRates) >= 0.9 * RATE && rawFailures === 0;
    const loadAfter = loadLine();

    const perEvent = (seconds: number): string => `${((seconds / N) * 1e6).toFixed(1)} µs/event`;
    const rows: ResultRow[] = [
      ['raw kafkajs, produce only', `${(N / raw.produceSeconds).toFixed(0)} events/s`, '—', ''],
      ['raw kafkajs, end to end (baseline)', `${rawRate.toFixed(0)} events/s`, '—', ''],
      ['KafkaEventBus, publishMany only (Avro + outbox insert)', `${(N / bus.publishSeconds).toFixed(0)} events/s`, '—', ''],
      ['KafkaEventBus, outbox drained by the relay', `${(N / bus.relaySeconds).toFixed(0)} events/s`, '—', ''],
      ['KafkaEventBus, end to end (publish → handler, inbox included)', `${busRate.toFixed(0)} events/s`, '≥ 20,000 events/s', verdict(busRate >= 20_000)],
      ['ratio bus / raw kafkajs, end to end', `${(busRate / rawRate).toFixed(2)}`, '—', ''],
      ['Avro encode alone / decode alone', `${perEvent(encodeSeconds)} / ${perEvent(decodeSeconds)}`, '—', ''],
      ['raw kafkajs latency (baseline) p50 / p95 / p99 / max', `${ms(rawSum.p50)} / ${ms(rawSum.p95)} / ${ms(rawSum.p99)} / ${ms(rawSum.max)}`, '—', ''],
      [
        'KafkaEventBus latency p50 / p95 / p99 / max (outbox relay included)',
        `${ms(busSum.p50)} / ${ms(busSum.p95)} / ${ms(busSum.p99)} / ${ms(busSum.max)}`,
        '',
        '',
      ],
      ['ratio bus / raw kafkajs at p99, latency', (busSum.p99 / rawSum.p99).toFixed(2), `≤ ${FACTOR}`, ratioVerdict(busSum.p99, rawSum.p99, FACTOR, rawHeld)],
      [
        'latency p99 per round, raw kafkajs / bus',
        `${rawRound.map((x) => x.toFixed(1)).join(', ')} / ${busRound.map((x) => x.toFixed(1)).join(', ')} ms`,
        '',
        '',
      ],
      [
        'pace completed, slowest slice (raw kafkajs; bus)',
        `${Math.min(...rawRates).toFixed(0)}; ${Math.min(...busRates).toFixed(0)} events/s`,
        `${RATE}/s`,
        verdict(rawHeld && Math.min(...busRates) >= 0.9 * RATE && busFailures === 0),
      ],
      [
        'latency events received / sent (raw kafkajs; bus)',
        `${rawLat.length} / ${total}; ${busLat.length} / ${total}`,
        'all',
        verdict(rawLat.length === total && busLat.length === total),
      ],
    ];
    // Where the bus's time goes, per event, against the raw pipeline.
    const outboxOnly = bus.publishSeconds - encodeSeconds;
    const consumerTail = bus.endToEndSeconds - bus.relaySeconds;
    writeResults(
      'bus-kafka',
      'bus-kafka — KafkaEventBus against raw kafkajs (`node bench/run.js bench/bus-kafka.bench.ts`)',
      [
        `Run ${new Date().toISOString()} on ${machineLine(db)}; load average before the run ${loadBefore}, after ${loadAfter}; Kafka broker from scripts/stack (single KRaft node, same machine); ${registryName}.`,
        `${N} events of ${frameBytes.toFixed(0)} bytes (Avro, Confluent framing), keys k0..k999, topic of ${PARTITIONS} partitions. Relay and raw producer: idempotent, acks=all, batches of ${BATCH}, one request in flight. Consumers: one member, ${PARTITIONS} partitions concurrently; the bus's consumer handles chunks of up to 100 events per transaction (inbox rows in one statement).`,
      ],
      rows,
      [
        `Where the difference goes (per event, this run): Avro encode ${perEvent(encodeSeconds)}, outbox insert ${perEvent(Math.max(0, outboxOnly))} (publish phase ${bus.publishSeconds.toFixed(2)} s minus encode), ` +
          `relay drain ${bus.relaySeconds.toFixed(2)} s vs raw produce ${raw.produceSeconds.toFixed(2)} s (reading the outbox + marking rows sent + the same produce), ` +
          `consumer tail after the relay finished ${consumerTail.toFixed(2)} s (Avro decode ${perEvent(decodeSeconds)} + inbox transaction). Publishing, relaying and consuming overlap, so the end-to-end time is less than their sum.`,
        `(d) ${ROUNDS} rounds, each a ${SLICE_SECONDS} s slice of raw kafkajs then a ${SLICE_SECONDS} s slice of the bus, both paced open-loop at ${RATE} events/s over keys run-0..run-99; percentiles over all rounds. ` +
          `Bus: single-event publishes without a transaction (those arriving while the topic's outbox INSERT is in flight go in the next one, libs/bus/src/publish.combiner.ts) → outbox → wake-up → relay → broker → consumer → handler. Raw: the same frames sent by kafkajs (idempotent, acks=all, one request in flight, each send carrying what fell due while the previous was in flight) to a kafkajs consumer. ` +
          `Latency = receipt time − sentAt (same process clock). A ratio gets no verdict when the baseline itself could not keep the pace.`,
      ],
    );
  } finally {
    for (const b of buses) await b.close().catch(() => undefined);
    for (const p of pools) await p.end().catch(() => undefined);
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
