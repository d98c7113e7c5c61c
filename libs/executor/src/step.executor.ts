import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventBus, EventContext, Subscription } from '@flowforge/bus';
import {
  StepCancelRequested,
  StepDispatched,
  StepExecutorSymbols,
  stepDispatchedTopic,
  type StepCancelRequestedEvent,
  type StepDispatchedEvent,
  type StepExecutor as StepExecutorName,
} from '@flowforge/contracts';
import { AttemptSlots } from './attempt.slots';
import { consoleExecutorLogger, type ExecutorLogger } from './executor.logger';
import { JobConfigValidator } from './job-config.validator';
import { ExecutorError, JobError } from './job.error';
import type { JobType } from './job-type';
import { attemptKey, RecentAttempts } from './recent.attempts';
import { StepAttempt } from './step.attempt';
import { StepEventsPublisher, type AttemptRef } from './step-events.publisher';
import { failedOutcome } from './step-outcome';
import { setTimeoutAt } from './timers';

export type { StepExecutorName };

export interface StepExecutorOptions {
  bus: EventBus;
  /** Which dispatch topic this replica consumes (flowforge.step.dispatched.<executor>). */
  executor: StepExecutorName;
  jobTypes: ReadonlyArray<JobType>;
  /** The replica's name in StepStarted and its cancel group (default: host-pid-random). */
  instanceId?: string;
  /** Announced in StepStarted; the kit heartbeats every leaseMs / 3 (default 30 000). */
  leaseMs?: number;
  /** Attempts running at once on this replica (default 4). */
  maxConcurrentSteps?: number;
  /** How long an aborted job gets to stop before its attempt is reported failed anyway (default 5 000). */
  abortGraceMs?: number;
  logger?: ExecutorLogger;
}

