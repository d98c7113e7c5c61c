import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { WEEKDAYS, type SchedulePreset } from '@flowforge/http';

/** A preset as the cron it stands for (5 fields, minute precision). */
export function compilePreset(preset: SchedulePreset): string {
  const [h, m] = preset.at.split(':').map(Number);
  switch (preset.every) {
    case 'day':
      return `${m} ${h} * * *`;
    case 'week':
      return `${m} ${h} * * ${WEEKDAYS.indexOf(preset.weekday)}`;
    case 'month':
      return `${m} ${h} ${preset.day === 'last' ? 'L' : preset.day} * *`;
  }
}

const UTC_ZONES = new Set(['UTC', 'Etc/UTC']);

/**
 * The fire times of a cron pattern in an IANA zone. DST is croner's rule (Vixie cron's):
 * - a fixed-time pattern (one value in each of second, minute and hour) whose time does not exist on a
 *   spring-forward day fires once, at the first valid instant after the gap (02:30 Berlin → 03:00 CEST);
 *   whose time occurs twice on a fall-back day fires once, at the first occurrence;
 * - an interval pattern (a wildcard, step, range or list in second, minute or hour) skips the times of
 *   the gap and fires on both occurrences of a repeated time, so it keeps its pace in real time.
 * Times move in real time: a fire time is never before the one it follows.
 */
export class FireTimes {
  private readonly cron: Cron;

  constructor(
    readonly pattern: string,
    readonly timezone: string,
  ) {
    // UTC has no DST: croner's fixed-offset path is ten times faster than its zone path (the fire loop's hot spot).
    this.cron = new Cron(pattern, UTC_ZONES.has(timezone) ? { utcOffset: 0, paused: true } : { timezone, paused: true });
  }

  private static readonly cache = new Map<string, FireTimes>();

  /** A shared instance per pattern and zone (parsing costs as much as a fire time): at most 50,000 kept. */
  static of(pattern: string, timezone: string): FireTimes {
    const key = `${timezone}\u0000${pattern}`;
    let t = FireTimes.cache.get(key);
    if (!t) {
      if (FireTimes.cache.size >= 50_000) FireTimes.cache.clear();
      t = new FireTimes(pattern, timezone);
      FireTimes.cache.set(key, t);
    }
    return t;
  }

  /** The first fire time strictly after `after`, or null when the pattern has no future time. */
  next(after: Date): Date | null {
    return this.cron.nextRun(after);
  }

  /** Up to `count` fire times strictly after `after`. */
  nextN(after: Date, count: number): Date[] {
    return this.cron.nextRuns(count, after);
  }

  /** Up to `count` fire times strictly before `before`, newest first. */
  previous(before: Date, count: number): Date[] {
    return this.cron.previousRuns(count, before).filter((t) => t < before);
  }

  /** Fire times in [from, to] (both inclusive), at most `max` + 1 (so a caller can tell there are more). */
  between(from: Date, to: Date, max: number): Date[] {
    const out: Date[] = [];
    let t = this.next(new Date(from.getTime() - 1));
    while (t && t.getTime() <= to.getTime() && out.length <= max) {
      out.push(t);
      t = this.next(t);
    }
    return out;
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** The calendar date (YYYY-MM-DD) of `instant` in `zone`. */
export function localDate(instant: Date, zone: string): string {
  let f = dateFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(zone, f);
  }
  return f.format(instant);
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
function offsetMs(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const v = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const wall = Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A wall-clock time in `zone` as an instant. A time in a spring-forward gap is read with the offset
 * before the gap (so it lands just after it); a repeated time is its first occurrence.
 */
export function zonedInstant(wall: { y: number; mo: number; d: number; h?: number; mi?: number; s?: number; ms?: number }, zone: string): Date {
  const asUtc = Date.UTC(wall.y, wall.mo - 1, wall.d, wall.h ?? 0, wall.mi ?? 0, wall.s ?? 0, wall.ms ?? 0);
  // Offsets a few hours either side cover every zone's change; the earliest consistent reading wins.
  const candidates = [offsetMs(asUtc - 3 * 3_600_000, zone), offsetMs(asUtc + 3 * 3_600_000, zone)]
    .map((off) => asUtc - off)
    .filter((t) => offsetMs(t, zone) === asUtc - t)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? asUtc - offsetMs(asUtc - 3 * 3_600_000, zone));
}

/**
 * A backfill bound: an instant with an offset as given; a date-time without offset read in `zone`; a
 * date is its first instant (`from`) or the last millisecond of that day (`to`) in `zone`.
 */
export function readBound(value: string, zone: string, end: boolean): Date {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(value)!;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (m[4] === undefined) {
    if (!end) return zonedInstant({ y, mo, d }, zone);
    const next = new Date(Date.UTC(y, mo - 1, d + 1));
    return new Date(zonedInstant({ y: next.getUTCFullYear(), mo: next.getUTCMonth() + 1, d: next.getUTCDate() }, zone).getTime() - 1);
  }
  return zonedInstant({ y, mo, d, h: Number(m[4]), mi: Number(m[5]), s: Number(m[6] ?? 0), ms: Number((m[7] ?? '0').padEnd(3, '0')) }, zone);
}

/** The delay of a fire: fixed for a schedule and fire time (replicas and retries agree), in [0, jitterMs]. */
export function jitterFor(scheduleId: string, fireTime: Date, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const h = createHash('sha256').update(`${scheduleId}|${fireTime.toISOString()}`).digest();
  return h.readUInt32BE(0) % (jitterMs + 1);
}

/** The scheduler's uuid v5 namespace (a fixed random uuid). */
const NAMESPACE = Buffer.from('6f1c2e0a9b3d4c5e8f7a1b2c3d4e5f60', 'hex');

/** uuid v5 (RFC 9562, SHA-1) of `name` in the scheduler's namespace. */
export function uuidV5(name: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export type FireKind = 'schedule' | 'backfill';

/** The run of a fire time: the same id for the same schedule, fire time and kind, whoever computes it. */
export function runIdFor(scheduleId: string, fireTime: Date, kind: FireKind): string {
  return uuidV5(`${scheduleId}|${fireTime.toISOString()}|${kind}`);
}

/** The schedule's params with `${fireTime}` (ISO, UTC) and `${fireDate}` (its date in the zone) filled in. */
export function fireParams(params: Record<string, string>, fireTime: Date, zone: string): Record<string, string> {
  const entries = Object.entries(params);
  if (!entries.some(([, v]) => v.includes('${fire'))) return params;
  const iso = fireTime.toISOString();
  const day = localDate(fireTime, zone);
  return Object.fromEntries(entries.map(([k, v]) => [k, v.replaceAll('${fireTime}', iso).replaceAll('${fireDate}', day)]));
}
