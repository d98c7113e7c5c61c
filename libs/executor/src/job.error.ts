/**
 * Codes a step attempt can fail with that the kit itself produces (StepFailed.errorCode). Jobs add
 * their own (FF_CONN_AUTH, ...) by throwing JobError.
 */
export type StepFailureCode =
  | 'FF_JOB_TYPE_UNKNOWN'
  | 'FF_JOB_CONFIG_INVALID'
  | 'FF_JOB_FAILED'
  | 'FF_JOB_OUTPUT_INVALID'
  | 'FF_STEP_DEADLINE_EXCEEDED'
  | 'FF_STEP_CANCELLED'
  | 'FF_STEP_INTERRUPTED';

/**
 * A classified job failure: `code` becomes StepFailed.errorCode, `detail` its errorMessage, and
 * `retryable` tells the orchestrator whether another attempt can help (default true: a transient
 * cause is the safer guess; pass false for bad input, refused permissions and the like).
 */
export class JobError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: string,
    readonly detail: string,
    opts: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`${code}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'JobError';
    this.retryable = opts.retryable ?? true;
  }
}

/** Errors of the kit itself (bad options, lifecycle misuse), as opposed to failures of a step. */
export type ExecutorErrorCode =
  'FF_EXECUTOR_OPTIONS_INVALID' | 'FF_EXECUTOR_SCHEMA_INVALID' | 'FF_EXECUTOR_SATURATED' | 'FF_EXECUTOR_STOPPING' | 'FF_EXECUTOR_STATE';

export class ExecutorError extends Error {
  constructor(
    readonly code: ExecutorErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ExecutorError';
  }
}