/** What the replica is doing right now (for health pages, metrics and tests). */
export interface StepExecutorStatus {
  state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';
  /** Attempts between StepStarted and their terminal event. */
  running: number;
  /** Dispatch handlers waiting for a free slot (each holds its bus transaction). */
  waiting: number;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_CONCURRENT = 4;
const DEFAULT_ABORT_GRACE_MS = 5_000;
/** Dispatch handlers fail only on infrastructure trouble (or shutdown): retry long before dead-lettering. */
const DISPATCH_MAX_ATTEMPTS = 10;
const RECENT_MAX = 10_000;
const RECENT_TTL_MS = 3_600_000;

/** Consumer group of the dispatch topic, shared by every replica of an executor: each dispatch runs once. */
export function dispatchGroup(executor: StepExecutorName): string {
  return `executor-${executor}`;
}

/**
 * Prefix of the cancel requests' broadcast group: the bus adds a suffix per subscription, so every
 * replica (and every start of one) hears every cancel published from its start on, and the group is
 * deleted when the replica stops (or expires when it dies).
 */
export function cancelGroup(executor: StepExecutorName, instanceId: string): string {
  return `executor-${executor}-cancel-${instanceId}`;
}

/**
 * The executor side of the orchestration protocol (docs/architecture.md, "Work is dispatched as events"):
 * takes StepDispatched attempts from its executor's topic, runs them with the job types it was given,
 * and answers with StepStarted / StepProgress / StepLog / StepCompleted / StepFailed.
 *
 * A dispatch handler never holds its bus transaction while a job runs: it validates, waits for one of
 * maxConcurrentSteps slots, publishes StepStarted in that transaction, hands the attempt to a
 * StepAttempt and returns. Everything after StepStarted is published on its own.
 */
export class StepExecutor {
  readonly instanceId: string;
  readonly executor: StepExecutorName;
  readonly leaseMs: number;
  private readonly bus: EventBus;
  private readonly jobTypes = new Map<string, JobType>();
  private readonly validator: JobConfigValidator;
  private readonly events: StepEventsPublisher;
  private readonly slots: AttemptSlots;
  private readonly abortGraceMs: number;
  private readonly logger: ExecutorLogger;
  private readonly attempts = new Map<string, StepAttempt>();
  /** Attempts waiting for a slot, so a cancel can reach them before they start. */
  private readonly waiting = new Map<string, AbortController>();
  private readonly finished = new RecentAttempts<true>(RECENT_MAX, RECENT_TTL_MS);
  private readonly earlyCancels = new RecentAttempts<string>(RECENT_MAX, RECENT_TTL_MS);
  private state: StepExecutorStatus['state'] = 'idle';
  private dispatchSub: Subscription | null = null;
  private cancelSub: Subscription | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(opts: StepExecutorOptions) {
    this.bus = opts.bus;
    this.executor = checkedExecutor(opts.executor);
    this.leaseMs = checkedInt('leaseMs', opts.leaseMs ?? DEFAULT_LEASE_MS, 100, 2 ** 31 - 1);
    this.slots = new AttemptSlots(checkedInt('maxConcurrentSteps', opts.maxConcurrentSteps ?? DEFAULT_MAX_CONCURRENT, 1, 10_000));
    this.abortGraceMs = checkedInt('abortGraceMs', opts.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS, 0, 2 ** 31 - 1);
    this.instanceId =
      opts.instanceId ??
      `${hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 80)}-${process.pid}-${randomUUID().slice(0, 8)}`;
    if (!/^[A-Za-z0-9._-]{1,120}$/.test(this.instanceId)) {
      throw new ExecutorError('FF_EXECUTOR_OPTIONS_INVALID', `instanceId "${this.instanceId}" must be 1-120 characters of [A-Za-z0-9._-]`);
    }
    if (opts.jobTypes.length === 0) throw new ExecutorError('FF_EXECUTOR_OPTIONS_INVALID', `executor "${this.executor}" was given no job types`);
    for (const jt of opts.jobTypes) {
      if (typeof jt.type !== 'string' || jt.type.length === 0) throw new ExecutorError('FF_EXECUTOR_OPTIONS_INVALID', 'a job type has an empty name');
      if (this.jobTypes.has(jt.type)) throw new ExecutorError('FF_EXECUTOR_OPTIONS_INVALID', `job type "${jt.type}" is given twice`);
      checkedInt(`version of job type "${jt.type}"`, jt.version, 1, 2 ** 31 - 1);
      this.jobTypes.set(jt.type, jt);
    }
    this.validator = new JobConfigValidator(opts.jobTypes);
    const base = opts.logger ?? consoleExecutorLogger;
    const ids = { executor: this.executor, instanceId: this.instanceId };
    this.logger = {
      debug: (m, c) => base.debug(m, { ...c, ...ids }),
      info: (m, c) => base.info(m, { ...c, ...ids }),
      warn: (m, c) => base.warn(m, { ...c, ...ids }),
      error: (m, c) => base.error(m, { ...c, ...ids }),
    };
    this.events = new StepEventsPublisher(this.bus, this.executor, this.instanceId, this.leaseMs);
  }

  /** Heartbeat period: three renewals per lease, so one lost or late event does not cost the lease. */
  get heartbeatMs(): number {
    return Math.max(1, Math.floor(this.leaseMs / 3));
  }

  status(): StepExecutorStatus {
    return { state: this.state, running: this.attempts.size, waiting: this.waiting.size };
  }

  /** Subscribes to cancels, announces the job types (ExecutorRegistered), then takes dispatches. */
  start(): Promise<void> {
    if (this.state !== 'idle')
      return Promise.reject(new ExecutorError('FF_EXECUTOR_STATE', `start() called on a ${this.state} executor; create a new StepExecutor`));
    this.state = 'starting';
    this.starting = this.subscribe();
    return this.starting;
  }

