import { TokenBuckets } from './token-bucket';

describe('token buckets (injected clock)', () => {
  it('allows the burst, then refills at perMinute, answering how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    expect([buckets.take('t', 60, 2), buckets.take('t', 60, 2)]).toEqual([0, 0]);
    expect(buckets.take('t', 60, 2)).toBe(1000);
    now = 500;
    expect(buckets.take('t', 60, 2)).toBe(500);
    now = 1000;
    expect(buckets.take('t', 60, 2)).toBe(0);
    now = 60_000;
    // Refilled to the burst, not beyond.
    expect([buckets.take('t', 60, 2), buckets.take('t', 60, 2), buckets.take('t', 60, 2) > 0]).toEqual([0, 0, true]);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets(() => 0);
    expect(buckets.take('a', 1, 1)).toBe(0);
    expect(buckets.take('a', 1, 1)).toBe(60_000);
    expect(buckets.take('b', 1, 1)).toBe(0);
  });
});
