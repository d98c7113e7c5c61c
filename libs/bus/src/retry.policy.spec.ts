import { DEFAULT_RETRY_POLICY, restoredError, retryDelayMs, retryPolicyOf, retryVerdict } from './retry.policy';

describe('retry policy', () => {
  const policy = retryPolicyOf({ maxAttempts: 20, backoffMs: 100, maxBackoffMs: 5_000, maxRetryMs: 60_000 });

  it('doubles the backoff from backoffMs and stops at maxBackoffMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(policy, n))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    // Far past the cap (and past 2^1024) it is still the cap, never Infinity or NaN.
    expect(retryDelayMs(policy, 5_000)).toBe(5_000);
  });

  it('bounds the audit stall of the issue: 20 attempts from 100 ms end within maxRetryMs, not ~14.5 h', () => {
    let elapsed = 0;
    let attempts = 1;
    for (;;) {
      const v = retryVerdict(policy, attempts, elapsed);
      if (v.kind === 'dead') break;
      elapsed += v.delayMs;
      attempts += 1;
    }
    expect(elapsed).toBeLessThanOrEqual(policy.maxRetryMs);
    // 100+200+...+3200 then 5 s steps: about 16 attempts fit in the minute.
    expect(attempts).toBeGreaterThan(10);
    expect(attempts).toBeLessThan(20);
  });

  it('dead-letters on attempts or on time, whichever comes first', () => {
    expect(retryVerdict(policy, 20, 0)).toEqual({ kind: 'dead', why: 'attempts' });
    expect(retryVerdict(policy, 3, 59_700)).toEqual({ kind: 'dead', why: 'time' });
    expect(retryVerdict(policy, 3, 59_600)).toEqual({ kind: 'retry', delayMs: 400 });
    // A clock that went backwards (restored state) is not a reason to wait longer than the backoff.
    expect(retryVerdict(policy, 1, -5_000)).toEqual({ kind: 'retry', delayMs: 100 });
  });

  it('applies the defaults', () => {
    expect(retryPolicyOf({})).toEqual(DEFAULT_RETRY_POLICY);
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 5, backoffMs: 200, maxBackoffMs: 5_000, maxRetryMs: 60_000 });
  });

  it('refuses values that could stall or spin a consumer, naming the option', () => {
    expect(() => retryPolicyOf({ maxAttempts: 0 })).toThrow('FF_BUS_INVALID_OPTIONS: maxAttempts must be an integer between 1 and 1000000 (got 0)');
    expect(() => retryPolicyOf({ backoffMs: 1.5 })).toThrow(/FF_BUS_INVALID_OPTIONS: backoffMs/);
    expect(() => retryPolicyOf({ maxBackoffMs: -1 })).toThrow(/FF_BUS_INVALID_OPTIONS: maxBackoffMs/);
    expect(() => retryPolicyOf({ maxRetryMs: Number.NaN })).toThrow(/FF_BUS_INVALID_OPTIONS: maxRetryMs/);
    expect(() => retryPolicyOf({ maxRetryMs: 2 * 24 * 3600 * 1000 })).toThrow(/FF_BUS_INVALID_OPTIONS: maxRetryMs must be an integer between 0 and 86400000/);
  });

  it('restores a stored error with its code, and says so when none was stored', () => {
    const e = restoredError('row refused', '22021');
    expect(e.message).toBe('row refused');
    expect((e as Error & { code?: string }).code).toBe('22021');
    expect(restoredError(null, null).message).toMatch(/not recorded/);
  });
});