  /**
   * Graceful stop: takes no more dispatches (a handler waiting for a slot gives its dispatch back to
   * the group), aborts running jobs with FF_STEP_INTERRUPTED (retryable), waits until each has reported
   * (at most abortGraceMs after the abort), then leaves the cancel group. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async subscribe(): Promise<void> {
    try {
      // Cancels first: a cancel for an attempt we are about to take must not slip past. Broadcast: only
      // cancels from now on concern this replica, and its group must not outlive it.
      this.cancelSub = await this.bus.subscribe(StepCancelRequested, { group: cancelGroup(this.executor, this.instanceId), broadcast: true }, (ev) =>
        this.onCancelRequested(ev),
      );
      await this.events.registered([...this.jobTypes.values()]);
      // Handlers may run before subscribe() returns.
      this.state = 'running';
      this.dispatchSub = await this.bus.subscribe(
        StepDispatched,
        { group: dispatchGroup(this.executor), topic: stepDispatchedTopic(this.executor), maxAttempts: DISPATCH_MAX_ATTEMPTS },
        (ev, ctx) => this.onDispatched(ev, ctx),
      );
      this.logger.info('executor started', { jobTypes: [...this.jobTypes.keys()], leaseMs: this.leaseMs, maxConcurrentSteps: this.slots.size });
    } catch (err) {
      this.state = 'stopping';
      await this.dispatchSub?.close().catch(() => undefined);
      await this.cancelSub?.close().catch(() => undefined);
      this.state = 'stopped';
      throw err;
    }
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    await this.starting?.catch(() => undefined);
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    // Closing first, then failing the waiters: the bus sees its worker halted and does not retry them.
    const closing = this.dispatchSub?.close();
    this.slots.close(new ExecutorError('FF_EXECUTOR_STOPPING', `replica ${this.instanceId} is stopping; the dispatch goes back to the group`));
    await closing;
    const interrupted = new JobError('FF_STEP_INTERRUPTED', `executor replica ${this.instanceId} shut down while the attempt was running`, { retryable: true });
    const running = [...this.attempts.values()];
    for (const a of running) a.abort(interrupted);
    await Promise.all(running.map((a) => a.run()));
    await this.cancelSub?.close();
    this.state = 'stopped';
    this.logger.info('executor stopped', { interrupted: running.length });
  }

  private async onDispatched(ev: StepDispatchedEvent, ctx: EventContext): Promise<void> {
    if (this.state !== 'running') {
      // Thrown, not acknowledged: the transaction rolls back and the dispatch stays in the group.
      throw new ExecutorError('FF_EXECUTOR_STOPPING', `replica ${this.instanceId} is stopping; the dispatch goes back to the group`);
    }
    const ref: AttemptRef = { runId: ev.runId, stepId: ev.stepId, attempt: ev.attempt };
    const key = attemptKey(ref);
    const log = { runId: ev.runId, stepId: ev.stepId, attempt: ev.attempt, jobType: ev.jobType };

    if (this.attempts.has(key)) {
      // A redelivery: the transaction that carried our StepStarted did not commit. Announce again, run once.
      await this.events.started(ref, ctx.tx);
      this.logger.info('dispatch redelivered for an attempt running here; announced again, not run twice', log);
      return;
    }
    if (this.finished.get(key)) {
      // Its outcome was published on its own and committed; running it again would report twice.
      this.logger.info('dispatch redelivered for an attempt this replica already finished; ignored', log);
      return;
    }

    const accepted = this.accept(ev);
    if (accepted instanceof JobError) {
      // Refused in the dispatch transaction: no StepStarted, the StepFailed commits with the offset.
      await this.events.outcome(ref, failedOutcome(accepted), ctx.tx);
      this.logger.warn('dispatch refused', { ...log, errorCode: accepted.code, errorMessage: accepted.detail });
      return;
    }

    let release = this.slots.tryAcquire();
    if (!release) {
      if (ctx.attempt === 1) {
        // The bus handles a batch of dispatches in one transaction: waiting here would keep the StepStarted
        // of the attempts before this one (already running) uncommitted for as long as the wait lasts.
        // Thrown, the batch before this dispatch commits and the bus retries this one alone (attempt 2),
        // in a transaction holding nothing else — then it waits.
        throw new ExecutorError(
          'FF_EXECUTOR_SATURATED',
          `all ${this.slots.size} slots of replica ${this.instanceId} are busy; the dispatch waits for one in a transaction of its own`,
        );
      }
      const waited = await this.waitForSlot(key, ev.deadlineAt);
      if (waited instanceof JobError) {
        await this.events.outcome(ref, failedOutcome(waited), ctx.tx);
        this.logger.warn('dispatch ended while waiting for a slot', { ...log, errorCode: waited.code });
        return;
      }
      release = waited;
    }

    const attempt = new StepAttempt({
      ref,
      jobType: accepted.jobType,
      jobVersion: ev.jobVersion,
      config: accepted.config,
      deadlineAt: ev.deadlineAt,
      instanceId: this.instanceId,
      events: this.events,
      logger: this.logger,
      heartbeatMs: this.heartbeatMs,
      abortGraceMs: this.abortGraceMs,
      onJobSettled: release,
    });
    this.attempts.set(key, attempt);
    try {
      await this.events.started(ref, ctx.tx);
    } catch (err) {
      this.attempts.delete(key);
      release();
      throw err;
    }
    void attempt.run().finally(() => {
      this.attempts.delete(key);
      this.finished.set(key, true);
    });
  }

  /**
   * Waits for a slot while a cancel or the deadline can still end the dispatch (returned as the
   * JobError to report). Shutdown rejects: the dispatch goes back to the group.
   */
  private async waitForSlot(key: string, deadlineAt: number | null): Promise<(() => void) | JobError> {
    const wait = new AbortController();
    const deadline = deadlineAt === null ? null : setTimeoutAt(deadlineAt, () => wait.abort(deadlineError(deadlineAt)));
    this.waiting.set(key, wait);
    let release: () => void;
    try {
      release = await this.slots.acquire(wait.signal);
    } catch (reason) {
      if (reason instanceof JobError) return reason;
      throw reason;
    } finally {
      deadline?.clear();
      this.waiting.delete(key);
    }
    // A cancel or the deadline may land between the grant and this line.
    if (wait.signal.aborted) {
      release();
      return wait.signal.reason as JobError;
    }
    return release;
  }

