import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';

export interface CalendarRow {
  name: string;
  description: string | null;
  dates: string[];
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

const C = '"ff_scheduler"."calendars"';
const S = '"ff_scheduler"."schedules"';
/** The sorted union of the dates of the calendars a schedule row names (an SQL expression over `schedules`). */
const UNION_OF_ITS_CALENDARS = `(SELECT coalesce(array_agg(DISTINCT d ORDER BY d), '{}') FROM ${C} c, unnest(c.dates) d WHERE c.name = ANY(schedules.calendars))`;

/**
 * ff_scheduler.calendars, and the `calendar_dates` of the schedules naming them: rewritten whenever a
 * calendar or a schedule's list of calendars changes, in that change's transaction, so the fire loop
 * reads each schedule's excluded dates from its own row.
 */
@Injectable()
export class CalendarStore {
  async list(q: Queryable): Promise<CalendarRow[]> {
    return (await q.query<CalendarRow & Record<string, unknown>>(`SELECT * FROM ${C} ORDER BY name`)).rows;
  }

  async get(q: Queryable, name: string, lock = false): Promise<CalendarRow | null> {
    const { rows } = await q.query<CalendarRow & Record<string, unknown>>(`SELECT * FROM ${C} WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [name]);
    return rows[0] ?? null;
  }

  /** Creates or replaces a calendar and rewrites the dates of the schedules naming it; true when created. */
  async put(q: Queryable, name: string, description: string | null, dates: string[], by: string, now: Date): Promise<{ created: boolean; row: CalendarRow }> {
    const { rows } = await q.query<CalendarRow & { created: boolean } & Record<string, unknown>>(
      `INSERT INTO ${C} (name, description, dates, created_by, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $5, $5)
       ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, dates = EXCLUDED.dates, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING *, (xmax = 0) AS created`,
      [name, description, [...new Set(dates)].sort(), by, now],
    );
    await q.query(`UPDATE ${S} SET calendar_dates = ${UNION_OF_ITS_CALENDARS} WHERE $1 = ANY(calendars)`, [name]);
    const { created, ...row } = rows[0]!;
    return { created, row };
  }

  /** The schedules naming a calendar (a calendar in use is not deleted). */
  async usedBy(q: Queryable, name: string): Promise<string[]> {
    const { rows } = await q.query<{ name: string }>(`SELECT name FROM ${S} WHERE $1 = ANY(calendars) ORDER BY name`, [name]);
    return rows.map((r) => r.name);
  }

  async delete(q: Queryable, name: string): Promise<boolean> {
    return ((await q.query(`DELETE FROM ${C} WHERE name = $1`, [name])).rowCount ?? 0) > 0;
  }

  /** Of `names`, those that are not calendars. */
  async missing(q: Queryable, names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const { rows } = await q.query<{ name: string }>(`SELECT name FROM ${C} WHERE name = ANY($1::text[]) FOR SHARE`, [names]);
    const found = new Set(rows.map((r) => r.name));
    return names.filter((n) => !found.has(n));
  }

  /** Sets a schedule's calendars and their dates' union. */
  async setForSchedule(q: Queryable, scheduleId: string, names: string[]): Promise<{ calendars: string[]; calendar_dates: string[] }> {
    const { rows } = await q.query<{ calendars: string[]; calendar_dates: string[] }>(
      `UPDATE ${S} SET calendars = $2::text[], calendar_dates = ${UNION_OF_ITS_CALENDARS.replace('schedules.calendars', '$2::text[]')} WHERE id = $1
       RETURNING calendars, calendar_dates`,
      [scheduleId, [...new Set(names)]],
    );
    return rows[0]!;
  }
}
