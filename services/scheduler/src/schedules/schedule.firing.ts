import { Inject, Injectable } from '@nestjs/common';
import type { EventBus, PublishManyItem } from '@flowforge/bus';
import { RunRequested, type RunRequestedEvent } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { EVENT_BUS, serviceConfigToken } from '@flowforge/service-kit';
import type { SchedulerConfig } from '../scheduler.config';
import { AssetWriterStore, type ActiveRun, type CoWriter } from './asset-writers.store';
import { FireStore, type FireOutcome, type SkipReason } from './fire.store';
import { fireParams, FireTimes, jitterFor, localDate, runIdFor, type FireKind } from './schedule.cron';
import { ScheduleStore, type ScheduleRow } from './schedule.store';

/** Who asks for the runs the scheduler requests (orchestrator README, "Who asked"). */
export const SCHEDULER_PRINCIPAL = 'scheduler';
/** Missed fire times looked at (and recorded) per schedule and pass: the newest; older ones are not recorded. */
export const MAX_MISSED_RECORDED = 1000;
/** Bounds of what one batch reads about other workflows writing its workflows' assets (workflow pairs, their active runs). */
const MAX_CO_WRITERS = 5000;
const MAX_CO_ACTIVE = 2000;
/** Runs, workflows and assets named in one fire's warning at most. */
const WARN_MAX = 5;

/** What became of one fire time (null from `decide`: it had its row already). */
export interface FireDecision {
  outcome: FireOutcome;
  reason: SkipReason | null;
  runId: string | null;
}

/** A fire time decided, not written yet. */
interface PlannedFire {
  s: ScheduleRow;
  t: Date;
  kind: FireKind;
  outcome: FireOutcome;
  reason: SkipReason | null;
  runId: string | null;
  warning: string | null;
  cancel: string[];
}

/** Active runs of a batch's schedules, and of the other schedules of their workflows: what overlap and conflict warnings read. */
export class FiringState {
  constructor(
    /** schedule id → its active run ids, oldest first */
    readonly active: Map<string, string[]>,
    /** schedule id → fires waiting */
    readonly buffered: Map<string, number>,
    /** workflow → its schedules' active runs */
    readonly byWorkflow: Map<string, { scheduleId: string; name: string; runId: string }[]>,
    /** workflow → the other workflows writing a same asset, with those assets */
    readonly coWriters: Map<string, CoWriter[]> = new Map(),
    /** other workflow (a co-writer) → its active runs, the scheduler's and any other's */
    readonly coActive: Map<string, ActiveRun[]> = new Map(),
  ) {}

  static empty(): FiringState {
    return new FiringState(new Map(), new Map(), new Map(), new Map(), new Map());
  }
}

/** What one transaction decided: the RunRequested events to publish in it, the runs to cancel after it. */
export class FiringBatch {
  readonly events: PublishManyItem<RunRequestedEvent>[] = [];
  readonly cancel: { runId: string; schedule: string; by: string }[] = [];
  fired = 0;
  skipped = 0;
  buffered = 0;
  /** Fire times (ms) of the runs requested, to measure their delay once committed. */
  readonly fireTimes: number[] = [];
}

/**
 * Decides what each fire time of a schedule becomes — fired (a RunRequested in the caller's
 * transaction), skipped (paused, calendar, catchup, overlap) or buffered (overlap) — and writes it as a
 * fires row. The caller holds the schedules' row locks, so one decision is made per fire time; the
 * unique fires row makes a second one a no-op should it happen anyway. The loop decides a whole batch in
 * memory from one read of the runs' states and writes it in two statements (the rows, the advance).
 */