  /** Everything that refuses a dispatch before it runs; permanent, so not retryable. */
  private accept(ev: StepDispatchedEvent): { jobType: JobType; config: unknown } | JobError {
    const jobType = this.jobTypes.get(ev.jobType);
    if (!jobType) {
      return new JobError(
        'FF_JOB_TYPE_UNKNOWN',
        `executor "${this.executor}" has no job type "${ev.jobType}" (it runs: ${[...this.jobTypes.keys()].join(', ')})`,
        { retryable: false },
      );
    }
    let config: unknown;
    try {
      config = this.validator.parse(jobType, ev.config);
    } catch (err) {
      if (err instanceof JobError) return err;
      throw err;
    }
    if (ev.deadlineAt !== null && ev.deadlineAt <= Date.now()) return deadlineError(ev.deadlineAt);
    const cancelled = this.earlyCancels.get(attemptKey(ev));
    if (cancelled !== undefined) return cancelError(cancelled);
    return { jobType, config };
  }

  private async onCancelRequested(ev: StepCancelRequestedEvent): Promise<void> {
    const key = attemptKey(ev);
    const reason = cancelError(ev.reason);
    const running = this.attempts.get(key);
    if (running) {
      running.abort(reason);
      this.logger.info('cancel requested; aborting the attempt', { runId: ev.runId, stepId: ev.stepId, attempt: ev.attempt, reason: ev.reason });
      return;
    }
    const waiting = this.waiting.get(key);
    if (waiting) {
      waiting.abort(reason);
      return;
    }
    // Not here (yet): another replica's attempt, or a dispatch still on its way (separate topics).
    if (!this.finished.get(key)) this.earlyCancels.set(key, ev.reason, ev.occurredAt);
  }
}

function deadlineError(deadlineAt: number): JobError {
  return new JobError('FF_STEP_DEADLINE_EXCEEDED', `the attempt's deadline ${new Date(deadlineAt).toISOString()} passed before it finished`, {
    retryable: false,
  });
}

function cancelError(reason: string): JobError {
  return new JobError('FF_STEP_CANCELLED', `the attempt was cancelled: ${reason}`, { retryable: false });
}

function checkedExecutor(executor: string): StepExecutorName {
  if (!(StepExecutorSymbols as readonly string[]).includes(executor)) {
    throw new ExecutorError('FF_EXECUTOR_OPTIONS_INVALID', `executor "${executor}" must be one of ${StepExecutorSymbols.join(', ')}`);
  }
  return executor as StepExecutorName;
}

function checkedInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ExecutorError('FF_EXECUTOR_OPTIONS_INVALID', `${name} must be an integer between ${min} and ${max} (got ${String(value)})`);
  }
  return value;
}
