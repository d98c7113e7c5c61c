import { JobError } from './job.error';
import type { JobResult } from './job-type';
import { finiteOnly } from './progress.reporter';

/** How an attempt ended, ready to become a StepCompleted or a StepFailed. */
export type StepOutcome = CompletedOutcome | FailedOutcome;
export interface CompletedOutcome {
  kind: 'completed';
  outputs: string | null;
  metrics: Record<string, number> | null;
}
export interface FailedOutcome {
  kind: 'failed';
  errorCode: string;
  errorMessage: string;
  retryable: boolean;
}

const MAX_MESSAGE = 4000;

export function failedOutcome(err: JobError): FailedOutcome {
  return { kind: 'failed', errorCode: err.code, errorMessage: clip(err.detail), retryable: err.retryable };
}

/**
 * Classifies what a job threw. When the attempt's signal was aborted, the abort reason wins: the job
 * most likely threw because of it (an AbortError, a closed stream), and the reason says why.
 */
export function outcomeOfError(err: unknown, signal: AbortSignal, scrub: (text: string) => string): StepOutcome {
  if (signal.aborted && signal.reason instanceof JobError) return failedOutcome(signal.reason);
  if (err instanceof JobError) return { ...failedOutcome(err), errorMessage: clip(scrub(err.detail)) };
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'failed', errorCode: 'FF_JOB_FAILED', errorMessage: clip(scrub(message || 'the job threw an error without a message')), retryable: true };
}

/** A returned result becomes StepCompleted, unless its outputs cannot travel as JSON. */
export function outcomeOfResult(result: JobResult | void): StepOutcome {
  const metrics = result?.metrics ? finiteOnly(result.metrics) : null;
  if (!result?.outputs) return { kind: 'completed', outputs: null, metrics };
  try {
    const outputs = JSON.stringify(result.outputs);
    if (typeof outputs !== 'string') throw new Error('outputs serialised to nothing');
    return { kind: 'completed', outputs, metrics };
  } catch (err) {
    return {
      kind: 'failed',
      errorCode: 'FF_JOB_OUTPUT_INVALID',
      errorMessage: `the job returned outputs that are not JSON-serialisable (${err instanceof Error ? err.message : String(err)})`,
      retryable: false,
    };
  }
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
