import { compilePreset, FireTimes, jitterFor, localDate, readBound, runIdFor, uuidV5 } from './schedule.cron';

const iso = (ds: Date[]): string[] => ds.map((d) => d.toISOString());
const local = (d: Date, zone: string): string => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'short' }).format(d);

/** The fire times of `pattern` in `zone` over [from, to]. */
const fires = (pattern: string, zone: string, from: string, to: string): Date[] => new FireTimes(pattern, zone).between(new Date(from), new Date(to), 100);

describe('fire times across DST (fixed-time patterns: a skipped time fires once at the next valid instant, a repeated time fires once)', () => {
  it('Europe/Berlin: 02:30 on spring-forward day (02:00 → 03:00) fires once at 03:00 CEST; on fall-back day (03:00 → 02:00) once, at the first 02:30', () => {
    const spring = fires('30 2 * * *', 'Europe/Berlin', '2026-03-28T00:00:00Z', '2026-03-30T23:00:00Z');
    expect(iso(spring)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(local(spring[1], 'Europe/Berlin')).toBe('2026-03-29 03:00');
    const fall = fires('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00Z', '2026-10-26T23:00:00Z');
    // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET) on the 25th: only the first fires.
    expect(iso(fall)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('America/New_York: 02:30 on spring-forward day fires once at 03:00 EDT; 01:30 on fall-back day fires once, at 01:30 EDT', () => {
    const spring = fires('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z');
    expect(iso(spring)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(local(spring[0], 'America/New_York')).toBe('2026-03-08 03:00');
    const fall = fires('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z');
    expect(iso(fall)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('Australia/Lord_Howe (a 30-minute shift): 02:15 in the gap (02:00 → 02:30) fires once at 02:30; 01:45 in the repeated half hour fires once', () => {
    const spring = fires('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00:00Z', '2026-10-05T00:00:00Z');
    expect(iso(spring)).toEqual(['2026-10-03T15:30:00.000Z', '2026-10-04T15:15:00.000Z']);
    expect(local(spring[0], 'Australia/Lord_Howe')).toBe('2026-10-04 02:30');
    const fall = fires('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T00:00:00Z', '2026-04-06T00:00:00Z');
    // 01:45 is 14:45Z (+11) and again 15:15Z (+10:30) on the 5th: once.
    expect(iso(fall)).toEqual(['2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z']);
  });

  it('interval patterns keep their pace in real time: both passes of a repeated time fire, times in a gap do not exist', () => {
    const fall = fires('*/20 1 * * *', 'Australia/Lord_Howe', '2026-04-04T13:59:00Z', '2026-04-04T15:30:00Z');
    expect(fall.map((d) => local(d, 'Australia/Lord_Howe'))).toEqual(['2026-04-05 01:00', '2026-04-05 01:20', '2026-04-05 01:40', '2026-04-05 01:40']);
    const spring = fires('0,30 2 * * *', 'Europe/Berlin', '2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z');
    expect(spring).toEqual([]);
    // Backwards too (missed-run recovery reads fire times before a moment): the repeated fixed time once.
    expect(iso(new FireTimes('30 1 * * *', 'America/New_York').previous(new Date('2026-11-03T00:00:00Z'), 3))).toEqual([
      '2026-11-02T06:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-10-31T05:30:00.000Z',
    ]);
  });
});

describe('presets, bounds, jitter and run ids', () => {
  it('compiles presets to cron (Sunday = 0, "last" = L)', () => {
    expect(compilePreset({ every: 'day', at: '02:30' })).toBe('30 2 * * *');
    expect(compilePreset({ every: 'week', at: '00:05', weekday: 'mon' })).toBe('5 0 * * 1');
    expect(compilePreset({ every: 'month', at: '23:59', day: 'last' })).toBe('59 23 L * *');
    expect(compilePreset({ every: 'month', at: '06:00', day: 15 })).toBe('0 6 15 * *');
    expect(iso(new FireTimes(compilePreset({ every: 'month', at: '23:59', day: 'last' }), 'UTC').nextN(new Date('2026-02-01T00:00:00Z'), 2))).toEqual([
      '2026-02-28T23:59:00.000Z',
      '2026-03-31T23:59:00.000Z',
    ]);
  });

  it('reads backfill bounds in the zone: a date is the whole day, a date-time without offset is wall time, with offset an instant', () => {
    expect(readBound('2026-03-29', 'Europe/Berlin', false).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    // The spring-forward day is 23 hours long.
    expect(readBound('2026-03-29', 'Europe/Berlin', true).toISOString()).toBe('2026-03-29T21:59:59.999Z');
    expect(readBound('2026-07-01T08:00', 'America/New_York', false).toISOString()).toBe('2026-07-01T12:00:00.000Z');
    expect(readBound('2026-07-01T08:00:00Z', 'America/New_York', false).toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(localDate(new Date('2026-10-03T15:30:00Z'), 'Australia/Lord_Howe')).toBe('2026-10-04');
  });

  it('jitter is fixed per schedule and fire time, within [0, jitterMs], and spreads', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    expect(jitterFor('a', t, 0)).toBe(0);
    const values = Array.from({ length: 200 }, (_, i) => jitterFor(`s${i}`, t, 1000));
    expect(values.every((v) => v >= 0 && v <= 1000)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(100);
    expect(jitterFor('s1', t, 1000)).toBe(values[1]);
  });

  it('run ids are uuid v5, the same for the same schedule, fire time and kind, and differ otherwise', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    const id = runIdFor('sched-1', t, 'schedule');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(runIdFor('sched-1', t, 'schedule')).toBe(id);
    expect(new Set([id, runIdFor('sched-1', t, 'backfill'), runIdFor('sched-2', t, 'schedule'), runIdFor('sched-1', new Date(1), 'schedule')]).size).toBe(4);
    expect(uuidV5('x')).not.toBe(uuidV5('y'));
  });
});
