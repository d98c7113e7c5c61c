import { Cron } from 'croner';
import { z } from 'zod';
import { says } from '@flowforge/service-kit';
import { requestSchema } from '../openapi/zod-openapi';
import { INT32_MAX } from '../params/int-param.pipe';
import { limitQuery } from '../params/page.query';

/** A schedule's name: an identifier, like a workflow's (lower case, digits, `_`, `.`, `-`). */
export const SCHEDULE_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const SCHEDULE_OVERLAPS = ['skip', 'buffer_one', 'buffer_all', 'cancel_running', 'allow'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAPS)[number];
export const SCHEDULE_CATCHUPS = ['none', 'latest', 'all'] as const;
export type ScheduleCatchup = (typeof SCHEDULE_CATCHUPS)[number];
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** Bounds: jitter at most an hour, at most 1000 runs caught up or backfilled at once, 1000 excluded dates. */
export const MAX_JITTER_MS = 3_600_000;
export const MAX_CATCHUP = 1000;
export const MAX_BACKFILL = 1000;
export const MAX_EXCLUDED_DATES = 1000;
export const MAX_CALENDARS = 20;

/** True when `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Null when croner accepts the pattern (5 or 6 fields, `@daily`-style macros, L, W, #), else why not. */
export function cronProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { paused: true, timezone: 'UTC' });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const isRealDate = (d: string): boolean => ISO_DATE.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
const text = (min: number, max: number) =>
  z
    .string(says(`must be a string of ${min} to ${max} characters`))
    .min(min, `must be at least ${min} characters long`)
    .max(max, `must be at most ${max} characters long`)
    .refine((v) => !v.includes('\u0000'), 'must not contain a NUL byte');
const int = (min: number, max: number) =>
  z
    .number(says(`must be an integer from ${min} to ${max}`))
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be an integer from ${min} to ${max}`)
    .max(max, `must be an integer from ${min} to ${max}`);

const at = z
  .string(says('must be a time of day "HH:MM" (24 h)'))
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day "HH:MM" (24 h)')
  .meta({ example: '02:30' });

/** A preset compiled to cron: every day, week (on a weekday) or month (on a day, or the last day) at a time. */
const preset = z.discriminatedUnion(
  'every',
  [
    z.strictObject({ every: z.literal('day'), at }),
    z.strictObject({ every: z.literal('week'), at, weekday: z.enum(WEEKDAYS, says(`must be one of ${WEEKDAYS.join(', ')}`)) }),
    z.strictObject({
      every: z.literal('month'),
      at,
      day: z.union([int(1, 31), z.literal('last')], says('must be a day of the month 1-31 or "last"')),
    }),
  ],
  says('must be {"every": "day"|"week"|"month", "at": "HH:MM", ...}'),
);
export type SchedulePreset = z.output<typeof preset>;

/** Body of PUT /schedules/{name}: creates the schedule or replaces it whole. */
export const putScheduleRequest = requestSchema(
  'PutScheduleDto',
  z
    .strictObject({
      workflow: z
        .string(says('must be a workflow name'))
        .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be a workflow name (1-63 lower-case letters, digits, "_", "." or "-")')
        .meta({ example: 'daily-sales' }),
      workflowVersion: int(1, INT32_MAX).nullable().optional().describe('Pinned workflow version; absent or null: the latest at each fire'),
      description: text(0, 2000).nullable().optional(),
      cron: text(1, 200)
        .superRefine((v, ctx) => {
          const problem = cronProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid cron pattern: ${problem}` });
        })
        .optional()
        .describe(
          '5 fields (minute precision) or 6 (seconds first); `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`; L, W and # are understood. Exactly one of `cron` and `preset`.',
        )
        .meta({ example: '30 2 * * *' }),
      preset: preset
        .optional()
        .describe('Compiled to cron. Exactly one of `cron` and `preset`.')
        .meta({ example: { every: 'day', at: '02:30' } }),
      timezone: z
        .string(says('must be an IANA time zone'))
        .refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"')
        .default('UTC')
        .describe('IANA time zone the cron is read in (and excluded dates and backfill ranges)')
        .meta({ example: 'Europe/Berlin' }),
      params: z
        .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a parameter name'), text(0, 4000), says('must be an object of text values'))
        .refine((p) => Object.keys(p).length <= 100, 'must have at most 100 entries')
        .default({})
        .describe('Run parameters (text, converted by the workflow). `${fireTime}` becomes the fire time (ISO, UTC), `${fireDate}` its date in the time zone.')
        .meta({ example: { day: '${fireDate}' } }),
      paused: z.boolean(says('must be true or false')).default(false),
      pauseNote: text(1, 1000).nullable().optional(),
      autoPauseAfterFailures: int(1, 1000).nullable().optional().describe('Pause after this many consecutive failed runs; absent or null: never'),
      catchup: z
        .enum(SCHEDULE_CATCHUPS, says(`must be one of ${SCHEDULE_CATCHUPS.join(', ')}`))
        .default('latest')
        .describe('Fire times missed by more than the misfire grace (downtime): none are run, only the latest, or all up to `catchupCap`'),
      catchupCap: int(1, MAX_CATCHUP).default(10).describe('With catchup "all": the most missed fire times run, the newest'),
      jitterMs: int(0, MAX_JITTER_MS)
        .default(0)
        .describe('Each fire is delayed by a fixed pseudo-random amount in [0, jitterMs] (the same for a given fire time)'),
      excludedDates: z
        .array(z.string(says('must be a date YYYY-MM-DD')).refine(isRealDate, 'must be a date YYYY-MM-DD'), says('must be an array of dates'))
        .max(MAX_EXCLUDED_DATES, `must have at most ${MAX_EXCLUDED_DATES} dates`)
        .default([])
        .describe('Dates (in the time zone) on which fire times are skipped (reason "calendar")')
        .meta({ example: ['2026-12-25'] }),
      calendars: z
        .array(
          z.string(says('must be a calendar name')).regex(SCHEDULE_NAME_PATTERN, 'must be a calendar name (PUT /api/v1/calendars/{name})'),
          says('must be an array of calendar names'),
        )
        .max(MAX_CALENDARS, `must name at most ${MAX_CALENDARS} calendars`)
        .default([])
        .describe('Named calendars (GET /api/v1/calendars) whose dates are skipped like `excludedDates`; each must exist')
        .meta({ example: ['de-holidays'] }),
      overlap: z
        .enum(SCHEDULE_OVERLAPS, says(`must be one of ${SCHEDULE_OVERLAPS.join(', ')}`))
        .default('skip')
        .describe(
          'When a fire time comes while a run of this schedule is still active: skip it, keep one (or all) waiting, cancel the running one, or run side by side',
        ),
    })
    .superRefine((v, ctx) => {
      if ((v.cron === undefined) === (v.preset === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of "cron" and "preset"' });
      }
      if (v.pauseNote && !v.paused) ctx.addIssue({ code: 'custom', path: ['pauseNote'], message: 'is only allowed with "paused": true' });
    }),
);
export type PutScheduleRequest = z.output<typeof putScheduleRequest>;

