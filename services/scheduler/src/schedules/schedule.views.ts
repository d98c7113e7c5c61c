import type { CalendarRow } from './calendar.store';
import type { FireRow } from './fire.store';
import type { ScheduleRow } from './schedule.store';

export interface ScheduleView {
  id: string;
  name: string;
  workflow: string;
  workflowVersion: number | null;
  description: string | null;
  cron: string;
  preset: unknown;
  timezone: string;
  params: Record<string, string>;
  paused: boolean;
  pauseNote: string | null;
  pausedAt: string | null;
  pausedBy: string | null;
  autoPauseAfterFailures: number | null;
  consecutiveFailures: number;
  catchup: string;
  catchupCap: number;
  jitterMs: number;
  excludedDates: string[];
  /** Named calendars whose dates are skipped too. */
  calendars: string[];
  overlap: string;
  nextFireAt: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  /** Only in the answers of PUT and GET one: conflicts with other schedules of the same workflow, or of other workflows writing a same asset. */
  warnings?: string[];
}

export interface FireView {
  fireTime: string;
  kind: string;
  outcome: string;
  reason: string | null;
  runId: string | null;
  runState: string | null;
  runReason: string | null;
  warning: string | null;
  requestedAt: string | null;
  decidedAt: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function scheduleView(s: ScheduleRow, warnings?: string[]): ScheduleView {
  return {
    id: s.id,
    name: s.name,
    workflow: s.workflow,
    workflowVersion: s.workflow_version,
    description: s.description,
    cron: s.cron,
    preset: s.preset,
    timezone: s.timezone,
    params: s.params,
    paused: s.paused,
    pauseNote: s.pause_note,
    pausedAt: iso(s.paused_at),
    pausedBy: s.paused_by,
    autoPauseAfterFailures: s.auto_pause_after_failures,
    consecutiveFailures: s.consecutive_failures,
    catchup: s.catchup,
    catchupCap: s.catchup_cap,
    jitterMs: s.jitter_ms,
    excludedDates: s.excluded_dates,
    calendars: s.calendars,
    overlap: s.overlap,
    nextFireAt: iso(s.next_fire_at),
    createdBy: s.created_by,
    updatedBy: s.updated_by,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
    ...(warnings ? { warnings } : {}),
  };
}

export function fireView(f: FireRow): FireView {
  return {
    fireTime: f.fire_time.toISOString(),
    kind: f.kind,
    outcome: f.outcome,
    reason: f.reason,
    runId: f.run_id,
    runState: f.run_state,
    runReason: f.run_reason,
    warning: f.warning,
    requestedAt: iso(f.requested_at),
    decidedAt: f.decided_at.toISOString(),
  };
}

export interface CalendarView {
  name: string;
  description: string | null;
  dates: string[];
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export function calendarView(c: CalendarRow): CalendarView {
  return {
    name: c.name,
    description: c.description,
    dates: c.dates,
    createdBy: c.created_by,
    updatedBy: c.updated_by,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}
