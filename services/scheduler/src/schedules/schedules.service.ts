import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { withTransaction } from '@flowforge/db';
import { ValidationProblem } from '@flowforge/service-kit';
import { MAX_BACKFILL, type BackfillScheduleRequest, type PutScheduleRequest } from '@flowforge/http';
import type { Pool } from 'pg';
import { SCHEDULER_POOL } from '../scheduler.database';
import { FireStore, type FireOutcome } from './fire.store';
import { SchedulerClock } from './scheduler.clock';
import { compilePreset, FireTimes, localDate, readBound } from './schedule.cron';
import { BackfillInvalidError, ScheduleCreateForbiddenError, ScheduleNoFutureError, ScheduleNotFoundError } from './schedule.errors';
import { AssetWriterStore } from './asset-writers.store';
import { assetList, FiringBatch, isExcluded, ScheduleFiring } from './schedule.firing';
import { CalendarStore } from './calendar.store';
import { ScheduleStore, type ScheduleFields, type ScheduleRow } from './schedule.store';
import { fireView, scheduleView, type FireView, type ScheduleView } from './schedule.views';

/** Fire times of two schedules (of one workflow, or of two writing a same asset) closer than this are reported as overlapping. */
const CONFLICT_WINDOW_MS = 5 * 60_000;
/** How far ahead conflicts are looked for, how many fire times of each schedule and how many other schedules at most (croner costs ~0.2 ms a time). */
const CONFLICT_HORIZON_MS = 86_400_000;
const CONFLICT_MAX_TIMES = 100;
const CONFLICT_MAX_SCHEDULES = 20;
/** Other workflows writing a same asset read for one schedule's cross-workflow warnings at most. */
const CONFLICT_MAX_PAIRS = 1000;

export interface BackfillView {
  schedule: string;
  from: string;
  to: string;
  requested: number;
  existing: number;
  skipped: number;
  runs: { fireTime: string; runId: string | null; outcome: FireOutcome | 'existing'; reason: string | null }[];
}

/** The schedules' use cases: CRUD, pause/resume, next fire times, history, backfill, conflict warnings. */
@Injectable()
export class SchedulesService {
  constructor(
    @Inject(SCHEDULER_POOL) private readonly pool: Pool,
    private readonly clock: SchedulerClock,
    private readonly schedules: ScheduleStore,
    private readonly fires: FireStore,
    private readonly firing: ScheduleFiring,
    private readonly calendars: CalendarStore,
    private readonly writers: AssetWriterStore,
  ) {}

  async list(workflow?: string): Promise<{ items: ScheduleView[] }> {
    return { items: (await this.schedules.list(this.pool, workflow)).map((s) => scheduleView(s)) };
  }

  async get(name: string): Promise<ScheduleView> {
    const s = await this.require(this.pool, name);
    return scheduleView(s, await this.conflicts(s));
  }

  /** Creates or replaces the schedule; its history stays. The next fire time is counted from now. */
  async put(name: string, body: PutScheduleRequest, by: string, mayCreate = true): Promise<{ created: boolean; view: ScheduleView }> {
    const fields: ScheduleFields = {
      name,
      workflow: body.workflow,
      workflow_version: body.workflowVersion ?? null,
      description: body.description ?? null,
      cron: body.cron ?? compilePreset(body.preset!),
      preset: body.preset ?? null,
      timezone: body.timezone,
      params: body.params,
      paused: body.paused,
      pause_note: body.paused ? (body.pauseNote ?? null) : null,
      auto_pause_after_failures: body.autoPauseAfterFailures ?? null,
      catchup: body.catchup,
      catchup_cap: body.catchupCap,
      jitter_ms: body.jitterMs,
      excluded_dates: [...new Set(body.excludedDates)].sort(),
      overlap: body.overlap,
    };
    const now = this.clock.now();
    const { created, row } = await withTransaction(this.pool, async (tx) => {
      // Calendars first (shared locks), then the schedule: the order a calendar's change takes them too
      // (calendar, then the schedules naming it), so the two never wait for each other in a circle.
      const unknown = await this.calendars.missing(tx, body.calendars);
      if (unknown.length > 0) {
        throw new ValidationProblem(
          unknown.map((c) => ({ field: `calendars[${body.calendars.indexOf(c)}]`, message: `no calendar named "${c}" (PUT /api/v1/calendars/${c} first)` })),
        );
      }
      const existing = await this.schedules.lockByName(tx, name);
      if (!existing && !mayCreate) throw new ScheduleCreateForbiddenError(name);
      const id = existing?.id ?? randomUUID();
      const next = this.firing.nextOf({ id, cron: fields.cron, timezone: fields.timezone, jitter_ms: fields.jitter_ms }, now);
      if (!next.fire) throw new ScheduleNoFutureError(fields.cron, fields.timezone);
      if (!existing) {
        const inserted = await this.schedules.insert(tx, id, fields, next, by, now);
        return { created: true, row: { ...inserted, ...(await this.calendars.setForSchedule(tx, id, body.calendars)) } };
      }
      const updated = await this.schedules.update(tx, id, fields, next, by, now);
      const row = { ...updated, ...(await this.calendars.setForSchedule(tx, id, body.calendars)) };
      if (row.paused) await this.fires.dropBuffered(tx, id);
      return { created: false, row };
    });
    return { created, view: scheduleView(row, await this.conflicts(row)) };
  }