@Injectable()
export class ScheduleFiring {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(serviceConfigToken('scheduler')) private readonly config: SchedulerConfig,
    private readonly fires: FireStore,
    private readonly schedules: ScheduleStore,
    private readonly writers: AssetWriterStore,
  ) {}

  /** The next fire time after `after` and when it is due (with its jitter); nulls when there is none. */
  nextOf(s: Pick<ScheduleRow, 'id' | 'cron' | 'timezone' | 'jitter_ms'>, after: Date): { fire: Date | null; due: Date | null } {
    const fire = FireTimes.of(s.cron, s.timezone).next(after);
    return fire ? { fire, due: new Date(fire.getTime() + jitterFor(s.id, fire, s.jitter_ms)) } : { fire: null, due: null };
  }

  /** What overlap and conflict warnings need to know about `schedules`, read once for a batch. */
  async readState(q: Queryable, schedules: ScheduleRow[]): Promise<FiringState> {
    const ids = schedules.map((s) => s.id);
    const claimed = new Set(ids);
    const state = FiringState.empty();
    const workflows = [...new Set(schedules.map((s) => s.workflow))];
    for (const r of await this.fires.activeOfWorkflows(q, workflows)) {
      const list = state.byWorkflow.get(r.workflow) ?? [];
      list.push({ scheduleId: r.schedule_id, name: r.name, runId: r.run_id });
      state.byWorkflow.set(r.workflow, list);
      if (claimed.has(r.schedule_id)) state.active.set(r.schedule_id, [...(state.active.get(r.schedule_id) ?? []), r.run_id]);
    }
    for (const r of await this.fires.bufferedCounts(q, ids)) state.buffered.set(r.schedule_id, r.n);
    // Other workflows writing a same asset, and (only when there are some) their active runs.
    const pairs = await this.writers.coWriters(q, workflows, MAX_CO_WRITERS);
    for (const c of pairs) state.coWriters.set(c.workflow, [...(state.coWriters.get(c.workflow) ?? []), c]);
    const others = [...new Set(pairs.map((c) => c.other))];
    for (const r of await this.writers.activeRuns(q, others, MAX_CO_ACTIVE)) state.coActive.set(r.workflow, [...(state.coActive.get(r.workflow) ?? []), r]);
    return state;
  }

  /**
   * The fire loop's batch: every fire time of each schedule due at `now` — the ones late by at most the
   * misfire grace fire (subject to pause, calendar and overlap); the missed ones before follow the
   * catchup policy — written in one statement, the schedules advanced in another. A schedule whose
   * decision throws is left as it was (logged by `onError`) and retried on the next tick.
   */
  async fireBatch(tx: Queryable, due: ScheduleRow[], now: Date, batch: FiringBatch, onError: (s: ScheduleRow, err: unknown) => void): Promise<void> {
    const state = await this.readState(tx, due);
    const plans: PlannedFire[] = [];
    const advances: { id: string; fire: Date | null; due: Date | null }[] = [];
    for (const s of due) {
      try {
        const mine: PlannedFire[] = [];
        const next = this.dueTimes(s, now, (t, missedReason) => {
          mine.push(missedReason ? this.skip(s, t, 'schedule', missedReason) : this.plan(s, t, 'schedule', state));
        });
        plans.push(...mine);
        advances.push({ id: s.id, ...next });
      } catch (err) {
        onError(s, err);
      }
    }
    await this.write(tx, plans, now, batch);
    await this.schedules.advance(tx, advances);
  }

  /** Backfill: fire times that run whatever the pause and overlap (excluded dates still skipped). */
  async fireBackfill(tx: Queryable, s: ScheduleRow, times: Date[], now: Date, batch: FiringBatch): Promise<(FireDecision | null)[]> {
    const state = await this.readState(tx, [s]);
    return this.write(
      tx,
      times.map((t) => this.plan(s, t, 'backfill', state)),
      now,
      batch,
    );
  }

  /**
   * The fire times of `s` due at `now`, in fire-time order, each with the catchup reason when it is a
   * misfire to skip; returns where the schedule stands next.
   */
  private dueTimes(s: ScheduleRow, now: Date, each: (t: Date, missedReason: SkipReason | null) => void): { fire: Date | null; due: Date | null } {
    const times = FireTimes.of(s.cron, s.timezone);
    const lateCut = now.getTime() - this.config.FLOWFORGE_SCHEDULER_MISFIRE_GRACE_MS;
    const dueAt = (t: Date): number => t.getTime() + jitterFor(s.id, t, s.jitter_ms);
    const first = s.next_fire_at!;
    // Fire times before the cut, newest first, found backwards from it: a long outage costs no more than a short one.
    const candidates =
      first.getTime() < lateCut
        ? times
            .previous(new Date(lateCut), MAX_MISSED_RECORDED)
            .filter((p) => p >= first)
            .reverse()
        : [];
    const missed: Date[] = [];
    const onTime: Date[] = [];
    let next: Date | null = first.getTime() < lateCut ? times.next(new Date(lateCut - 1)) : first;
    let stop: Date | null = null;
    // Late beyond the grace (counted from when it was due, jitter included) is a misfire; due is fired;
    // the first one not due yet is where the schedule stands.
    for (const t of candidates) {
      if (dueAt(t) < lateCut) missed.push(t);
      else if (dueAt(t) <= now.getTime()) onTime.push(t);
      else {
        stop = t;
        break;
      }
    }
    if (stop) next = stop;
    else {
      while (next && dueAt(next) <= now.getTime()) {
        onTime.push(next);
        next = times.next(next);
      }
    }
    const keep = s.catchup === 'all' ? s.catchup_cap : s.catchup === 'latest' ? 1 : 0;
    const missedReason: SkipReason = s.catchup === 'all' ? 'misfire_cap' : s.catchup === 'latest' ? 'catchup_latest' : 'catchup_none';
    missed.forEach((t, i) => each(t, i >= missed.length - keep ? null : missedReason));
    for (const t of onTime) each(t, null);
    return next ? { fire: next, due: new Date(dueAt(next)) } : { fire: null, due: null };
  }

  private skip(s: ScheduleRow, t: Date, kind: FireKind, reason: SkipReason): PlannedFire {
    return { s, t, kind, outcome: 'skipped', reason, runId: null, warning: null, cancel: [] };
  }

  /** One fire time that should run, through pause, calendar and overlap; a fired one counts as active at once. */
  private plan(s: ScheduleRow, t: Date, kind: FireKind, state: FiringState): PlannedFire {
    if (kind === 'schedule' && s.paused) return this.skip(s, t, kind, 'paused');
    if ((s.excluded_dates.length > 0 || s.calendar_dates.length > 0) && isExcluded(s, localDate(t, s.timezone))) return this.skip(s, t, kind, 'calendar');
    const active = state.active.get(s.id) ?? [];
    const waiting = state.buffered.get(s.id) ?? 0;
    let cancel: string[] = [];
    if (kind === 'schedule' && s.overlap !== 'allow' && (active.length > 0 || waiting > 0)) {
      switch (s.overlap) {
        case 'skip':
          return this.skip(s, t, kind, 'overlap');
        case 'buffer_one':
          if (waiting > 0) return this.skip(s, t, kind, 'overlap');
          state.buffered.set(s.id, 1);
          return { s, t, kind, outcome: 'buffered', reason: 'overlap', runId: runIdFor(s.id, t, kind), warning: null, cancel: [] };
        case 'buffer_all':
          state.buffered.set(s.id, waiting + 1);
          return { s, t, kind, outcome: 'buffered', reason: 'overlap', runId: runIdFor(s.id, t, kind), warning: null, cancel: [] };
        case 'cancel_running':
          cancel = [...active];
          active.length = 0;
          break;
      }
    }
    const runId = runIdFor(s.id, t, kind);
    const others = (state.byWorkflow.get(s.workflow) ?? []).filter((o) => o.scheduleId !== s.id).slice(0, WARN_MAX);
    const sameWorkflow = others.length
      ? `FF_SCHEDULE_CONFLICT: runs of workflow "${s.workflow}" from other schedules are still active (${others
          .map((o) => `${o.name}: ${o.runId}`)
          .join(', ')}); they may write the same assets at the same time`
      : null;
    const warning = [sameWorkflow, ...crossWorkflowWarnings(s, state)].filter((w) => w !== null).join('; ') || null;
    state.active.set(s.id, [...active, runId]);
    state.byWorkflow.set(s.workflow, [...(state.byWorkflow.get(s.workflow) ?? []), { scheduleId: s.id, name: s.name, runId }]);
    return { s, t, kind, outcome: 'fired', reason: null, runId, warning, cancel };
  }

  /** Writes the planned rows in one statement; the ones written (not there before) count, and their runs are requested. */
  private async write(tx: Queryable, plans: PlannedFire[], now: Date, batch: FiringBatch): Promise<(FireDecision | null)[]> {
    if (!plans.length) return [];
    const inserted = await this.fires.insertMany(
      tx,
      plans.map((p) => ({
        scheduleId: p.s.id,
        fireTime: p.t,
        kind: p.kind,
        outcome: p.outcome,
        reason: p.reason,
        runId: p.runId,
        warning: p.warning,
        requestedAt: p.outcome === 'fired' ? now : null,
        decidedAt: now,
      })),
    );
    return plans.map((p) => {
      if (!inserted.has(`${p.s.id}|${p.t.toISOString()}|${p.kind}`)) return null;
      if (p.outcome === 'fired') {
        this.request(p.s, p.t, p.kind, p.runId!, batch);
        for (const runId of p.cancel) batch.cancel.push({ runId, schedule: p.s.name, by: SCHEDULER_PRINCIPAL });
      } else if (p.outcome === 'buffered') batch.buffered++;
      else batch.skipped++;
      return { outcome: p.outcome, reason: p.reason, runId: p.runId };
    });
  }

  /** The RunRequested of a fire (deterministic run id and idempotency key), added to the batch. */
  private request(s: ScheduleRow, t: Date, kind: FireKind, runId: string, batch: FiringBatch): void {
    batch.events.push({
      key: runId,
      event: {
        runId,
        workflowId: s.workflow,
        workflowVersion: s.workflow_version,
        params: fireParams(s.params, t, s.timezone),
        idempotencyKey: `scheduler:${s.id}:${t.toISOString()}:${kind}`,
        requestedBy: SCHEDULER_PRINCIPAL,
      },
    });
    batch.fired++;
    batch.fireTimes.push(t.getTime());
  }

  /** A buffered fire of `s` becomes its run, when no run of it is active any more. */
  async releaseBuffered(tx: Queryable, s: ScheduleRow, now: Date, batch: FiringBatch): Promise<boolean> {
    if (s.paused) return false;
    if ((await this.fires.activeRuns(tx, s.id)).length > 0) return false;
    const next = await this.fires.oldestBuffered(tx, s.id);
    if (!next) return false;
    await this.fires.markFired(tx, next.id, now);
    this.request(s, next.fire_time, next.kind, next.run_id!, batch);
    return true;
  }

  /** Publishes what the batch requested, in the caller's transaction (the events exist iff it commits). */
  async flush(tx: Queryable, batch: FiringBatch): Promise<void> {
    if (batch.events.length) await this.bus.publishMany(RunRequested, batch.events.splice(0), { tx });
  }
}

