import { hasAttemptLeft, retryDelayMs } from './retry.policy';
import { DEFAULT_RETRY } from './workflow.model';

describe('retryDelayMs', () => {
  const policy = { maxAttempts: 5, initialDelayMs: 1000, backoffFactor: 2, maxDelayMs: 5000 };

  it('grows by the factor and stops at the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(retryDelayMs(DEFAULT_RETRY, 1)).toBe(1000);
    expect(retryDelayMs({ ...policy, backoffFactor: 1.5 }, 2)).toBe(1500);
    expect(retryDelayMs({ ...policy, backoffFactor: 1 }, 50)).toBe(1000);
  });

  it('stays at the cap for huge attempt numbers (no Infinity)', () => {
    expect(retryDelayMs({ ...policy, backoffFactor: 100 }, 10_000)).toBe(5000);
  });

  it('refuses an attempt number below 1', () => {
    expect(() => retryDelayMs(policy, 0)).toThrow('failedAttempt must be an integer >= 1 (got 0)');
    expect(() => retryDelayMs(policy, 1.5)).toThrow(RangeError);
  });
});

describe('hasAttemptLeft', () => {
  it('counts the first attempt in maxAttempts', () => {
    expect(hasAttemptLeft(DEFAULT_RETRY, 1)).toBe(false);
    expect(hasAttemptLeft({ ...DEFAULT_RETRY, maxAttempts: 3 }, 2)).toBe(true);
    expect(hasAttemptLeft({ ...DEFAULT_RETRY, maxAttempts: 3 }, 3)).toBe(false);
  });
});