/** Body of POST /schedules/{name}/pause (optional). */
export const pauseScheduleRequest = requestSchema(
  'PauseScheduleDto',
  z.strictObject({ note: text(1, 1000).optional().meta({ example: 'warehouse maintenance until Monday' }) }),
);
export const pauseScheduleInternalRequest = pauseScheduleRequest.optional();
export type PauseScheduleRequest = z.output<typeof pauseScheduleInternalRequest>;

const instant = z
  .string(says('must be a date YYYY-MM-DD or a date-time'))
  .max(40, 'must be a date YYYY-MM-DD or a date-time')
  .refine(
    (v) => isRealDate(v) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(v),
    'must be a date YYYY-MM-DD or a date-time',
  );

/** Body of POST /schedules/{name}/backfill: every fire time in [from, to] becomes a run. */
export const backfillScheduleRequest = requestSchema(
  'BackfillScheduleDto',
  z.strictObject({
    from: instant.describe('Inclusive; a date or a date-time without offset is read in the schedule’s time zone').meta({ example: '2026-01-01' }),
    to: instant.describe('Inclusive (a date: up to the end of that day)').meta({ example: '2026-01-31' }),
  }),
);
export type BackfillScheduleRequest = z.output<typeof backfillScheduleRequest>;

export const nextFiresQuery = z.strictObject({ count: limitQuery(100, 10) });
export const scheduleHistoryQuery = z.strictObject({
  limit: limitQuery(1000, 100),
  outcome: z.enum(['fired', 'skipped', 'buffered'], says('must be fired, skipped or buffered')).optional(),
});
export const listSchedulesQuery = z.strictObject({
  workflow: z
    .string(says('must be a workflow name'))
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be a workflow name')
    .optional(),
});
export const scheduleNameParam = z
  .string(says('must be a schedule name'))
  .regex(SCHEDULE_NAME_PATTERN, 'must be a schedule name: 1-63 lower-case letters, digits, "_", "." or "-", starting with a letter or digit');

/** Body of PUT /calendars/{name}: a named list of dates (in each schedule's own time zone) on which its fire times are skipped. */
export const putCalendarRequest = requestSchema(
  'PutCalendarDto',
  z.strictObject({
    description: text(0, 2000).nullable().optional(),
    dates: z
      .array(z.string(says('must be a date YYYY-MM-DD')).refine(isRealDate, 'must be a date YYYY-MM-DD'), says('must be an array of dates'))
      .max(MAX_EXCLUDED_DATES, `must have at most ${MAX_EXCLUDED_DATES} dates`)
      .describe('Dates YYYY-MM-DD; a schedule naming the calendar skips its fire times on them (reason "calendar"), read in its own time zone')
      .meta({ example: ['2026-12-25', '2026-12-26', '2027-01-01'] }),
  }),
);
export type PutCalendarRequest = z.output<typeof putCalendarRequest>;
export const calendarNameParam = z
  .string(says('must be a calendar name'))
  .regex(SCHEDULE_NAME_PATTERN, 'must be a calendar name: 1-63 lower-case letters, digits, "_", "." or "-", starting with a letter or digit');
