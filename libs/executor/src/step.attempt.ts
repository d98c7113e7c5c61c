import { redactDeep, scrubText } from '@flowforge/service-kit';
import type { StepLogLevel } from '@flowforge/contracts';
import type { ExecutorLogger } from './executor.logger';
import { JobError } from './job.error';
import type { JobContext, JobLogFields, JobLogger, JobType } from './job-type';
import { ProgressReporter } from './progress.reporter';
import type { AttemptRef, StepEventsPublisher } from './step-events.publisher';
import { StepLogBuffer } from './step-log.buffer';
import { failedOutcome, outcomeOfError, outcomeOfResult, type StepOutcome } from './step-outcome';
import { delay, setTimeoutAt, type TimerHandle } from './timers';

export interface StepAttemptOptions {
  ref: AttemptRef;
  jobType: JobType;
  jobVersion: string;
  /** Validated config. */
  config: unknown;
  deadlineAt: number | null;
  instanceId: string;
  events: StepEventsPublisher;
  /** Already bound to executor/instance; the attempt adds runId/stepId/attempt/jobType. */
  logger: ExecutorLogger;
  heartbeatMs: number;
  /** After an abort, how long the job gets to stop before the attempt is reported failed anyway. */
  abortGraceMs: number;
  /** Called once the job function has returned or thrown: its concurrency slot is free again. */
  onJobSettled(): void;
}

const MAX_LINE = 10_000;
const TERMINAL_PUBLISH_TRIES = 5;

/**
 * One attempt running on this replica, from StepStarted to its terminal event: builds the job's
 * context, keeps the lease alive, streams logs, aborts on deadline/cancel/shutdown, and reports how it
 * ended. Runs outside any bus transaction — it may last hours.
 */
export class StepAttempt {
  private readonly controller = new AbortController();
  private readonly logs: StepLogBuffer;
  private readonly progress: ProgressReporter;
  private readonly log: ExecutorLogger;
  private closed = false;
  private runPromise: Promise<void> | null = null;

