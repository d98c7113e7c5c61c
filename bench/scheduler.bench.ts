/**
 * Scheduler benchmark: `node bench/run.js bench/scheduler.bench.ts`.
 * Uses DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres; creates and drops its own database.
 *
 * One scheduler process (its fire loop at the default tick, the Postgres bus), BENCH_SCHEDULES active
 * schedules (default 10,000) firing every minute (`* * * * *`, overlap allow, each its own workflow so no
 * conflict check finds a neighbour), written straight into ff_scheduler.schedules. For BENCH_MINUTES
 * minute boundaries (default 2) every RunRequested is received by an observer group in the same process
 * (one clock). Fire delay = when the loop transaction that requested the run had committed (the COMMIT
 * answered: from then on a consumer can see the event) minus its nominal fire time; also the event's
 * `occurredAt` (set at publish, inside that transaction) and the observer's receipt, each minus the fire
 * time. Target: p99 of the commit delay ≤ 1 s. Writes bench/RESULTS.md (section "scheduler").
 */
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import type { EventBus } from '@flowforge/bus';
import { RunRequested } from '@flowforge/contracts';
import { createHostApp, createLogger, EVENT_BUS, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { schedulerService } from '../services/scheduler/src/scheduler.definition';
import { FireLoop } from '../services/scheduler/src/schedules/fire.loop';
import { loadLine, machineLine, ms, now, scratchDatabase, sleep, summarize, verdict, writeResults } from './bench-kit';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 10_000);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 2);

/** FLOWFORGE_SCHEDULER_* of the environment (batch, workers, tick) reach the scheduler; the defaults otherwise. */
const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('FLOWFORGE_SCHEDULER_'))) as Record<string, string>;

async function main(): Promise<void> {
  const db = await scratchDatabase('ff_bench_sched');
  const logger = createLogger({
    service: 'bench',
    level: 'warn',
    destination: new Writable({ write: (c: Buffer, _e, cb) => (process.stderr.write(c), cb()) }),
  });
  const services = [schedulerService];
  const config = loadHostConfig({
    host: 'scheduler',
    services,
    env: { DATABASE_URL: db.url, ...tuning },
    requireDatabaseUrl: true,
  });
  const app = await createHostApp({ mode: 'standalone', host: 'scheduler', services, config, logger, port: 0 });
  await startHostApp(app, 0, '127.0.0.1');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  try {
    const bus = app.get<EventBus>(EVENT_BUS);
    const commitDelays: number[] = [];
    const publishDelays: number[] = [];
    const receiveDelays: number[] = [];
    const perMinute = new Map<number, { first: number; last: number; n: number }>();
    let measuredUntil = Number.POSITIVE_INFINITY;
    let early = 0;
    const lastCommit = new Map<number, number>();
    app.get(FireLoop).onCommitted = (committedAt, fireTimes) => {
      for (const t of fireTimes) {
        if (t >= measuredUntil) continue;
        commitDelays.push(committedAt - t);
        lastCommit.set(t, Math.max(lastCommit.get(t) ?? 0, committedAt));
        if (committedAt < t) early++;
      }
    };
    await bus.subscribe(RunRequested, { group: 'bench-observer' }, async (e) => {
      const received = now();
      const fireTime = Date.parse(e.idempotencyKey!.split(':').slice(2, -1).join(':'));
      if (fireTime >= measuredUntil) return;
      publishDelays.push(e.occurredAt - fireTime);
      if (received < fireTime || e.occurredAt < fireTime) early++;
      receiveDelays.push(received - fireTime);
      const m = perMinute.get(fireTime) ?? { first: e.occurredAt, last: e.occurredAt, n: 0 };
      m.first = Math.min(m.first, e.occurredAt);
      m.last = Math.max(m.last, e.occurredAt);
      m.n++;
      perMinute.set(fireTime, m);
    });

    // The first fire a whole minute ahead, so creating the schedules is not measured.
    const first = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
    measuredUntil = first + MINUTES * 60_000;
    await pool.query(
      `INSERT INTO ff_scheduler.schedules (id, name, workflow, cron, timezone, catchup, catchup_cap, overlap, next_fire_at, next_due_at, created_by, updated_by)
       SELECT gen_random_uuid(), 'bench-' || i, 'wf-' || i, '* * * * *', 'UTC', 'latest', 10, 'allow', $2, $2, 'bench', 'bench'
         FROM generate_series(1, $1) AS i`,
      [SCHEDULES, new Date(first)],
    );
    console.log(`${SCHEDULES} schedules; first fire at ${new Date(first).toISOString()}; measuring ${MINUTES} minute(s)`);
    const expected = SCHEDULES * MINUTES;
    const deadline = first + MINUTES * 60_000 + 50_000;
    while ((publishDelays.length < expected || commitDelays.length < expected) && Date.now() < deadline) await sleep(500);
    await pool.query(`UPDATE ff_scheduler.schedules SET paused = true`);

    const com = summarize(commitDelays);
    const pub = summarize(publishDelays);
    const rec = summarize(receiveDelays);
    const spans = [...perMinute.entries()]
      .sort(([a], [b]) => a - b)
      .map(
        ([t, m]) =>
          `${new Date(t).toISOString().slice(11, 16)}: ${m.n} runs, last committed ${ms((lastCommit.get(t) ?? NaN) - t)}, first / last occurredAt ${ms(m.first - t)} / ${ms(m.last - t)} after the minute`,
      );
    writeResults(
      'scheduler',
      'scheduler — fire delay of 10,000 every-minute schedules (`node bench/run.js bench/scheduler.bench.ts`)',
      [
        `${machineLine(db)}; load ${loadLine()}.`,
        `One scheduler process, Postgres bus, settings ${Object.keys(tuning).length ? JSON.stringify(tuning) : 'default (tick 200 ms, batch 500, 2 workers, prepare 5000 ms)'}; ${SCHEDULES} schedules \`* * * * *\`, ${MINUTES} minute boundaries; an observer group in the same process.`,
      ],
      [
        ['runs requested (received by the observer)', `${pub.n} of ${expected}`, `${expected}`, verdict(pub.n === expected)],
        ['committed, stamped (occurredAt) or received before the fire time', `${early}`, '0', verdict(early === 0)],
        ['commit delay p50', ms(com.p50), '', ''],
        ['commit delay p99', ms(com.p99), '≤ 1000 ms', verdict(com.n === expected && com.p99 <= 1000)],
        ['commit delay max', ms(com.max), '', ''],
        ['occurredAt delay p50 / p99', `${ms(pub.p50)} / ${ms(pub.p99)}`, '', ''],
        ['delay to the observer p50 / p99', `${ms(rec.p50)} / ${ms(rec.p99)}`, '', ''],
      ],
      [
        'Commit delay = the moment the COMMIT of the loop transaction that requested the run answered − nominal fire time (what a consumer can observe: the event is invisible before). `occurredAt` is set at publish, inside that transaction, just before the COMMIT.',
        ...spans.map((s) => `- ${s}`),
      ],
    );
  } finally {
    await app.close();
    await pool.end();
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
