import { isRunId, isStorableText } from './asset-writers.store';
import { assetList } from './schedule.firing';
import { firstOverlap } from './schedules.service';

const t = (hhmm: string): number => Date.parse(`2026-08-01T${hhmm}:00Z`);

describe('cross-workflow conflict helpers', () => {
  it('finds the first fire time of one schedule within the window of another, both ways round, and none outside it', () => {
    const window = 5 * 60_000;
    expect(firstOverlap([t('01:02'), t('02:02')], [t('02:00'), t('03:00')], window)).toEqual({
      mine: '2026-08-01T02:02:00.000Z',
      theirs: '2026-08-01T02:00:00.000Z',
    });
    expect(firstOverlap([t('02:00')], [t('02:05')], window)).toEqual({ mine: '2026-08-01T02:00:00.000Z', theirs: '2026-08-01T02:05:00.000Z' });
    expect(firstOverlap([t('02:00')], [t('02:05') + 1], window)).toBeNull();
    expect(firstOverlap([t('01:00'), t('02:00')], [t('01:30'), t('02:30')], window)).toBeNull();
    expect(firstOverlap([], [t('01:00')], window)).toBeNull();
  });

  it('names at most the assets given and counts the rest', () => {
    expect(assetList(['silver.sales.orders'], 1)).toBe('silver.sales.orders');
    expect(assetList(['a.b.c', 'a.b.d'], 2)).toBe('a.b.c and a.b.d');
    expect(assetList(['a.b.c', 'a.b.d', 'a.b.e'], 3)).toBe('a.b.c, a.b.d and a.b.e');
    expect(assetList(['a.b.c', 'a.b.d', 'a.b.e'], 7)).toBe('a.b.c, a.b.d, a.b.e and 4 more');
  });

  it('records only uuid run ids and bounded texts without NUL bytes from events', () => {
    expect(isRunId('0b6d2a52-6f5e-4b7e-9a55-2f6f1f0c9a10')).toBe(true);
    expect(isRunId('not-a-uuid')).toBe(false);
    expect(isRunId(null)).toBe(false);
    expect(isStorableText('orders')).toBe(true);
    expect(isStorableText('')).toBe(false);
    expect(isStorableText('x'.repeat(201))).toBe(false);
    expect(isStorableText('a\u0000b')).toBe(false);
  });
});
