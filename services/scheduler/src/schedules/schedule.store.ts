import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { ScheduleCatchup, ScheduleOverlap, SchedulePreset } from '@flowforge/http';

export interface ScheduleRow {
  id: string;
  name: string;
  workflow: string;
  workflow_version: number | null;
  description: string | null;
  cron: string;
  preset: SchedulePreset | null;
  timezone: string;
  params: Record<string, string>;
  paused: boolean;
  pause_note: string | null;
  paused_at: Date | null;
  paused_by: string | null;
  auto_pause_after_failures: number | null;
  consecutive_failures: number;
  catchup: ScheduleCatchup;
  catchup_cap: number;
  jitter_ms: number;
  excluded_dates: string[];
  /** Named calendars (ff_scheduler.calendars) and the union of their dates, kept by CalendarStore. */
  calendars: string[];
  calendar_dates: string[];
  overlap: ScheduleOverlap;
  next_fire_at: Date | null;
  next_due_at: Date | null;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

/** What a PUT writes: everything but the bookkeeping. */
export type ScheduleFields = Omit<
  ScheduleRow,
  | 'id'
  | 'consecutive_failures'
  | 'paused_at'
  | 'paused_by'
  | 'created_by'
  | 'updated_by'
  | 'created_at'
  | 'updated_at'
  | 'next_fire_at'
  | 'next_due_at'
  | 'calendars'
  | 'calendar_dates'
>;

const T = '"ff_scheduler"."schedules"';

/** A schedule's definition in the order insert and update bind it (after the id, and the name for an insert). */
function definitionValues(f: ScheduleFields): unknown[] {
  return [
    f.workflow,
    f.workflow_version,
    f.description,
    f.cron,
    f.preset === null ? null : JSON.stringify(f.preset),
    f.timezone,
    JSON.stringify(f.params),
    f.paused,
    f.pause_note,
    f.auto_pause_after_failures,
    f.catchup,
    f.catchup_cap,
    f.jitter_ms,
    f.excluded_dates,
    f.overlap,
  ];
}

/** ff_scheduler.schedules. */
@Injectable()
export class ScheduleStore {
  async get(q: Queryable, name: string): Promise<ScheduleRow | null> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(`SELECT * FROM ${T} WHERE name = $1`, [name]);
    return rows[0] ?? null;
  }

