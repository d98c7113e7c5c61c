import type { RetryPolicy } from './workflow.model';

/**
 * How long to wait before the attempt after `failedAttempt` (1 = the first attempt failed):
 * initialDelayMs * backoffFactor^(failedAttempt-1), capped at maxDelayMs, whole milliseconds.
 * No jitter: the model stays deterministic; a caller that wants jitter adds it.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) {
    throw new RangeError(`failedAttempt must be an integer >= 1 (got ${failedAttempt})`);
  }
  const delay = policy.initialDelayMs * Math.pow(policy.backoffFactor, failedAttempt - 1);
  return Math.round(Math.min(policy.maxDelayMs, delay));
}

/** Whether another attempt follows `failedAttempt`: maxAttempts counts the first attempt too. */
export function hasAttemptLeft(policy: RetryPolicy, failedAttempt: number): boolean {
  return failedAttempt < policy.maxAttempts;
}
