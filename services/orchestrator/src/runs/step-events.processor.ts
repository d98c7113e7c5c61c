import { Inject, Injectable } from '@nestjs/common';
import { StepCancelRequested, type StepCompletedEvent, StepFailedEvent, StepLogEvent, StepProgressEvent, StepStartedEvent } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { RunLogStore } from './run-log.store';
import { RunOutbox, type HandlerTransaction } from './run.outbox';
import { RunStepStore } from './run-step.store';
import { RunAdmission } from './run.admission';
import { RunEngine } from './run.engine';
import type { StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunScopes } from './run.scopes';

interface AttemptRef {
  runId: string;
  stepId: string;
  attempt: number;
  eventId: string;
}

/** Outputs travel as JSON text; a step's outputs are an object (anything else is kept under `value`). */
function parseOutputs(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: text };
  }
}

/**
 * What the executors' answers do to a run, in the bus handler's transaction. Only the current attempt
 * of a step that has an attempt out (queued or running) counts: an answer from an attempt the
 * orchestrator wrote off (lost lease, timeout, cancel) or a duplicate is logged and ignored, so a late
 * completion can never change a step twice.
 */
@Injectable()
export class StepEventsProcessor {
  constructor(
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly scopes: RunScopes,
    private readonly engine: RunEngine,
    private readonly admission: RunAdmission,
    private readonly logs: RunLogStore,
    private readonly steps: RunStepStore,
    private readonly outbox: RunOutbox,
  ) {}

  started(ctx: HandlerTransaction, e: StepStartedEvent): Promise<void> {
    return this.withCurrentAttempt(
      ctx,
      e,
      'StepStarted',
      (scope, step) => this.engine.started(scope, step, e.instanceId, e.leaseMs),
      () => this.lateStart(ctx.tx, e),
    );
  }

  /**
   * A start for an attempt that is no longer current. Overtaken by its own outcome (a job that fails at
   * once): the attempt still says where it ran. Written off before it started (cancelled, timed out,
   * lost): executors hear cancels only from the moment they subscribe (broadcast), so an executor that
   * started it late — or came up after the cancel — is told again to stop it.
   */
  private async lateStart(tx: Queryable, e: StepStartedEvent): Promise<void> {
    const state = await this.steps.recordLateStart(tx, e, e.instanceId);
    if (state === 'cancelled' || state === 'timed_out' || state === 'lost') {
      const reason = `attempt ${e.attempt} was written off (${state}) before it started on ${e.instanceId}`;
      this.outbox.add(tx, StepCancelRequested, { runId: e.runId, stepId: e.stepId, attempt: e.attempt, reason }, { key: e.runId });
    }
  }

  progress(ctx: HandlerTransaction, e: StepProgressEvent): Promise<void> {
    return this.withCurrentAttempt(ctx, e, 'StepProgress', (scope, step) => this.engine.heartbeat(scope, step));
  }

  completed(ctx: HandlerTransaction, e: StepCompletedEvent): Promise<void> {
    return this.withCurrentAttempt(ctx, e, 'StepCompleted', (scope, step) => this.engine.completed(scope, step, parseOutputs(e.outputs), e.metrics));
  }

  failed(ctx: HandlerTransaction, e: StepFailedEvent): Promise<void> {
    return this.withCurrentAttempt(ctx, e, 'StepFailed', (scope, step) => this.engine.failed(scope, step, e.errorCode, e.errorMessage, e.retryable));
  }

  /** Lines are kept for any attempt (they describe what it did); only the current one renews its lease. */
  log(ctx: HandlerTransaction, e: StepLogEvent): Promise<void> {
    return this.outbox.handle(ctx, () => this.appendLog(ctx.tx, e));
  }

  private async appendLog(tx: Queryable, e: StepLogEvent): Promise<void> {
    const scope = await this.scopes.open(tx, e.runId);
    if (!scope) {
      this.logger.warn({ runId: e.runId, stepId: e.stepId, eventId: e.eventId }, `FF_RUN_NOT_FOUND: StepLog for unknown run ${e.runId} dropped`);
      return;
    }
    const step = scope.step(e.stepId);
    if (!step) {
      this.logger.warn({ runId: e.runId, stepId: e.stepId }, `FF_RUN_STEP_NOT_FOUND: StepLog for unknown step "${e.stepId}" of run ${e.runId} dropped`);
      return;
    }
    await this.logs.append(tx, e.runId, e.stepId, e.attempt, e.lines);
    if (this.isCurrent(step, e.attempt)) await this.engine.heartbeat(scope, step);
  }

  /** What the handler publishes goes out with the rest of its batch, just before the bus commits (RunOutbox). */
  private withCurrentAttempt(
    ctx: HandlerTransaction,
    e: AttemptRef,
    what: string,
    fn: (scope: RunScope, step: StepRecord) => Promise<void>,
    onStale?: () => Promise<void>,
  ): Promise<void> {
    return this.outbox.handle(ctx, () => this.onCurrentAttempt(ctx.tx, e, what, fn, onStale));
  }

  private async onCurrentAttempt(
    tx: Queryable,
    e: AttemptRef,
    what: string,
    fn: (scope: RunScope, step: StepRecord) => Promise<void>,
    onStale?: () => Promise<void>,
  ): Promise<void> {
    const scope = await this.scopes.open(tx, e.runId);
    const step = scope?.step(e.stepId);
    if (!scope || !step) {
      this.logger.warn({ runId: e.runId, stepId: e.stepId, attempt: e.attempt, eventId: e.eventId }, `FF_RUN_STEP_NOT_FOUND: ${what} for unknown run/step ignored`);
      return;
    }
    if (!this.isCurrent(step, e.attempt)) {
      this.logger.info(
        { runId: e.runId, stepId: e.stepId, attempt: e.attempt, currentAttempt: step.attempt, state: step.state, eventId: e.eventId },
        `FF_STEP_EVENT_STALE: ${what} of attempt ${e.attempt} ignored; step "${e.stepId}" is ${step.state} at attempt ${step.attempt}`,
      );
      await onStale?.();
      return;
    }
    await fn(scope, step);
    await this.admission.afterChange(scope);
  }

  private isCurrent(step: StepRecord, attempt: number): boolean {
    return step.attempt === attempt && (step.state === 'queued' || step.state === 'running');
  }
}