  async delete(name: string): Promise<void> {
    if (!(await this.schedules.delete(this.pool, name))) throw new ScheduleNotFoundError(name);
  }

  async pause(name: string, note: string | undefined, by: string): Promise<ScheduleView> {
    return withTransaction(this.pool, async (tx) => {
      const s = await this.requireLocked(tx, name);
      const row = await this.schedules.pause(tx, s.id, note ?? null, by, this.clock.now());
      await this.fires.dropBuffered(tx, s.id);
      return scheduleView(row);
    });
  }

  async resume(name: string, by: string): Promise<ScheduleView> {
    return withTransaction(this.pool, async (tx) => {
      const s = await this.requireLocked(tx, name);
      return scheduleView(await this.schedules.resume(tx, s.id, by, this.clock.now()));
    });
  }

  /** The next `count` fire times from now, each with its local time and whether the calendar excludes it. */
  async next(name: string, count: number): Promise<{ schedule: string; timezone: string; items: { fireTime: string; local: string; excluded: boolean }[] }> {
    const s = await this.require(this.pool, name);
    const times = FireTimes.of(s.cron, s.timezone).nextN(new Date(this.clock.now().getTime() - 1), count);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: s.timezone, dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' });
    return {
      schedule: s.name,
      timezone: s.timezone,
      items: times.map((t) => ({ fireTime: t.toISOString(), local: local.format(t), excluded: isExcluded(s, localDate(t, s.timezone)) })),
    };
  }

  async history(name: string, limit: number, outcome?: FireOutcome): Promise<{ schedule: string; items: FireView[] }> {
    const s = await this.require(this.pool, name);
    return { schedule: s.name, items: (await this.fires.history(this.pool, s.id, limit, outcome)).map(fireView) };
  }

  /**
   * Every fire time in [from, to] (the schedule's zone) becomes a run, in one transaction: at most
   * MAX_BACKFILL. Excluded dates are skipped; pause and overlap do not apply (the orchestrator's workflow
   * concurrency still does). Backfilling a time again finds its run (`existing`), not a second one.
   */
  async backfill(name: string, body: BackfillScheduleRequest): Promise<BackfillView> {
    return withTransaction(this.pool, async (tx) => {
      const s = await this.requireLocked(tx, name);
      const from = readBound(body.from, s.timezone, false);
      const to = readBound(body.to, s.timezone, true);
      if (to < from) throw new BackfillInvalidError('to', `"to" (${to.toISOString()}) is before "from" (${from.toISOString()})`);
      const times = FireTimes.of(s.cron, s.timezone).between(from, to, MAX_BACKFILL);
      if (times.length > MAX_BACKFILL) {
        throw new BackfillInvalidError('to', `the range holds more than ${MAX_BACKFILL} fire times of "${s.cron}"; backfill it in parts`);
      }
      const now = this.clock.now();
      const batch = new FiringBatch();
      const decided = await this.firing.fireBackfill(tx, s, times, now, batch);
      const runs: BackfillView['runs'] = times.map((t, i) => {
        const d = decided[i];
        return { fireTime: t.toISOString(), runId: d ? d.runId : null, outcome: d?.outcome ?? 'existing', reason: d?.reason ?? null };
      });
      await this.firing.flush(tx, batch);
      return {
        schedule: s.name,
        from: from.toISOString(),
        to: to.toISOString(),
        requested: batch.fired,
        existing: runs.filter((r) => r.outcome === 'existing').length,
        skipped: batch.skipped,
        runs,
      };
    });
  }

