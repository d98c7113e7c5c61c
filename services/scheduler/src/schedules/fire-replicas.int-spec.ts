import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import type { Subscription } from '@flowforge/bus';
import type { RunRequestedEvent } from '@flowforge/contracts';
import { collectRunRequests, startScheduler, waitFor, type SchedulerHarness } from '../../test/scheduler.harness';

const SCHEDULES = 10;

/**
 * Two scheduler replicas on one database, each with its own fire loop on the real clock, over
 * every-second schedules: every fire time becomes exactly one fires row and one RunRequested, and a
 * replica killed mid-fire (its connection terminated while its transaction holds the claimed schedules,
 * the history rows and the events) loses nothing — the other replica fires those times.
 */
describe('scheduler replicas: exactly once per fire time, a replica killed mid-fire loses nothing', () => {
  let db: TestDatabase;
  let a: SchedulerHarness;
  let b: SchedulerHarness;
  let events: RunRequestedEvent[];
  let sub: Subscription;

  beforeAll(async () => {
    db = await createTestDatabase('ff_sched_ha');
    a = await startScheduler(db.url, { FLOWFORGE_SCHEDULER_TICK_MS: '50' });
    b = await startScheduler(db.url, { FLOWFORGE_SCHEDULER_TICK_MS: '50' });
    ({ events, sub } = await collectRunRequests(a.bus, 'test-collector'));
  });

  afterAll(async () => {
    await sub?.close();
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  it('fires each second of each schedule once across both replicas, through a kill of one mid-fire', async () => {
    for (let i = 0; i < SCHEDULES; i++) {
      const res = await a.api('PUT', `/internal/scheduler/schedules/every-second-${i}`, { workflow: `wf-${i}`, cron: '* * * * * *', overlap: 'allow' });
      expect(res.status).toBe(201);
    }
    await new Promise((r) => setTimeout(r, 2500));

    // Kill replica A mid-fire: its next transaction holds what it claimed until the test terminates its connection.
    let killed: { pid: number; claimed: string[] } | undefined;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    a.loop.beforeCommit = async (tx, claimed) => {
      if (killed || claimed.length === 0) return;
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      killed = { pid: rows[0].pid, claimed };
      await released;
    };
    await waitFor('replica A mid-fire', async () => killed);
    const { rows: held } = await a.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_scheduler.fires WHERE run_id IS NOT NULL`);
    // Hold it a while: B skips what A holds, then takes it over once A is gone.
    await new Promise((r) => setTimeout(r, 1500));
    await a.pool.query('SELECT pg_terminate_backend($1)', [killed!.pid]);
    release();
    a.loop.beforeCommit = null;
    await new Promise((r) => setTimeout(r, 2500));

    // Stop firing: pause every schedule, then let the loops settle.
    for (let i = 0; i < SCHEDULES; i++) expect((await b.api('POST', `/internal/scheduler/schedules/every-second-${i}/pause`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));

    const { rows } = await a.pool.query<{ name: string; first: Date; last: Date; fired: number; distinct_times: number; distinct_runs: number }>(
      `SELECT s.name, min(f.fire_time) AS first, max(f.fire_time) AS last, count(*)::int AS fired,
              count(DISTINCT f.fire_time)::int AS distinct_times, count(DISTINCT f.run_id)::int AS distinct_runs
         FROM ff_scheduler.fires f JOIN ff_scheduler.schedules s ON s.id = f.schedule_id
        WHERE f.outcome = 'fired' GROUP BY s.name ORDER BY s.name`,
    );
    expect(rows).toHaveLength(SCHEDULES);
    let total = 0;
    for (const r of rows) {
      const seconds = (r.last.getTime() - r.first.getTime()) / 1000 + 1;
      // No gap (every second from the first to the last fired), no double.
      expect({ name: r.name, fired: r.fired, times: r.distinct_times, runs: r.distinct_runs }).toEqual({
        name: r.name,
        fired: seconds,
        times: seconds,
        runs: seconds,
      });
      expect(seconds).toBeGreaterThanOrEqual(6);
      total += r.fired;
    }
    expect(held[0].n).toBeLessThan(total);
    // Nothing else was recorded while the schedules were active (no misfire: the takeover was within the grace).
    const { rows: other } = await a.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ff_scheduler.fires WHERE outcome <> 'fired' AND reason <> 'paused'`,
    );
    expect(other[0].n).toBe(0);

    // One RunRequested per fired row: the killed transaction's events died with it.
    const ids = new Set((await a.pool.query<{ run_id: string }>(`SELECT run_id FROM ff_scheduler.fires WHERE outcome = 'fired'`)).rows.map((r) => r.run_id));
    await waitFor(`${total} run requests`, async () => (events.filter((e) => ids.has(e.runId)).length >= total ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.runId))).toEqual(ids);
  });
});
