import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import type { Subscription } from '@flowforge/bus';
import type { RunRequestedEvent } from '@flowforge/contracts';
import { collectRunRequests, startScheduler, waitFor, type SchedulerHarness } from '../../test/scheduler.harness';
import { jitterFor, runIdFor } from './schedule.cron';
import type { FireView, ScheduleView } from './schedule.views';

type Problem = { code: string; errors: { field: string; message: string }[] };
const T0 = new Date('2026-01-01T00:00:30Z');
const at = (iso: string): Date => new Date(iso);

describe('scheduler fire loop (injected clock, real PostgreSQL and bus)', () => {
  let db: TestDatabase;
  let h: SchedulerHarness;
  let events: RunRequestedEvent[];
  let sub: Subscription;

  beforeAll(async () => {
    db = await createTestDatabase('ff_sched_loop');
    h = await startScheduler(db.url);
    ({ events, sub } = await collectRunRequests(h.bus, 'test-collector'));
  });

  afterAll(async () => {
    await sub?.close();
    await h?.stop();
    await db?.drop();
  });

  const put = async (name: string, body: Record<string, unknown>): Promise<ScheduleView> => {
    const res = await h.api<ScheduleView>('PUT', `/internal/scheduler/schedules/${name}`, { workflow: 'report', ...body });
    if (res.status !== 201 && res.status !== 200) throw new Error(`PUT ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const history = async (name: string): Promise<FireView[]> =>
    (await h.api<{ items: FireView[] }>('GET', `/internal/scheduler/schedules/${name}/history?limit=1000`)).body.items.reverse();
  const eventsOf = (runIds: (string | null)[]): RunRequestedEvent[] => events.filter((e) => runIds.includes(e.runId));

  it('recovers missed runs after a 3-hour outage per catchup policy: none, latest, all (capped)', async () => {
    h.clock.set(T0);
    // overlap allow: no run ends in this test, and overlap is not what it is about.
    const none = await put('outage-none', { cron: '* * * * *', catchup: 'none', overlap: 'allow' });
    await put('outage-latest', { cron: '* * * * *', catchup: 'latest', overlap: 'allow' });
    await put('outage-all', { cron: '* * * * *', catchup: 'all', catchupCap: 5, overlap: 'allow' });
    expect(none.nextFireAt).toBe('2026-01-01T00:01:00.000Z');
    // Down from 00:00:30 to 03:00:30: the fire times 00:01 … 02:59 are missed (beyond the 60 s grace), 03:00 is on time.
    const report = await h.loop.tickOnce(at('2026-01-01T03:00:30Z'));
    expect(report.schedules).toBe(3);

    const byPolicy = async (name: string) => {
      const rows = await history(name);
      return {
        fired: rows.filter((r) => r.outcome === 'fired').map((r) => r.fireTime.slice(11, 16)),
        skipped: rows.filter((r) => r.outcome === 'skipped').map((r) => r.reason),
        rows,
      };
    };
    const n = await byPolicy('outage-none');
    expect(n.fired).toEqual(['03:00']);
    expect(n.skipped).toHaveLength(179);
    expect(new Set(n.skipped)).toEqual(new Set(['catchup_none']));
    const l = await byPolicy('outage-latest');
    expect(l.fired).toEqual(['02:59', '03:00']);
    expect(l.skipped).toHaveLength(178);
    expect(new Set(l.skipped)).toEqual(new Set(['catchup_latest']));
    const a = await byPolicy('outage-all');
    expect(a.fired).toEqual(['02:55', '02:56', '02:57', '02:58', '02:59', '03:00']);
    expect(a.skipped).toHaveLength(174);
    expect(new Set(a.skipped)).toEqual(new Set(['misfire_cap']));

    // Every fired row is one RunRequested with its deterministic run id, asked by the scheduler.
    const firedIds = [...n.rows, ...l.rows, ...a.rows].filter((r) => r.outcome === 'fired').map((r) => r.runId);
    await waitFor('the 9 run requests', async () => (eventsOf(firedIds).length >= 9 ? true : undefined));
    expect(eventsOf(firedIds)).toHaveLength(9);
    const sid = (await h.api<ScheduleView>('GET', '/internal/scheduler/schedules/outage-all')).body.id;
    const e = events.find((x) => x.runId === runIdFor(sid, at('2026-01-01T02:55:00Z'), 'schedule'))!;
    expect(e).toMatchObject({ workflowId: 'report', requestedBy: 'scheduler', idempotencyKey: `scheduler:${sid}:2026-01-01T02:55:00.000Z:schedule` });
    expect((await h.api<ScheduleView>('GET', '/internal/scheduler/schedules/outage-all')).body.nextFireAt).toBe('2026-01-01T03:01:00.000Z');

    // The same moment again fires nothing (each fire time has its row); the next minute fires once.
    expect((await h.loop.tickOnce(at('2026-01-01T03:00:30Z'))).fired).toBe(0);
    expect((await h.loop.tickOnce(at('2026-01-01T03:01:00Z'))).fired).toBe(3);
    for (const name of ['outage-none', 'outage-latest', 'outage-all']) await h.api('DELETE', `/internal/scheduler/schedules/${name}`);
  });

  it('fires across DST through the loop: a skipped wall time once at the next valid instant, a repeated one once (Berlin, New York, Lord Howe)', async () => {
    const cases = [
      { name: 'dst-berlin-spring', cron: '30 2 * * *', timezone: 'Europe/Berlin', from: '2026-03-28T12:00:00Z', expect: ['2026-03-29T01:00:00.000Z'] },
      { name: 'dst-berlin-fall', cron: '30 2 * * *', timezone: 'Europe/Berlin', from: '2026-10-24T12:00:00Z', expect: ['2026-10-25T00:30:00.000Z'] },
      { name: 'dst-ny-spring', cron: '30 2 * * *', timezone: 'America/New_York', from: '2026-03-07T18:00:00Z', expect: ['2026-03-08T07:00:00.000Z'] },
      { name: 'dst-ny-fall', cron: '30 1 * * *', timezone: 'America/New_York', from: '2026-10-31T18:00:00Z', expect: ['2026-11-01T05:30:00.000Z'] },
      { name: 'dst-lhi-spring', cron: '15 2 * * *', timezone: 'Australia/Lord_Howe', from: '2026-10-03T06:00:00Z', expect: ['2026-10-03T15:30:00.000Z'] },
      { name: 'dst-lhi-fall', cron: '45 1 * * *', timezone: 'Australia/Lord_Howe', from: '2026-04-04T06:00:00Z', expect: ['2026-04-04T14:45:00.000Z'] },
    ];
    for (const c of cases) {
      h.clock.set(at(c.from));
      await put(c.name, { workflow: c.name, cron: c.cron, timezone: c.timezone, overlap: 'allow' });
      // Every 5 minutes of a day, through the transition and the repeated hour.
      for (let m = 5; m <= 24 * 60; m += 5) await h.loop.tickOnce(new Date(at(c.from).getTime() + m * 60_000));
      const rows = await history(c.name);
      expect({ name: c.name, fired: rows.map((r) => `${r.fireTime} ${r.outcome}`) }).toEqual({ name: c.name, fired: c.expect.map((t) => `${t} fired`) });
    }
  });

  it('records paused and calendar-excluded fire times as skipped, fills ${fireDate}, and delays a jittered fire within its bound', async () => {
    h.clock.set(at('2026-02-01T00:00:00Z'));
    await put('paused-one', { cron: '0 6 * * *', timezone: 'Europe/Berlin', paused: true, pauseNote: 'maintenance' });
    await put('holiday', { cron: '0 6 * * *', timezone: 'Europe/Berlin', excludedDates: ['2026-02-02'], params: { day: '${fireDate}' } });
    const jittered = await put('jittered', { cron: '0 6 * * *', timezone: 'UTC', jitterMs: 600_000, catchup: 'none' });
    const j = jitterFor(jittered.id, at('2026-02-01T06:00:00Z'), 600_000);
    expect(j).toBeGreaterThan(0);

    await h.loop.tickOnce(at('2026-02-01T05:00:00Z')); // 06:00 Berlin
    await h.loop.tickOnce(at('2026-02-01T06:00:00Z'));
    // The jittered schedule is not due before its delay…
    expect((await history('jittered')).length).toBe(0);
    await h.loop.tickOnce(new Date(at('2026-02-01T06:00:00Z').getTime() + j - 1));
    expect((await history('jittered')).length).toBe(0);
    // …and fires at fire time + its jitter, recorded against the nominal fire time.
    const report = await h.loop.tickOnce(new Date(at('2026-02-01T06:00:00Z').getTime() + j));
    expect(report.delays).toEqual([j]);
    expect((await history('jittered')).map((r) => [r.fireTime, r.outcome])).toEqual([['2026-02-01T06:00:00.000Z', 'fired']]);

    await h.loop.tickOnce(at('2026-02-02T05:00:00Z'));
    expect((await history('paused-one')).map((r) => [r.outcome, r.reason])).toEqual([
      ['skipped', 'paused'],
      ['skipped', 'paused'],
    ]);
    const hol = await history('holiday');
    expect(hol.map((r) => [r.fireTime, r.outcome, r.reason])).toEqual([
      ['2026-02-01T05:00:00.000Z', 'fired', null],
      ['2026-02-02T05:00:00.000Z', 'skipped', 'calendar'],
    ]);
    await waitFor('the holiday run request', async () => eventsOf([hol[0].runId])[0]);
    expect(eventsOf([hol[0].runId])[0].params).toEqual({ day: '2026-02-01' });
  });

  it('applies overlap per schedule from the states of its own runs: skip, buffer_one, buffer_all, allow', async () => {
    h.clock.set(at('2026-03-01T00:00:00Z'));
    for (const overlap of ['skip', 'buffer_one', 'buffer_all', 'allow']) await put(`ov-${overlap.replace('_', '-')}`, { cron: '* * * * *', overlap });
    const minute = (m: number) => at(`2026-03-01T00:0${m}:00Z`);
    for (let m = 1; m <= 3; m++) await h.loop.tickOnce(minute(m));
    const outcomes = async (name: string) => (await history(name)).map((r) => `${r.outcome}${r.reason ? `:${r.reason}` : ''}`);
    // Nothing has finished: the first run is still active (as far as run.state-changed said).
    expect(await outcomes('ov-skip')).toEqual(['fired', 'skipped:overlap', 'skipped:overlap']);
    expect(await outcomes('ov-buffer-one')).toEqual(['fired', 'buffered:overlap', 'skipped:overlap']);
    expect(await outcomes('ov-buffer-all')).toEqual(['fired', 'buffered:overlap', 'buffered:overlap']);
    expect(await outcomes('ov-allow')).toEqual(['fired', 'fired', 'fired']);

    // The first run of buffer_all ends: the oldest waiting fire becomes its run, in the listener's transaction.
    const first = (await history('ov-buffer-all'))[0];
    await h.runState(first.runId!, 'report', 'running');
    await h.runState(first.runId!, 'report', 'succeeded');
    await waitFor('the buffered fire released', async () => ((await outcomes('ov-buffer-all'))[1] === 'fired:overlap' ? true : undefined));
    const released = (await history('ov-buffer-all'))[1];
    await waitFor('its run request', async () => eventsOf([released.runId])[0]);
    expect((await outcomes('ov-buffer-all'))[2]).toBe('buffered:overlap');
    expect((await history('ov-buffer-all'))[0]).toMatchObject({ runState: 'succeeded' });

    // A skip schedule whose run ended fires again.
    await h.runState((await history('ov-skip'))[0].runId!, 'report', 'failed', 'boom');
    await waitFor('the state recorded', async () => ((await history('ov-skip'))[0].runState === 'failed' ? true : undefined));
    await h.loop.tickOnce(minute(4));
    expect((await outcomes('ov-skip'))[3]).toBe('fired');
  });

  it('writes a conflict warning into the history when runs of the same workflow from another schedule are still active', async () => {
    h.clock.set(at('2026-03-15T00:00:00Z'));
    await put('shared-a', { workflow: 'shared', cron: '0 * * * *', overlap: 'allow' });
    await put('shared-b', { workflow: 'shared', cron: '0 * * * *', overlap: 'allow' });
    await h.loop.tickOnce(at('2026-03-15T01:00:00Z'));
    const [a, b] = [(await history('shared-a'))[0], (await history('shared-b'))[0]];
    // Decided in one batch, one after the other: the second sees the first's run active.
    const [first, second] = a.warning ? [b, a] : [a, b];
    const secondName = second === a ? 'shared-a' : 'shared-b';
    const firstName = secondName === 'shared-a' ? 'shared-b' : 'shared-a';
    expect(first.warning).toBeNull();
    expect(second.warning).toContain(`FF_SCHEDULE_CONFLICT: runs of workflow "shared" from other schedules are still active (${firstName}: ${first.runId})`);
    // The first's run ends: at the next hour only the second's first run is active, and the first names it.
    await h.runState(first.runId!, 'shared', 'succeeded');
    await waitFor('the first run finished', async () => ((await history(firstName))[0].runState === 'succeeded' ? true : undefined));
    await h.loop.tickOnce(at('2026-03-15T02:00:00Z'));
    expect((await history(firstName))[1].warning).toContain(`${secondName}: ${second.runId}`);
  });

  it('auto-pauses a schedule after N consecutive failed runs (a success resets the count), with a note', async () => {
    h.clock.set(at('2026-04-01T00:00:00Z'));
    await put('flaky', { cron: '* * * * *', overlap: 'allow', autoPauseAfterFailures: 2 });
    for (let m = 1; m <= 4; m++) await h.loop.tickOnce(at(`2026-04-01T00:0${m}:00Z`));
    const runs = (await history('flaky')).map((r) => r.runId!);
    // One at a time: the runs' events travel on different keys, so the bus does not order them.
    const report = async (i: number, to: 'failed' | 'succeeded' | 'timed_out', reason?: string) => {
      await h.runState(runs[i], 'report', to, reason);
      await waitFor(`run ${i} ${to}`, async () => ((await history('flaky'))[i].runState === to ? true : undefined));
    };
    await report(0, 'failed', 'FF_X: one');
    await report(1, 'succeeded');
    await report(2, 'failed', 'FF_X: two');
    expect((await h.api<ScheduleView>('GET', '/internal/scheduler/schedules/flaky')).body.consecutiveFailures).toBe(1);
    expect((await h.api<ScheduleView>('GET', '/internal/scheduler/schedules/flaky')).body.paused).toBe(false);
    await h.runState(runs[3], 'report', 'timed_out', 'FF_RUN_TIMEOUT: slow');
    const paused = await waitFor('auto-paused', async () => {
      const s = (await h.api<ScheduleView>('GET', '/internal/scheduler/schedules/flaky')).body;
      return s.paused ? s : undefined;
    });
    expect(paused).toMatchObject({ pausedBy: 'scheduler', consecutiveFailures: 2 });
    expect(paused.pauseNote).toContain(`auto-paused after 2 consecutive failed runs (last: run ${runs[3]} timed_out: FF_RUN_TIMEOUT: slow)`);
    await h.loop.tickOnce(at('2026-04-01T00:05:00Z'));
    expect((await history('flaky')).at(-1)).toMatchObject({ outcome: 'skipped', reason: 'paused' });
    const resumed = await h.api<ScheduleView>('POST', '/internal/scheduler/schedules/flaky/resume');
    expect(resumed.body).toMatchObject({ paused: false, pauseNote: null, consecutiveFailures: 0 });
  });

  it('two loops firing the same due schedules at the same moment: each fire time once', async () => {
    h.clock.set(at('2026-05-01T00:00:00Z'));
    const second = await startScheduler(db.url);
    try {
      for (let i = 0; i < 30; i++)
        await put(`race-${i}`, { workflow: `race-${i}`, cron: '*/10 * * * * *', overlap: 'allow', catchup: 'all', catchupCap: 1000 });
      const moments = ['00:00:30', '00:00:55', '00:01:40', '00:02:00'].map((t) => at(`2026-05-01T${t}Z`));
      for (const m of moments) await Promise.all([h.loop.tickOnce(m), second.loop.tickOnce(m), h.loop.tickOnce(m)]);
      const { rows } = await h.pool.query<{ n: number; fires: number; distinct_runs: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (schedule_id, fire_time))::int AS fires, count(DISTINCT run_id)::int AS distinct_runs
           FROM ff_scheduler.fires f JOIN ff_scheduler.schedules s ON s.id = f.schedule_id WHERE s.name LIKE 'race-%'`,
      );
      // 00:00:10 … 00:02:00 every 10 s: 12 fire times × 30 schedules, once each.
      expect(rows[0]).toEqual({ n: 360, fires: 360, distinct_runs: 360 });
      const ids = (
        await h.pool.query<{ run_id: string }>(
          `SELECT run_id FROM ff_scheduler.fires f JOIN ff_scheduler.schedules s ON s.id = f.schedule_id WHERE s.name LIKE 'race-%'`,
        )
      ).rows.map((r) => r.run_id);
      await waitFor('360 run requests', async () => (eventsOf(ids).length >= 360 ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      expect(eventsOf(ids)).toHaveLength(360);
    } finally {
      await second.stop();
    }
  });

  it('two replicas over 5 minutes of every-second schedules (simulated clock, both ticking every second): each fire time exactly once', async () => {
    h.clock.set(at('2026-07-01T00:00:00Z'));
    const second = await startScheduler(db.url);
    try {
      for (let i = 0; i < 5; i++) await put(`sec-${i}`, { workflow: `sec-${i}`, cron: '* * * * * *', overlap: 'allow', catchup: 'all', catchupCap: 1000 });
      const start = at('2026-07-01T00:00:00Z').getTime();
      for (let s = 1; s <= 300; s++) {
        const m = new Date(start + s * 1000);
        // Both replicas, in either order, at the same moment; every 7th second one of them runs late and ticks twice.
        await Promise.all(s % 7 === 0 ? [second.loop.tickOnce(m), h.loop.tickOnce(m), second.loop.tickOnce(m)] : [h.loop.tickOnce(m), second.loop.tickOnce(m)]);
      }
      const { rows } = await h.pool.query<{ n: number; fires: number; distinct_runs: number; first: Date; last: Date }>(
        `SELECT count(*)::int AS n, count(DISTINCT (schedule_id, fire_time))::int AS fires, count(DISTINCT run_id)::int AS distinct_runs,
                min(fire_time) AS first, max(fire_time) AS last
           FROM ff_scheduler.fires f JOIN ff_scheduler.schedules s ON s.id = f.schedule_id WHERE s.name LIKE 'sec-%'`,
      );
      // 00:00:01 … 00:05:00: 300 fire times × 5 schedules, each once, each with its own run.
      expect({ n: rows[0]!.n, fires: rows[0]!.fires, runs: rows[0]!.distinct_runs }).toEqual({ n: 1500, fires: 1500, runs: 1500 });
      expect([rows[0]!.first.toISOString(), rows[0]!.last.toISOString()]).toEqual(['2026-07-01T00:00:01.000Z', '2026-07-01T00:05:00.000Z']);
      const ids = (
        await h.pool.query<{ run_id: string }>(
          `SELECT run_id FROM ff_scheduler.fires f JOIN ff_scheduler.schedules s ON s.id = f.schedule_id WHERE s.name LIKE 'sec-%'`,
        )
      ).rows.map((r) => r.run_id);
      await waitFor('1500 run requests', async () => (eventsOf(ids).length >= 1500 ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      expect(eventsOf(ids)).toHaveLength(1500);
    } finally {
      await second.stop();
      for (let i = 0; i < 5; i++) await h.api('DELETE', `/internal/scheduler/schedules/sec-${i}`);
    }
  }, 120_000);

  it('prepares a due time ahead and commits at it: nothing visible before, another loop skips what it holds, a replica killed while waiting leaves nothing', async () => {
    // Its own database and two replicas of one worker each: the earlier tests' schedules are not due here.
    const own = await createTestDatabase('ff_sched_ahead');
    const a = await startScheduler(own.url, { FLOWFORGE_SCHEDULER_WORKERS: '1' });
    const b = await startScheduler(own.url, { FLOWFORGE_SCHEDULER_WORKERS: '1' });
    const seen = await collectRunRequests(a.bus, 'test-collector');
    try {
      a.clock.set(at('2026-07-01T00:00:30Z'));
      for (let i = 0; i < 3; i++) {
        const res = await a.api('PUT', `/internal/scheduler/schedules/ahead-${i}`, { workflow: `ahead-${i}`, cron: '* * * * *', overlap: 'allow' });
        expect(res.status).toBe(201);
      }
      const T = at('2026-07-01T00:01:00Z');
      const visible = async (): Promise<number> => (await a.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_scheduler.fires`)).rows[0].n;
      // Schedules another transaction holds (SKIP LOCKED leaves them out).
      const held = async (): Promise<number> => 3 - ((await a.pool.query(`SELECT id FROM ff_scheduler.schedules FOR UPDATE SKIP LOCKED`)).rowCount ?? 0);
      // The replica's transaction, decided and waiting for the fire time (its last statement the advance).
      const waiting = async (): Promise<number[] | undefined> => {
        const { rows } = await a.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%SET next_fire_at = n.fire%'`,
        );
        return rows.length ? rows.map((r) => r.pid) : undefined;
      };

      // Replica B killed while it waits for the fire time (its connection terminated): nothing of its work remains.
      b.clock.set(new Date(T.getTime() - 2000));
      const doomed = b.loop.fireAt(T);
      const pids = await waitFor('replica B decided and waiting', waiting);
      expect(await held()).toBe(3);
      await a.pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
      b.clock.set(T);
      await expect(doomed).rejects.toThrow();
      expect(await held()).toBe(0);
      expect(await visible()).toBe(0);

      // Replica A decides 2 s ahead, holds, and commits once its clock reads the fire time.
      a.clock.set(new Date(T.getTime() - 2000));
      const prepared = a.loop.fireAt(T);
      await waitFor('replica A decided and waiting', waiting);
      expect(await held()).toBe(3);
      expect(await visible()).toBe(0);
      // Replica B at the fire time skips them (they are being fired) without waiting.
      expect((await b.loop.tickOnce(T)).schedules).toBe(0);
      a.clock.set(new Date(T.getTime() - 1));
      expect(await visible()).toBe(0);
      a.clock.set(T);
      const report = await prepared;
      expect(report).toMatchObject({ schedules: 3, fired: 3, skipped: 0 });
      expect(report.delays).toEqual([0, 0, 0]);
      const { rows } = await a.pool.query<{ fire_time: Date; outcome: string; run_id: string }>(`SELECT fire_time, outcome, run_id FROM ff_scheduler.fires`);
      expect(rows.map((r) => [r.fire_time.toISOString(), r.outcome])).toEqual(Array(3).fill(['2026-07-01T00:01:00.000Z', 'fired']));
      await waitFor('the 3 run requests', async () => (seen.events.length >= 3 ? true : undefined));
      expect(new Set(seen.events.map((e) => e.runId))).toEqual(new Set(rows.map((r) => r.run_id)));
      expect(seen.events).toHaveLength(3);
      const next = await a.pool.query<{ next_fire_at: Date }>(`SELECT next_fire_at FROM ff_scheduler.schedules`);
      expect(next.rows.map((r) => r.next_fire_at.toISOString())).toEqual(Array(3).fill('2026-07-01T00:02:00.000Z'));
      // The fire time again: nothing more.
      expect((await b.loop.tickOnce(T)).fired).toBe(0);
    } finally {
      await seen.sub.close();
      await a.stop();
      await b.stop();
      await own.drop();
    }
  });

  it('backfills every fire time of a range in the zone (excluded dates skipped), once; bounded at 1000', async () => {
    h.clock.set(at('2026-06-01T00:00:00Z'));
    await put('daily-ny', {
      preset: { every: 'day', at: '01:30' },
      timezone: 'America/New_York',
      excludedDates: ['2025-11-01'],
      params: { day: '${fireDate}' },
    });
    const res = await h.api<{ requested: number; skipped: number; existing: number; runs: { fireTime: string; outcome: string; runId: string | null }[] }>(
      'POST',
      '/internal/scheduler/schedules/daily-ny/backfill',
      { from: '2025-10-31', to: '2025-11-03' },
    );
    expect(res.status).toBe(201);
    // Fall-back night (2 Nov 2025 in New York): 01:30 once, the first (EDT).
    expect(res.body.runs.map((r) => [r.fireTime, r.outcome])).toEqual([
      ['2025-10-31T05:30:00.000Z', 'fired'],
      ['2025-11-01T05:30:00.000Z', 'skipped'],
      ['2025-11-02T05:30:00.000Z', 'fired'],
      ['2025-11-03T06:30:00.000Z', 'fired'],
    ]);
    await waitFor('the backfill runs', async () => (eventsOf(res.body.runs.map((r) => r.runId)).length === 3 ? true : undefined));
    expect(eventsOf([res.body.runs[0].runId]).map((e) => e.params)).toEqual([{ day: '2025-10-31' }]);
    const again = await h.api<{ requested: number; existing: number }>('POST', '/internal/scheduler/schedules/daily-ny/backfill', {
      from: '2025-10-31',
      to: '2025-11-03',
    });
    expect(again.body).toMatchObject({ requested: 0, existing: 4 });
    const tooMany = await h.api<Problem>('POST', '/internal/scheduler/schedules/daily-ny/backfill', { from: '2020-01-01', to: '2025-01-01' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors.map((e) => e.field)).toEqual(['to']);
    const reversed = await h.api<Problem>('POST', '/internal/scheduler/schedules/daily-ny/backfill', { from: '2025-01-02', to: '2025-01-01' });
    expect([reversed.status, reversed.body.errors[0].field]).toEqual([422, 'to']);
  });

  it('refuses bad input with 400 naming the field, answers 404 for an unknown schedule, predicts the next fire times', async () => {
    const fields = async (body: unknown, name = 'bad') => {
      const res = await h.api<Problem>('PUT', `/internal/scheduler/schedules/${name}`, body);
      return { status: res.status, fields: (res.body.errors ?? []).map((e) => e.field).sort() };
    };
    expect(await fields({ workflow: 'report', cron: '61 * * * *' })).toEqual({ status: 400, fields: ['cron'] });
    expect(await fields({ workflow: 'report', cron: '* * * * *', timezone: 'Mars/Olympus' })).toEqual({ status: 400, fields: ['timezone'] });
    expect(await fields({ workflow: 'report' })).toEqual({ status: 400, fields: ['cron'] });
    expect(await fields({ workflow: 'report', cron: '* * * * *', preset: { every: 'day', at: '01:00' } })).toEqual({ status: 400, fields: ['cron'] });
    expect(await fields({ workflow: 'report', preset: { every: 'day', at: '25:00' } })).toEqual({ status: 400, fields: ['preset.at'] });
    expect(
      await fields({
        workflow: 'Bad Name',
        cron: '* * * * *',
        jitterMs: 3_600_001,
        catchup: 'some',
        overlap: 'queue',
        excludedDates: ['2026-02-30'],
        stray: 1,
      }),
    ).toEqual({ status: 400, fields: ['catchup', 'excludedDates[0]', 'jitterMs', 'overlap', 'stray', 'workflow'] });
    expect(await fields({ workflow: 'report', cron: '* * * * *' }, 'Not_A_Name')).toEqual({ status: 400, fields: ['name'] });
    expect((await h.api<Problem>('GET', '/internal/scheduler/schedules/nope')).body.code).toBe('FF_SCHEDULE_NOT_FOUND');
    expect((await h.api<Problem>('GET', '/internal/scheduler/schedules/daily-ny/next?count=101')).body.errors[0].field).toBe('count');

    h.clock.set(at('2026-10-24T12:00:00Z'));
    await put('berlin', { preset: { every: 'day', at: '02:30' }, timezone: 'Europe/Berlin', excludedDates: ['2026-10-26'] });
    const next = await h.api<{ items: { fireTime: string; local: string; excluded: boolean }[] }>('GET', '/internal/scheduler/schedules/berlin/next?count=3');
    expect(next.body.items).toEqual([
      { fireTime: '2026-10-25T00:30:00.000Z', local: '2026-10-25 02:30:00', excluded: false },
      { fireTime: '2026-10-26T01:30:00.000Z', local: '2026-10-26 02:30:00', excluded: true },
      { fireTime: '2026-10-27T01:30:00.000Z', local: '2026-10-27 02:30:00', excluded: false },
    ]);
    // Two schedules of one workflow firing within minutes of each other: a warning naming the other.
    const clash = await put('berlin-too', { cron: '32 2 * * *', timezone: 'Europe/Berlin' });
    expect(clash.warnings).toHaveLength(1);
    expect(clash.warnings![0]).toContain('FF_SCHEDULE_CONFLICT: schedule "berlin" also runs workflow "report"');
  });

  it('prunes history past the retention (30 days by default), keeping buffered fires and runs still active', async () => {
    const count = async (where = 'true'): Promise<number> =>
      (await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_scheduler.fires WHERE ${where}`)).rows[0].n;
    const kept = `outcome = 'buffered' OR (outcome = 'fired' AND (run_state IS NULL OR run_state IN ('queued', 'running')))`;
    const all = await count();
    const keep = await count(kept);
    expect(keep).toBeGreaterThan(0);
    expect(await h.loop.pruneHistory(at('2026-01-15T00:00:00Z'))).toBe(0);
    expect(await h.loop.pruneHistory(at('2027-06-01T00:00:00Z'))).toBe(all - keep);
    expect(await count()).toBe(keep);
  });
});
