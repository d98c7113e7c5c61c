import { BusError } from './bus.errors';
import type { SubscribeOptions } from './event-bus.port';

/** The retry settings of one subscription, defaults applied and checked. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxRetryMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, backoffMs: 200, maxBackoffMs: 5_000, maxRetryMs: 60_000 };

/** Longest backoff or retry window accepted (a day): setTimeout overflows past 2^31 - 1 ms anyway. */
const MAX_MS = 24 * 3600 * 1000;

/** Applies the defaults and refuses values that would make a consumer stall forever or spin. */
export function retryPolicyOf(opts: Pick<SubscribeOptions, 'maxAttempts' | 'backoffMs' | 'maxBackoffMs' | 'maxRetryMs'>): RetryPolicy {
  const policy: RetryPolicy = {
    maxAttempts: opts.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    backoffMs: opts.backoffMs ?? DEFAULT_RETRY_POLICY.backoffMs,
    maxBackoffMs: opts.maxBackoffMs ?? DEFAULT_RETRY_POLICY.maxBackoffMs,
    maxRetryMs: opts.maxRetryMs ?? DEFAULT_RETRY_POLICY.maxRetryMs,
  };
  checkInt('maxAttempts', policy.maxAttempts, 1, 1_000_000);
  checkInt('backoffMs', policy.backoffMs, 0, MAX_MS);
  checkInt('maxBackoffMs', policy.maxBackoffMs, 0, MAX_MS);
  checkInt('maxRetryMs', policy.maxRetryMs, 0, MAX_MS);
  return policy;
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BusError('FF_BUS_INVALID_OPTIONS', `${name} must be an integer between ${min} and ${max} (got ${String(value)})`);
  }
}

/** Delay before attempt `attempts + 1`: backoffMs doubled per failure, capped at maxBackoffMs. */
export function retryDelayMs(policy: RetryPolicy, attempts: number): number {
  // 2 ** 60 and beyond is Infinity-ish but finite; min() with the cap keeps it a sane number.
  return Math.min(policy.backoffMs * 2 ** Math.min(Math.max(attempts - 1, 0), 60), policy.maxBackoffMs);
}

/** Where an event that failed stands: retried after `delayMs`, or dead-lettered now and why. */
export type RetryVerdict = { kind: 'retry'; delayMs: number } | { kind: 'dead'; why: 'attempts' | 'time' };

/**
 * After `attempts` failed (or begun) attempts, the first failure `elapsedMs` ago: dead-letter when the
 * attempts are used up, or when the next attempt would start past maxRetryMs after the first failure.
 */
export function retryVerdict(policy: RetryPolicy, attempts: number, elapsedMs: number): RetryVerdict {
  if (attempts >= policy.maxAttempts) return { kind: 'dead', why: 'attempts' };
  const delayMs = retryDelayMs(policy, attempts);
  if (Math.max(elapsedMs, 0) + delayMs > policy.maxRetryMs) return { kind: 'dead', why: 'time' };
  return { kind: 'retry', delayMs };
}

/**
 * Where a failing event stands, as both adapters keep it (in memory and in the database, so that a
 * restart or a new owner of the partition goes on counting instead of starting over).
 */
export interface RetryState {
  /** Offset of the failing event (decimal string for Kafka, bigint-safe). */
  offset: string;
  /** Attempts begun so far (an attempt that crashed the process counts too). */
  attempts: number;
  /** Local clock (Date.now()) of the first failure, derived from the database's clock when restored. */
  firstFailedAt: number;
  /** The last error (restored as an Error with its code when read back from the database). */
  error: unknown;
}

/** The error a restored retry state carries: the stored message and code, so the DLQ headers stay true. */
export function restoredError(message: string | null, code: string | null): Error {
  return Object.assign(new Error(message ?? 'the handler failed (error not recorded)'), code ? { code } : {});
}
