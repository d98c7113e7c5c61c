import { Inject, Injectable } from '@nestjs/common';
import type { EventBus, PublishManyItem } from '@flowforge/bus';
import { RunRequested, type RunRequestedEvent } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { EVENT_BUS, serviceConfigToken } from '@flowforge/service-kit';
import type { SchedulerConfig } from '../scheduler.config';
import { FireStore, type SkipReason } from './fire.store';
import { fireParams, FireTimes, jitterFor, localDate, runIdFor, type FireKind } from './schedule.cron';
import type { ScheduleRow } from './schedule.store';

/** Who asks for the runs the scheduler requests (orchestrator README, "Who asked"). */
export const SCHEDULER_PRINCIPAL = 'scheduler';
/** Missed fire times looked at (and recorded) per schedule and pass: the newest; older ones are not recorded. */
export const MAX_MISSED_RECORDED = 1000;

/** What became of one fire time (null from `decide`: it had its row already). */
export interface FireDecision {
  outcome: 'fired' | 'skipped' | 'buffered';
  reason: SkipReason | null;
  runId: string | null;
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
 * fires row. The caller holds the schedule's row lock, so one decision is made per fire time; the
 * unique fires row makes a second one a no-op should it happen anyway.
 */
@Injectable()
export class ScheduleFiring {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(serviceConfigToken('scheduler')) private readonly config: SchedulerConfig,
    private readonly fires: FireStore,
  ) {}

  /** The next fire time after `after` and when it is due (with its jitter); nulls when there is none. */
  nextOf(s: Pick<ScheduleRow, 'id' | 'cron' | 'timezone' | 'jitter_ms'>, after: Date): { fire: Date | null; due: Date | null } {
    const fire = new FireTimes(s.cron, s.timezone).next(after);
    return fire ? { fire, due: new Date(fire.getTime() + jitterFor(s.id, fire, s.jitter_ms)) } : { fire: null, due: null };
  }

  /**
   * Every fire time of `s` due at `now`: the ones late by at most the misfire grace fire (subject to
   * pause, calendar and overlap); the missed ones before follow the catchup policy. Advances the schedule.
   */
  async fireDue(tx: Queryable, s: ScheduleRow, now: Date, batch: FiringBatch): Promise<{ fire: Date | null; due: Date | null }> {
    const times = new FireTimes(s.cron, s.timezone);
    const lateCut = now.getTime() - this.config.FLOWFORGE_SCHEDULER_MISFIRE_GRACE_MS;
    const dueAt = (t: Date): number => t.getTime() + jitterFor(s.id, t, s.jitter_ms);
    const first = s.next_fire_at!;
    // Fire times before the cut, the newest first, found backwards from it: a long outage costs no more than a short one.
    const before = first.getTime() < lateCut ? times.previous(new Date(lateCut), MAX_MISSED_RECORDED).filter((p) => p >= first) : [];
    const candidates = before.reverse();
    const missed: Date[] = [];
    const onTime: Date[] = [];
    let next: Date | null = first.getTime() < lateCut ? times.next(new Date(lateCut - 1)) : first;
    let stop: Date | null = null;
    // In fire-time order: late beyond the grace (counted from when it was due, jitter included) is a
    // misfire; due is fired; the first one not due yet is where the schedule stands.
    for (const t of candidates) {
      if (dueAt(t) < lateCut) missed.push(t);
      else if (dueAt(t) <= now.getTime()) onTime.push(t);
      else {
        stop = t;
        break;
      }
    }
    if (!stop) {
      while (next && dueAt(next) <= now.getTime()) {
        onTime.push(next);
        next = times.next(next);
      }
    } else next = stop;

    const keep = s.catchup === 'all' ? s.catchup_cap : s.catchup === 'latest' ? 1 : 0;
    const missedReason: SkipReason = s.catchup === 'all' ? 'misfire_cap' : s.catchup === 'latest' ? 'catchup_latest' : 'catchup_none';
    for (const [i, t] of missed.entries()) {
      const run = i >= missed.length - keep;
      if (run) await this.decide(tx, s, t, 'schedule', now, batch);
      else await this.record(tx, s, t, 'schedule', 'skipped', missedReason, now, batch);
    }
    for (const t of onTime) await this.decide(tx, s, t, 'schedule', now, batch);
    return next ? { fire: next, due: new Date(dueAt(next)) } : { fire: null, due: null };
  }