/**
 * At a fire of `s`: one warning per other workflow that wrote a same asset as `s.workflow` and has a run
 * active now (read with the batch's state, or fired earlier in the same batch).
 */
function crossWorkflowWarnings(s: ScheduleRow, state: FiringState): string[] {
  const warnings: string[] = [];
  for (const { other, assets, count } of state.coWriters.get(s.workflow) ?? []) {
    const runs = new Map<string, string | null>();
    for (const r of state.coActive.get(other) ?? []) runs.set(r.runId, r.schedule);
    for (const r of state.byWorkflow.get(other) ?? []) runs.set(r.runId, r.name);
    if (!runs.size) continue;
    const named = [...runs].slice(0, WARN_MAX).map(([runId, schedule]) => (schedule ? `${schedule}: ${runId}` : `run ${runId}`));
    warnings.push(
      `FF_SCHEDULE_CONFLICT: workflow "${other}" also writes ${assetList(assets, count)} and has runs active (${named.join(', ')}${
        runs.size > WARN_MAX ? `, ${runs.size - WARN_MAX} more` : ''
      }); this run of workflow "${s.workflow}" (schedule "${s.name}") may write the same asset at the same time`,
    );
    if (warnings.length >= WARN_MAX) break;
  }
  return warnings;
}

/** The assets named (`a, b and c`), or, when `count` is more, those and how many more. */
export function assetList(named: string[], count: number): string {
  if (count > named.length) return `${named.join(', ')} and ${count - named.length} more`;
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named.join('');
}

/** A local date the schedule skips: in its own excludedDates or in one of its calendars. */
export function isExcluded(s: Pick<ScheduleRow, 'excluded_dates' | 'calendar_dates'>, date: string): boolean {
  return s.excluded_dates.includes(date) || s.calendar_dates.includes(date);
}
