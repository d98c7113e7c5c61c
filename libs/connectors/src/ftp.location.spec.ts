import { parseListDate } from './ftp.location';

describe('parseListDate (Unix LIST dates of servers without MLSD)', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it('reads recent (time, this or last year) and older (year) forms as UTC', () => {
    expect(parseListDate('Mar 09 16:33', now)?.toISOString()).toBe('2026-03-09T16:33:00.000Z');
    expect(parseListDate('Dec 06 16:33', now)?.toISOString()).toBe('2025-12-06T16:33:00.000Z');
    expect(parseListDate('Jan  2  2019', now)?.toISOString()).toBe('2019-01-02T00:00:00.000Z');
    expect(parseListDate('2019-01-02 10:00', now)).toBeNull();
    expect(parseListDate('Foo 02 10:00', now)).toBeNull();
  });
});
