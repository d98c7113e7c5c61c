import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { startScheduler, type SchedulerHarness } from '../../test/scheduler.harness';
import type { CalendarView, FireView, ScheduleView } from './schedule.views';

type Problem = { code: string; detail: string; errors?: { field: string; message: string }[] };
const at = (iso: string): Date => new Date(iso);

/**
 * Named calendars of excluded dates shared by schedules: a fire time on one of their dates (in the
 * schedule's own zone) is skipped with reason "calendar"; a calendar's change reaches every schedule
 * naming it at once; a schedule cannot name a calendar that does not exist, nor a calendar in use be deleted.
 */
describe('scheduler calendars (injected clock, real PostgreSQL)', () => {
  let db: TestDatabase;
  let h: SchedulerHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_sched_cal');
    h = await startScheduler(db.url);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const putSchedule = async (name: string, body: Record<string, unknown>): Promise<{ status: number; body: ScheduleView & Problem }> =>
    h.api<ScheduleView & Problem>('PUT', `/internal/scheduler/schedules/${name}`, { workflow: 'report', overlap: 'allow', ...body });
  const history = async (name: string): Promise<FireView[]> =>
    (await h.api<{ items: FireView[] }>('GET', `/internal/scheduler/schedules/${name}/history?limit=1000`)).body.items.reverse();

  it('skips the dates of the calendars a schedule names, in its own time zone, and follows a calendar edit at once', async () => {
    h.clock.set(at('2026-12-23T12:00:00Z'));
    const created = await h.api<CalendarView>('PUT', '/internal/scheduler/calendars/de-holidays', {
      description: 'German holidays',
      dates: ['2026-12-25', '2026-12-24', '2026-12-25'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'de-holidays', dates: ['2026-12-24', '2026-12-25'] });
    expect((await h.api('PUT', '/internal/scheduler/calendars/office', { dates: ['2026-12-28'] })).status).toBe(201);

    // Daily at 06:00 in Berlin and in Sydney, both naming the calendars; Sydney's 06:00 on the 24th is 19:00 UTC on the 23rd.
    const berlin = await putSchedule('cal-berlin', {
      cron: '0 6 * * *',
      timezone: 'Europe/Berlin',
      calendars: ['de-holidays', 'office'],
      excludedDates: ['2026-12-27'],
    });
    expect(berlin.status).toBe(201);
    expect(berlin.body.calendars).toEqual(['de-holidays', 'office']);
    expect((await putSchedule('cal-sydney', { cron: '0 6 * * *', timezone: 'Australia/Sydney', calendars: ['de-holidays'] })).status).toBe(201);

    const next = await h.api<{ items: { fireTime: string; excluded: boolean }[] }>('GET', '/internal/scheduler/schedules/cal-berlin/next?count=6');
    expect(next.body.items.map((i) => [i.fireTime.slice(0, 10), i.excluded])).toEqual([
      ['2026-12-24', true],
      ['2026-12-25', true],
      ['2026-12-26', false],
      ['2026-12-27', true],
      ['2026-12-28', true],
      ['2026-12-29', false],
    ]);

    // The calendar changes before the 26th: the 26th is now a holiday for both schedules, without touching them.
    expect((await h.api('PUT', '/internal/scheduler/calendars/de-holidays', { dates: ['2026-12-24', '2026-12-25', '2026-12-26'] })).status).toBe(200);
    for (let day = 24; day <= 29; day++) await h.loop.tickOnce(at(`2026-12-${day}T12:00:00Z`));
    const outcomes = async (name: string) => (await history(name)).map((f) => `${f.fireTime.slice(0, 10)} ${f.outcome}${f.reason ? ` ${f.reason}` : ''}`);
    expect(await outcomes('cal-berlin')).toEqual([
      '2026-12-24 skipped calendar',
      '2026-12-25 skipped calendar',
      '2026-12-26 skipped calendar',
      '2026-12-27 skipped calendar',
      '2026-12-28 skipped calendar',
      '2026-12-29 fired',
    ]);
    // Sydney's local dates: its 24th-26th 06:00 are skipped, its 27th-29th fire (the office calendar is not its own).
    expect((await outcomes('cal-sydney')).map((o) => o.split(' ').slice(1).join(' '))).toEqual([
      'skipped calendar',
      'skipped calendar',
      'skipped calendar',
      'fired',
      'fired',
      'fired',
    ]);
  });

  it('refuses a schedule naming an unknown calendar (400 naming the entry) and deleting a calendar in use (409 naming the schedules)', async () => {
    const unknown = await putSchedule('cal-bad', { cron: '0 6 * * *', calendars: ['de-holidays', 'nowhere'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'calendars[1]', message: expect.stringContaining('no calendar named "nowhere"') }]);
    expect((await h.api('GET', '/internal/scheduler/schedules/cal-bad')).status).toBe(404);

    const inUse = await h.api<Problem>('DELETE', '/internal/scheduler/calendars/de-holidays');
    expect(inUse.status).toBe(409);
    expect(inUse.body).toMatchObject({ code: 'FF_CALENDAR_IN_USE', detail: expect.stringContaining('cal-berlin, cal-sydney') });

    // Taken out of the schedules, it goes; the schedules lose its dates.
    await putSchedule('cal-sydney', { cron: '0 6 * * *', timezone: 'Australia/Sydney' });
    await putSchedule('cal-berlin', { cron: '0 6 * * *', timezone: 'Europe/Berlin', calendars: ['office'] });
    expect((await h.api('DELETE', '/internal/scheduler/calendars/de-holidays')).status).toBe(204);
    expect((await h.api<Problem>('GET', '/internal/scheduler/calendars/de-holidays')).body.code).toBe('FF_CALENDAR_NOT_FOUND');
    const { rows } = await h.pool.query<{ calendar_dates: string[] }>(`SELECT calendar_dates FROM ff_scheduler.schedules WHERE name = 'cal-berlin'`);
    expect(rows[0]!.calendar_dates).toEqual(['2026-12-28']);

    // Bad calendars: a date that is not one, too many dates, a bad name.
    const bad = await h.api<Problem>('PUT', '/internal/scheduler/calendars/bad', { dates: ['2026-02-30'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe('dates[0]');
    expect((await h.api('PUT', '/internal/scheduler/calendars/bad', { dates: Array.from({ length: 1001 }, () => '2026-01-01') })).status).toBe(400);
    expect((await h.api('PUT', '/internal/scheduler/calendars/Bad%20Name', { dates: [] })).status).toBe(400);
  });
});