  constructor(private readonly opts: StepAttemptOptions) {
    const { ref, events } = opts;
    this.log = withContext(opts.logger, { runId: ref.runId, stepId: ref.stepId, attempt: ref.attempt, jobType: opts.jobType.type });
    this.logs = new StepLogBuffer({
      send: (lines) => events.log(ref, lines),
      onLost: (n, err) => this.log.warn('FF_EXECUTOR_LOG_LOST: a batch of step log lines could not be published', { lines: n, error: String(err) }),
    });
    this.progress = new ProgressReporter({
      heartbeatMs: opts.heartbeatMs,
      send: async (p, heartbeat) => {
        await events.progress(ref, p);
        if (heartbeat) this.log.debug('heartbeat', { percent: p.percent });
        else this.log.info('progress', { percent: p.percent, progress: p.message, metrics: p.metrics });
      },
      onSendFailed: (err) =>
        this.log.warn('FF_EXECUTOR_HEARTBEAT_FAILED: StepProgress could not be published; the lease expires if this persists', { error: String(err) }),
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first reason wins; later aborts (a cancel after the deadline...) change nothing. */
  abort(reason: JobError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Runs the job and resolves once the terminal event is published (or publishing was given up). */
  run(): Promise<void> {
    this.runPromise ??= this.execute();
    return this.runPromise;
  }

  private async execute(): Promise<void> {
    const deadline = this.armDeadline();
    const timers: { grace?: TimerHandle } = {};
    this.progress.start();
    this.log.info('step attempt started', { deadlineAt: this.opts.deadlineAt });
    try {
      const job = this.runJob();
      void job.then(() => this.opts.onJobSettled());
      // A job that ignores its signal must not keep the orchestrator waiting: after the grace period
      // the abort reason is reported, and the job's eventual result is dropped.
      const abandoned = new Promise<StepOutcome>((resolve) => {
        const onAbort = (): void => {
          timers.grace = setTimeoutAt(Date.now() + this.opts.abortGraceMs, () => {
            this.log.warn(
              'FF_EXECUTOR_ABORT_IGNORED: the job did not stop after its signal aborted; reporting the attempt failed, its slot stays taken until it returns',
              {
                graceMs: this.opts.abortGraceMs,
              },
            );
            resolve(failedOutcome(this.controller.signal.reason as JobError));
          });
        };
        if (this.controller.signal.aborted) onAbort();
        else this.controller.signal.addEventListener('abort', onAbort, { once: true });
      });
      const outcome = await Promise.race([job, abandoned]);
      await this.finish(outcome);
    } finally {
      deadline?.clear();
      timers.grace?.clear();
    }
  }

  /** Never rejects: whatever the job does becomes an outcome. */
  private runJob(): Promise<StepOutcome> {
    const ctx = this.context();
    return new Promise<void>((resolve) => setImmediate(resolve)) // off the dispatch handler's call stack
      .then(() => this.opts.jobType.execute(ctx))
      .then(
        (result) => outcomeOfResult(result),
        (err: unknown) => outcomeOfError(err, this.controller.signal, scrubText),
      );
  }

  private async finish(outcome: StepOutcome): Promise<void> {
    this.closed = true;
    await this.progress.stop();
    await this.logs.flush();
    for (let i = 1; ; i++) {
      try {
        await this.opts.events.outcome(this.opts.ref, outcome);
        break;
      } catch (err) {
        if (i >= TERMINAL_PUBLISH_TRIES) {
          // The orchestrator's lease expires and it dispatches the next attempt: late, but not lost.
          this.log.error('FF_EXECUTOR_RESULT_LOST: the outcome of the attempt could not be published', { outcome: outcome.kind, error: String(err) });
          return;
        }
        await delay(200 * 2 ** (i - 1));
      }
    }
    if (outcome.kind === 'completed') this.log.info('step attempt completed', { metrics: outcome.metrics });
    else this.log.warn('step attempt failed', { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, retryable: outcome.retryable });
  }

  private armDeadline(): TimerHandle | null {
    const at = this.opts.deadlineAt;
    if (at === null) return null;
    return setTimeoutAt(at, () =>
      this.abort(new JobError('FF_STEP_DEADLINE_EXCEEDED', `the attempt ran past its deadline ${new Date(at).toISOString()}`, { retryable: false })),
    );
  }

  private context(): JobContext<unknown> {
    const { ref, jobType } = this.opts;
    const opts = this.opts;
    return {
      runId: ref.runId,
      stepId: ref.stepId,
      attempt: ref.attempt,
      jobType: jobType.type,
      jobVersion: opts.jobVersion,
      instanceId: opts.instanceId,
      config: opts.config,
      deadlineAt: opts.deadlineAt === null ? null : new Date(opts.deadlineAt),
      signal: this.controller.signal,
      log: this.jobLogger(),
      progress: (p) => {
        if (!this.closed) this.progress.update(p);
      },
    };
  }

  private jobLogger(): JobLogger {
    const write = (level: StepLogLevel, message: string, fields?: JobLogFields): void => {
      // Jobs log what they like; secret-looking keys and URL passwords are masked before the line
      // leaves the process, in StepLog and in the replica's own log alike.
      const safeFields = fields === undefined ? undefined : (redactDeep(fields) as Record<string, unknown>);
      const safeMessage = clip(scrubText(String(message)));
      this.log[level](safeMessage, safeFields === undefined ? undefined : { fields: safeFields });
      // Lines written after the outcome went out (a job that ignored its abort) stay local.
      if (this.closed) return;
      this.logs.add({ at: Date.now(), level, message: safeMessage, fields: safeFields === undefined ? null : clip(jsonOf(safeFields)) });
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
    };
  }
}

function withContext(logger: ExecutorLogger, ids: Record<string, unknown>): ExecutorLogger {
  return {
    debug: (m, c) => logger.debug(m, { ...c, ...ids }),
    info: (m, c) => logger.info(m, { ...c, ...ids }),
    warn: (m, c) => logger.warn(m, { ...c, ...ids }),
    error: (m, c) => logger.error(m, { ...c, ...ids }),
  };
}

function jsonOf(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '{}';
  } catch {
    return JSON.stringify({ unserialisable: Object.keys(fields) });
  }
}

function clip(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}
