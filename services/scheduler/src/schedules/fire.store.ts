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
  /** Writes the rows at once; answers the keys (`<schedule id>|<fire time ISO>|<kind>`) of those written (not there before). */
  async insertMany(q: Queryable, fires: NewFire[]): Promise<Set<string>> {
    const { rows } = await q.query<{ schedule_id: string; fire_time: Date; kind: string }>(
      `INSERT INTO ${T} (schedule_id, fire_time, kind, outcome, reason, run_id, warning, requested_at, decided_at)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::timestamptz[], $9::timestamptz[])
       ON CONFLICT (schedule_id, fire_time, kind) DO NOTHING
       RETURNING schedule_id, fire_time, kind`,
      [
        fires.map((f) => f.scheduleId),
        fires.map((f) => f.fireTime.toISOString()),
        fires.map((f) => f.kind),
        fires.map((f) => f.outcome),
        fires.map((f) => f.reason),
        fires.map((f) => f.runId),
        fires.map((f) => f.warning),
        fires.map((f) => f.requestedAt?.toISOString() ?? null),
        fires.map((f) => f.decidedAt.toISOString()),
      ],
    );
    return new Set(rows.map((r) => `${r.schedule_id}|${r.fire_time.toISOString()}|${r.kind}`));
  }

  /** Active runs of every schedule of these workflows (overlap reads its own, conflict warnings the others'). */
  async activeOfWorkflows(q: Queryable, workflows: string[]): Promise<{ workflow: string; schedule_id: string; name: string; run_id: string }[]> {
    const { rows } = await q.query<{ workflow: string; schedule_id: string; name: string; run_id: string }>(
      `SELECT s.workflow, s.id AS schedule_id, s.name, f.run_id FROM ${T} f JOIN "ff_scheduler"."schedules" s ON s.id = f.schedule_id
        WHERE s.workflow = ANY($1::text[]) AND f.outcome = 'fired' AND (f.run_state IS NULL OR f.run_state IN ('queued', 'running'))
        ORDER BY f.fire_time, f.kind`,
      [workflows],
    );
    return rows;
  }

  async bufferedCounts(q: Queryable, scheduleIds: string[]): Promise<{ schedule_id: string; n: number }[]> {
    const { rows } = await q.query<{ schedule_id: string; n: number }>(
      `SELECT schedule_id, count(*)::int AS n FROM ${T} WHERE schedule_id = ANY($1::uuid[]) AND outcome = 'buffered' GROUP BY schedule_id`,
      [scheduleIds],
    );
    return rows;
  }

  /** Runs of the schedule requested and not finished (as far as run.state-changed has told). */
  async activeRuns(q: Queryable, scheduleId: string): Promise<string[]> {
    const { rows } = await q.query<{ run_id: string }>(`SELECT run_id FROM ${T} WHERE schedule_id = $1 AND ${ACTIVE} ORDER BY fire_time`, [scheduleId]);
    return rows.map((r) => r.run_id);
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
      `SELECT * FROM ${T} WHERE schedule_id = $1 AND ($3::text IS NULL OR outcome = $3) ORDER BY fire_time DESC, kind DESC LIMIT $2`,
      [scheduleId, limit, outcome ?? null],
    );
    return rows;
  }
}
