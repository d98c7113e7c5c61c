import { TokenBuckets } from './rate-limit.guard';

describe('TokenBuckets', () => {
  it('allows a burst, then one request per refill interval, with the wait in whole seconds', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 3, () => now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(1);
    now += 500; // half a second at 2/s: one token back
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThanOrEqual(1);
  });

  it('keys are independent', () => {
    const buckets = new TokenBuckets(1, 1, () => 0);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    expect(buckets.take('b')).toBe(0);
  });

  it('0 per second is no limit', () => {
    const buckets = new TokenBuckets(0, 1, () => 0);
    for (let i = 0; i < 100; i++) expect(buckets.take('a')).toBe(0);
    expect(buckets.size).toBe(0);
  });

  it('keeps a bounded number of buckets whatever the number of keys', () => {
    const buckets = new TokenBuckets(1, 5, () => 0);
    for (let i = 0; i < 60_000; i++) buckets.take(`k${i}`);
    expect(buckets.size).toBeLessThanOrEqual(50_000);
  });
});