  async lockByName(q: Queryable, name: string): Promise<ScheduleRow | null> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(`SELECT * FROM ${T} WHERE name = $1 FOR UPDATE`, [name]);
    return rows[0] ?? null;
  }

  async lockById(q: Queryable, id: string): Promise<ScheduleRow | null> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(`SELECT * FROM ${T} WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async list(q: Queryable, workflow?: string): Promise<ScheduleRow[]> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(
      `SELECT * FROM ${T} WHERE ($1::text IS NULL OR workflow = $1) ORDER BY name LIMIT 10000`,
      [workflow ?? null],
    );
    return rows;
  }

  /** The other schedules of a workflow (conflict warnings). */
  async ofWorkflow(q: Queryable, workflow: string, exceptId: string): Promise<ScheduleRow[]> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(`SELECT * FROM ${T} WHERE workflow = $1 AND id <> $2 ORDER BY name LIMIT 100`, [
      workflow,
      exceptId,
    ]);
    return rows;
  }

  /** The schedules of these workflows, by name, at most `limit` (cross-workflow conflict warnings). */
  async ofWorkflows(q: Queryable, workflows: string[], limit: number): Promise<ScheduleRow[]> {
    if (!workflows.length) return [];
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(`SELECT * FROM ${T} WHERE workflow = ANY($1::text[]) ORDER BY name LIMIT $2`, [
      workflows,
      limit,
    ]);
    return rows;
  }

  /**
   * Due schedules, locked for this transaction; a schedule another replica holds is skipped (it is
   * firing it), so replicas share the due schedules without waiting for each other.
   */
  async claimDue(tx: Queryable, now: Date, limit: number): Promise<ScheduleRow[]> {
    const { rows } = await tx.query<ScheduleRow & Record<string, unknown>>(
      `SELECT * FROM ${T} WHERE next_due_at <= $1 ORDER BY next_due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows;
  }

  /** The earliest due time of any schedule (the loop sleeps until then, at most a tick). */
  async nextDue(q: Queryable): Promise<Date | null> {
    const { rows } = await q.query<{ at: Date | null }>(`SELECT min(next_due_at) AS at FROM ${T}`);
    return rows[0].at;
  }

  async insert(q: Queryable, id: string, f: ScheduleFields, next: { fire: Date | null; due: Date | null }, by: string, now: Date): Promise<ScheduleRow> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(
      `INSERT INTO ${T} (id, name, workflow, workflow_version, description, cron, preset, timezone, params, paused, pause_note,
         auto_pause_after_failures, catchup, catchup_cap, jitter_ms, excluded_dates, overlap, created_by, updated_by, created_at, updated_at,
         next_fire_at, next_due_at, paused_at, paused_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $19, $20, $21,
         CASE WHEN $10 THEN $19::timestamptz END, CASE WHEN $10 THEN $18::text END)
       RETURNING *`,
      [id, f.name, ...definitionValues(f), by, now, next.fire, next.due],
    );
    return rows[0];
  }

  async update(q: Queryable, id: string, f: ScheduleFields, next: { fire: Date | null; due: Date | null }, by: string, now: Date): Promise<ScheduleRow> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(
      `UPDATE ${T} SET workflow = $2, workflow_version = $3, description = $4, cron = $5, preset = $6, timezone = $7, params = $8,
         paused_at = CASE WHEN $9 AND NOT paused THEN $18::timestamptz WHEN $9 THEN paused_at END,
         paused_by = CASE WHEN $9 AND NOT paused THEN $17::text WHEN $9 THEN paused_by END,
         consecutive_failures = CASE WHEN paused AND NOT $9 THEN 0 ELSE consecutive_failures END,
         paused = $9, pause_note = $10, auto_pause_after_failures = $11, catchup = $12, catchup_cap = $13, jitter_ms = $14,
         excluded_dates = $15, overlap = $16, next_fire_at = $19, next_due_at = $20, updated_by = $17, updated_at = $18
       WHERE id = $1 RETURNING *`,
      [id, ...definitionValues(f), by, now, next.fire, next.due],
    );
    return rows[0];
  }

  async delete(q: Queryable, name: string): Promise<boolean> {
    const { rowCount } = await q.query(`DELETE FROM ${T} WHERE name = $1`, [name]);
    return (rowCount ?? 0) > 0;
  }

  /** Moves the schedules to their next fire times, in one statement. */
  async advance(q: Queryable, next: { id: string; fire: Date | null; due: Date | null }[]): Promise<void> {
    if (!next.length) return;
    await q.query(
      `UPDATE ${T} s SET next_fire_at = n.fire, next_due_at = n.due
         FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS n(id, fire, due) WHERE s.id = n.id`,
      [next.map((n) => n.id), next.map((n) => n.fire?.toISOString() ?? null), next.map((n) => n.due?.toISOString() ?? null)],
    );
  }

  async pause(q: Queryable, id: string, note: string | null, by: string, now: Date): Promise<ScheduleRow> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(
      `UPDATE ${T} SET paused = true, pause_note = $2, paused_at = CASE WHEN paused THEN paused_at ELSE $4::timestamptz END,
         paused_by = CASE WHEN paused THEN paused_by ELSE $3::text END, updated_at = $4, updated_by = $3
       WHERE id = $1 RETURNING *`,
      [id, note, by, now],
    );
    return rows[0];
  }

  async resume(q: Queryable, id: string, by: string, now: Date): Promise<ScheduleRow> {
    const { rows } = await q.query<ScheduleRow & Record<string, unknown>>(
      `UPDATE ${T} SET paused = false, pause_note = NULL, paused_at = NULL, paused_by = NULL, consecutive_failures = 0, updated_at = $3, updated_by = $2
       WHERE id = $1 RETURNING *`,
      [id, by, now],
    );
    return rows[0];
  }

  async setFailures(q: Queryable, id: string, failures: number): Promise<void> {
    await q.query(`UPDATE ${T} SET consecutive_failures = $2 WHERE id = $1`, [id, failures]);
  }
}