  /**
   * The FF_SCHEDULE_CONFLICT warnings of PUT and GET one, from the fire times of the next day (the first 100
   * of each schedule), two closer than 5 minutes overlapping:
   * - another schedule of the same workflow overlaps this one;
   * - a schedule of another workflow that wrote a same lake asset as this one's workflow (`workflow_assets`,
   *   learned from flowforge.asset.committed) overlaps it: named with both workflows, the assets and both times.
   * At most 20 other schedules of each kind are compared.
   */
  private async conflicts(s: ScheduleRow): Promise<string[]> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + CONFLICT_HORIZON_MS);
    const timesOf = (x: ScheduleRow): number[] =>
      FireTimes.of(x.cron, x.timezone)
        .between(now, horizon, CONFLICT_MAX_TIMES)
        .map((t) => t.getTime());
    let mine: number[] | null = null;
    const overlap = (o: ScheduleRow): { mine: string; theirs: string } | null => firstOverlap((mine ??= timesOf(s)), timesOf(o), CONFLICT_WINDOW_MS);
    const warnings: string[] = [];
    for (const o of (await this.schedules.ofWorkflow(this.pool, s.workflow, s.id)).slice(0, CONFLICT_MAX_SCHEDULES)) {
      const hit = overlap(o);
      if (hit) {
        warnings.push(
          `FF_SCHEDULE_CONFLICT: schedule "${o.name}" also runs workflow "${s.workflow}" within 5 minutes of this one (first at ${hit.mine}); ` +
            'their runs may write the same assets at the same time',
        );
      }
    }
    const shared = new Map((await this.writers.coWriters(this.pool, [s.workflow], CONFLICT_MAX_PAIRS)).map((c) => [c.other, c]));
    for (const o of await this.schedules.ofWorkflows(this.pool, [...shared.keys()], CONFLICT_MAX_SCHEDULES)) {
      const hit = overlap(o);
      if (hit) {
        warnings.push(
          `FF_SCHEDULE_CONFLICT: schedule "${o.name}" of workflow "${o.workflow}" and this schedule "${s.name}" of workflow "${s.workflow}" ` +
            `both write ${assetList(shared.get(o.workflow)!.assets, shared.get(o.workflow)!.count)} and fire within 5 minutes of each other ("${s.name}" at ${hit.mine}, "${o.name}" at ${hit.theirs}); ` +
            'their runs may write the same asset at the same time',
        );
      }
    }
    return warnings;
  }

  private async require(q: Pool, name: string): Promise<ScheduleRow> {
    const s = await this.schedules.get(q, name);
    if (!s) throw new ScheduleNotFoundError(name);
    return s;
  }

  private async requireLocked(tx: Parameters<ScheduleStore['lockByName']>[0], name: string): Promise<ScheduleRow> {
    const s = await this.schedules.lockByName(tx, name);
    if (!s) throw new ScheduleNotFoundError(name);
    return s;
  }
}

/** The first of `mine` (ascending ms) with one of `theirs` (ascending) within `windowMs`, both as ISO times; null when none. */
export function firstOverlap(mine: number[], theirs: number[], windowMs: number): { mine: string; theirs: string } | null {
  let j = 0;
  for (const t of mine) {
    while (j < theirs.length && theirs[j] < t - windowMs) j++;
    if (j < theirs.length && Math.abs(theirs[j] - t) <= windowMs) return { mine: new Date(t).toISOString(), theirs: new Date(theirs[j]).toISOString() };
  }
  return null;
}
