import { Inject, Injectable } from '@nestjs/common';
import type { EventContext } from '@flowforge/bus';
import { StepCancelRequested, type StepCompletedEvent, StepFailedEvent, StepLogEvent, StepProgressEvent, StepStartedEvent } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { RunLogStore } from './run-log.store';
import { RunOutbox } from './run.outbox';
import { RunStepStore } from './run-step.store';
import { RunAdmission } from './run.admission';
import { RunEngine } from './run.engine';
import type { StepProgressRecord, StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunScopes } from './run.scopes';
import { RunStore } from './run.store';

/** What a step event handler needs of its bus delivery: the transaction, and where the event stands. */
export type StepEventContext = Pick<EventContext, 'tx' | 'beforeCommit' | 'topic' | 'partition' | 'offset' | 'attempt'>;

/** One step event of a bus batch, applied when the batch's handlers have all run. */
interface PendingEvent {
  runId: string;
  at: string;
  apply: () => Promise<void>;
}

interface AttemptRef {
  runId: string;
  stepId: string;
  attempt: number;
  eventId: string;
}

/** The progress an event reports, bounded: a finite percent in [0, 100], a message of at most 500 characters, finite counters. */
export function progressOf(e: StepProgressEvent): StepProgressRecord {
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(e.metrics ?? {}).slice(0, 32)) if (Number.isFinite(v)) metrics[k.slice(0, 64)] = v;
  const percent = e.percent !== null && Number.isFinite(e.percent) ? Math.min(100, Math.max(0, e.percent)) : null;
  return { attempt: e.attempt, percent, message: e.message === null ? null : e.message.slice(0, 500), metrics, at: new Date(e.occurredAt).toISOString() };
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
 *
 * Lock order. The Postgres bus handles a batch of events (one topic partition, several runs) in one
 * transaction, and each event locks its run until that transaction ends. Applied as they came, a batch
 * of StepStarted locking runs A then B and a batch of StepCompleted locking B then A deadlocked (13 in
 * one benchmark). So the handlers only collect their events; once the batch's last handler ran
 * (EventContext.beforeCommit) every run of the batch is locked at once in id order
 * (RunStore.lockInOrder), then the events are applied in their order. Every transaction that holds more
 * than one run takes them that way, the others hold one (HTTP commands) or skip a locked one (the
 * sweeper), so no two wait for each other. Nothing is retried: the cycle cannot form.
 */
@Injectable()
export class StepEventsProcessor {
  /** A bus batch's events, by its beforeCommit function (one per transaction: nothing outlives it). */
  private readonly batches = new WeakMap<object, PendingEvent[]>();
  /**
   * An event whose work failed when its batch was applied, by `topic/partition`: the bus blames the last
   * event of the batch, so on its next delivery this one fails on its own, where the bus can retry it
   * alone and dead-letter it — not the events behind it (see collect()).
   */
  private readonly suspects = new Map<string, { offset: string; error: unknown }>();

  constructor(
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly scopes: RunScopes,
    private readonly engine: RunEngine,
    private readonly admission: RunAdmission,
    private readonly logs: RunLogStore,
    private readonly steps: RunStepStore,
    private readonly outbox: RunOutbox,
    private readonly runs: RunStore,
  ) {}

  started(ctx: StepEventContext, e: StepStartedEvent): Promise<void> {
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
    const state = await this.steps.recordLateStart(tx, e, e.instanceId, new Date());
    if (state === 'cancelled' || state === 'timed_out' || state === 'lost') {
      const reason = `attempt ${e.attempt} was written off (${state}) before it started on ${e.instanceId}`;
      this.outbox.add(tx, StepCancelRequested, { runId: e.runId, stepId: e.stepId, attempt: e.attempt, reason }, { key: e.runId });
    }
  }

  /** Renews the attempt's lease and keeps what it reported (the run's views and live stream show it). */
  progress(ctx: StepEventContext, e: StepProgressEvent): Promise<void> {
    return this.withCurrentAttempt(ctx, e, 'StepProgress', async (scope, step) => {
      await this.engine.heartbeat(scope, step);
      await this.steps.recordProgress(scope.tx, step, progressOf(e));
    });
  }

  completed(ctx: StepEventContext, e: StepCompletedEvent): Promise<void> {
    return this.withCurrentAttempt(ctx, e, 'StepCompleted', (scope, step) => this.engine.completed(scope, step, parseOutputs(e.outputs), e.metrics));
  }

  failed(ctx: StepEventContext, e: StepFailedEvent): Promise<void> {
    return this.withCurrentAttempt(ctx, e, 'StepFailed', (scope, step) => this.engine.failed(scope, step, e.errorCode, e.errorMessage, e.retryable));
  }

  /** Lines are kept for any attempt (they describe what it did); only the current one renews its lease. */
  log(ctx: StepEventContext, e: StepLogEvent): Promise<void> {
    return this.collect(ctx, e.runId, () => this.appendLog(ctx.tx, e));
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

  private withCurrentAttempt(
    ctx: StepEventContext,
    e: AttemptRef,
    what: string,
    fn: (scope: RunScope, step: StepRecord) => Promise<void>,
    onStale?: () => Promise<void>,
  ): Promise<void> {
    return this.collect(ctx, e.runId, () => this.onCurrentAttempt(ctx.tx, e, what, fn, onStale));
  }

  /**
   * Queues the event's work for the end of its bus batch (applyBatch); a bus that handles one event per
   * transaction (no beforeCommit) applies it at once — one run, nothing to order.
   */
  private async collect(ctx: StepEventContext, runId: string, apply: () => Promise<void>): Promise<void> {
    const { tx, beforeCommit } = ctx;
    if (!beforeCommit) {
      await this.outbox.within(tx, apply);
      return;
    }
    const where = `${ctx.topic}/${ctx.partition}`;
    const suspect = this.suspects.get(where);
    if (suspect?.offset === ctx.offset && ctx.attempt === 1) {
      // Its work failed in the batch before (the bus blamed the batch's last event): failing here makes
      // the bus commit the events before it and retry this one alone, with its backoff and DLQ.
      throw suspect.error;
    }
    let batch = this.batches.get(beforeCommit);
    if (!batch) {
      const events: PendingEvent[] = [];
      this.batches.set(beforeCommit, events);
      beforeCommit(() => this.applyBatch(tx, where, events));
      batch = events;
    }
    batch.push({ runId, at: ctx.offset, apply });
  }

  /**
   * Locks the batch's runs in id order, then applies its events in their order; what they publish goes
   * out at the end, just before the bus commits (RunOutbox).
   */
  private async applyBatch(tx: Queryable, where: string, events: PendingEvent[]): Promise<void> {
    await this.runs.lockInOrder(tx, [...new Set(events.map((p) => p.runId))]);
    let current: PendingEvent | undefined;
    try {
      await this.outbox.within(tx, async () => {
        for (const event of events) {
          current = event;
          await event.apply();
        }
      });
    } catch (error) {
      if (current) this.suspects.set(where, { offset: current.at, error });
      throw error;
    }
    if (this.suspects.has(where) && events.some((p) => p.at === this.suspects.get(where)!.offset)) this.suspects.delete(where);
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
      this.logger.warn(
        { runId: e.runId, stepId: e.stepId, attempt: e.attempt, eventId: e.eventId },
        `FF_RUN_STEP_NOT_FOUND: ${what} for unknown run/step ignored`,
      );
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
