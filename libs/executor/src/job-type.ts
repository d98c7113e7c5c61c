/**
 * What an executor author writes: one JobType per kind of work (e.g. "ingest.file"). The kit
 * (StepExecutor) does the rest of the protocol — validation, lease, heartbeats, logs, cancellation,
 * results — so a job only does its work and honours `ctx.signal`.
 */
export interface JobType<C = unknown> {
  /** Job type name as workflows reference it, e.g. "noop", "ingest.file". Unique per executor. */
  readonly type: string;
  /** Version of the configuration schema (announced in ExecutorRegistered). */
  readonly version: number;
  readonly description?: string;
  /** JSON Schema (draft 2020-12) of the config; the kit validates every dispatch against it first. */
  readonly configSchema: object;
  /**
   * Runs one attempt. Return outputs/metrics to complete the step; throw JobError for a classified
   * failure (any other error is FF_JOB_FAILED, retryable). Declared as a method (not a property) so a
   * JobType<{ ms: number }> is accepted where a JobType<unknown> is expected.
   */
  execute(ctx: JobContext<C>): Promise<JobResult | void>;
}

export interface JobContext<C> {
  readonly runId: string;
  readonly stepId: string;
  /** 1 for the first attempt, incremented by the orchestrator on each retry or re-dispatch. */
  readonly attempt: number;
  readonly jobType: string;
  /** The version the orchestrator dispatched (StepDispatched.jobVersion, as text). */
  readonly jobVersion: string;
  /** The replica running the attempt (StepStarted.instanceId). */
  readonly instanceId: string;
  /** The validated config (schema defaults applied). Holds secrets: never log it. */
  readonly config: C;
  readonly deadlineAt: Date | null;
  /**
   * Aborts on cancel request, deadline or replica shutdown; `signal.reason` is the JobError the
   * attempt fails with. Honour it by throwing (`ctx.signal.throwIfAborted()`, or pass it to fetch/streams).
   */
  readonly signal: AbortSignal;
  /** Lines go to the orchestrator (StepLog, batched) and to the replica's own log. */
  readonly log: JobLogger;
  /** Latest progress; merged and sent as StepProgress, throttled. Heartbeats are the kit's job, not yours. */
  progress(p: JobProgress): void;
}

export interface JobResult {
  /** Passed to downstream steps; must be JSON-serialisable. */
  outputs?: Record<string, unknown>;
  /** Final counters, e.g. { rowsWritten: 1200 }. */
  metrics?: Record<string, number>;
}

export interface JobProgress {
  /** 0..100. */
  percent?: number;
  message?: string;
  /** Running counters, merged with the ones reported before. */
  metrics?: Record<string, number>;
}

export type JobLogFields = Record<string, unknown>;

export interface JobLogger {
  debug(message: string, fields?: JobLogFields): void;
  info(message: string, fields?: JobLogFields): void;
  warn(message: string, fields?: JobLogFields): void;
  error(message: string, fields?: JobLogFields): void;
}
