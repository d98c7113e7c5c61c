import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { FireKind } from './schedule.cron';

export type FireOutcome = 'fired' | 'skipped' | 'buffered';
/** Why a fire time did not become a run. */
export type SkipReason = 'paused' | 'calendar' | 'overlap' | 'catchup_none' | 'catchup_latest' | 'misfire_cap';

export interface FireRow {
  id: string;
  schedule_id: string;
  fire_time: Date;
  kind: FireKind;
  outcome: FireOutcome;
  reason: string | null;
  run_id: string | null;
  run_state: string | null;
  run_reason: string | null;
  warning: string | null;
  requested_at: Date | null;
  decided_at: Date;
}

export interface NewFire {
  scheduleId: string;
  fireTime: Date;
  kind: FireKind;
  outcome: FireOutcome;
  reason: string | null;
  runId: string | null;
  warning: string | null;
  requestedAt: Date | null;
  decidedAt: Date;
}

const T = '"ff_scheduler"."fires"';
const ACTIVE = `outcome = 'fired' AND (run_state IS NULL OR run_state IN ('queued', 'running'))`;

/** ff_scheduler.fires: one row per schedule, fire time and kind. */
@Injectable()
export class FireStore {
  /** False when the fire time has its row already (another replica, an earlier attempt): nothing to do. */
  async insert(q: Queryable, f: NewFire): Promise<boolean> {
    const { rowCount } = await q.query(
      `INSERT INTO ${T} (schedule_id, fire_time, kind, outcome, reason, run_id, warning, requested_at, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (schedule_id, fire_time, kind) DO NOTHING`,
      [f.scheduleId, f.fireTime, f.kind, f.outcome, f.reason, f.runId, f.warning, f.requestedAt, f.decidedAt],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Runs of the schedule requested and not finished (as far as run.state-changed has told). */
  async activeRuns(q: Queryable, scheduleId: string): Promise<string[]> {
    const { rows } = await q.query<{ run_id: string }>(`SELECT run_id FROM ${T} WHERE schedule_id = $1 AND ${ACTIVE} ORDER BY fire_time`, [scheduleId]);
    return rows.map((r) => r.run_id);
  }

  async bufferedCount(q: Queryable, scheduleId: string): Promise<number> {
    const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${T} WHERE schedule_id = $1 AND outcome = 'buffered'`, [scheduleId]);
    return rows[0].n;
  }

  async oldestBuffered(q: Queryable, scheduleId: string): Promise<FireRow | null> {
    const { rows } = await q.query<FireRow & Record<string, unknown>>(
      `SELECT * FROM ${T} WHERE schedule_id = $1 AND outcome = 'buffered' ORDER BY fire_time, kind LIMIT 1`,
      [scheduleId],
    );
    return rows[0] ?? null;
  }

  async markFired(q: Queryable, id: string, at: Date): Promise<void> {
    await q.query(`UPDATE ${T} SET outcome = 'fired', requested_at = $2 WHERE id = $1`, [id, at]);
  }

  /** Buffered fires of a paused schedule are dropped: skipped, reason paused. */
  async dropBuffered(q: Queryable, scheduleId: string): Promise<number> {
    const { rowCount } = await q.query(`UPDATE ${T} SET outcome = 'skipped', reason = 'paused' WHERE schedule_id = $1 AND outcome = 'buffered'`, [scheduleId]);
    return rowCount ?? 0;
  }

  /** The fire a run came from, or null for a run the scheduler did not request. */
  async byRun(q: Queryable, runId: string): Promise<FireRow | null> {
    const { rows } = await q.query<FireRow & Record<string, unknown>>(`SELECT * FROM ${T} WHERE run_id = $1`, [runId]);
    return rows[0] ?? null;
  }

  async setRunState(q: Queryable, id: string, state: string, reason: string | null): Promise<void> {
    await q.query(`UPDATE ${T} SET run_state = $2, run_reason = $3 WHERE id = $1`, [id, state, reason]);
  }

  /** Active runs of other schedules of the same workflow (the conflict warning written with a fire). */
  async activeOfWorkflow(q: Queryable, workflow: string, exceptScheduleId: string): Promise<{ name: string; run_id: string }[]> {
    const { rows } = await q.query<{ name: string; run_id: string }>(
      `SELECT s.name, f.run_id FROM ${T} f JOIN "ff_scheduler"."schedules" s ON s.id = f.schedule_id
        WHERE s.workflow = $1 AND s.id <> $2 AND f.outcome = 'fired' AND (f.run_state IS NULL OR f.run_state IN ('queued', 'running'))
        ORDER BY s.name LIMIT 5`,
      [workflow, exceptScheduleId],
    );
    return rows;
  }

  /** Deletes up to `limit` rows decided before `before`, except buffered fires and runs still active. */
  async prune(q: Queryable, before: Date, limit: number): Promise<number> {
    const { rowCount } = await q.query(
      `DELETE FROM ${T} WHERE id IN (
         SELECT id FROM ${T} WHERE decided_at < $1 AND outcome <> 'buffered' AND NOT (${ACTIVE}) LIMIT $2)`,
      [before, limit],
    );
    return rowCount ?? 0;
  }

  async history(q: Queryable, scheduleId: string, limit: number, outcome?: FireOutcome): Promise<FireRow[]> {
    const { rows } = await q.query<FireRow & Record<string, unknown>>(
      `SELECT * FROM ${T} WHERE schedule_id = $1 AND ($3::text IS NULL OR outcome = $3) ORDER BY fire_time DESC, kind LIMIT $2`,
      [scheduleId, limit, outcome ?? null],
    );
    return rows;
  }
}