  /** One fire time that should run, through pause, calendar and overlap. */
  async decide(tx: Queryable, s: ScheduleRow, t: Date, kind: FireKind, now: Date, batch: FiringBatch): Promise<FireDecision | null> {
    if (kind === 'schedule' && s.paused) return this.record(tx, s, t, kind, 'skipped', 'paused', now, batch);
    if (s.excluded_dates.includes(localDate(t, s.timezone))) return this.record(tx, s, t, kind, 'skipped', 'calendar', now, batch);
    if (kind === 'schedule' && s.overlap !== 'allow') {
      const active = await this.fires.activeRuns(tx, s.id);
      const waiting = s.overlap === 'buffer_one' || s.overlap === 'buffer_all' ? await this.fires.bufferedCount(tx, s.id) : 0;
      if (active.length > 0 || waiting > 0) {
        switch (s.overlap) {
          case 'skip':
            return this.record(tx, s, t, kind, 'skipped', 'overlap', now, batch);
          case 'buffer_one':
            return this.record(tx, s, t, kind, waiting > 0 ? 'skipped' : 'buffered', 'overlap', now, batch);
          case 'buffer_all':
            return this.record(tx, s, t, kind, 'buffered', 'overlap', now, batch);
          case 'cancel_running':
            for (const runId of active) batch.cancel.push({ runId, schedule: s.name, by: SCHEDULER_PRINCIPAL });
            break;
        }
      }
    }
    return this.record(tx, s, t, kind, 'fired', null, now, batch);
  }

  /** Writes the fire row; a fired one adds its RunRequested to the batch (published in the same transaction). */
  async record(
    tx: Queryable,
    s: ScheduleRow,
    t: Date,
    kind: FireKind,
    outcome: 'fired' | 'skipped' | 'buffered',
    reason: SkipReason | null,
    now: Date,
    batch: FiringBatch,
  ): Promise<FireDecision | null> {
    const runId = outcome === 'skipped' ? null : runIdFor(s.id, t, kind);
    const warning = outcome === 'fired' ? await this.conflictWarning(tx, s) : null;
    const inserted = await this.fires.insert(tx, {
      scheduleId: s.id,
      fireTime: t,
      kind,
      outcome,
      reason,
      runId,
      warning,
      requestedAt: outcome === 'fired' ? now : null,
      decidedAt: now,
    });
    if (!inserted) return null;
    if (outcome === 'fired') this.request(s, t, kind, runId!, now, batch);
    else if (outcome === 'buffered') batch.buffered++;
    else batch.skipped++;
    return { outcome, reason, runId };
  }

  /** The RunRequested of a fire (deterministic run id and idempotency key), added to the batch. */
  request(s: ScheduleRow, t: Date, kind: FireKind, runId: string, now: Date, batch: FiringBatch): void {
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
    this.request(s, next.fire_time, next.kind, next.run_id!, now, batch);
    return true;
  }

  /**
   * Runs of other schedules of the same workflow still active: they may write the same assets at the
   * same time. What a workflow writes is not known to the scheduler yet, so only the same workflow counts.
   */
  async conflictWarning(tx: Queryable, s: ScheduleRow): Promise<string | null> {
    const others = await this.fires.activeOfWorkflow(tx, s.workflow, s.id);
    if (!others.length) return null;
    return `FF_SCHEDULE_CONFLICT: runs of workflow "${s.workflow}" from other schedules are still active (${others
      .map((o) => `${o.name}: ${o.run_id}`)
      .join(', ')}); they may write the same assets at the same time`;
  }

  /** Publishes what the batch requested, in the caller's transaction (the events exist iff it commits). */
  async flush(tx: Queryable, batch: FiringBatch): Promise<void> {
    if (batch.events.length) await this.bus.publishMany(RunRequested, batch.events.splice(0), { tx });
  }
}
