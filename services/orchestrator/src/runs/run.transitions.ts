import { Injectable } from '@nestjs/common';
import { RunStateChanged } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { assertRunTransition, assertStepTransition, isTerminalRunState, isTerminalStepState, type RunState, type StepState } from '@flowforge/workflow';
import { RUN_FEED_CHANNEL } from './run-feed.channel';
import type { RunRecord, StepRecord } from './run.records';
import { RunOutbox } from './run.outbox';
import type { RunScope } from './run.scope';
import { RunStepStore } from './run-step.store';
import { RunStore } from './run.store';
import { FairShareGate } from './fair-share.gate';
import { RunMetrics } from './run.metrics';

const isOutState = (s: StepState): boolean => s === 'queued' || s === 'running';

export type StepPatch = Partial<Omit<StepRecord, 'runId' | 'stepId' | 'position' | 'state'>>;

/**
 * The only place run and step states change. Each change is checked against the state machines of
 * libs/workflow, written, appended to run_transitions (the feed the SSE stream reads, woken by a NOTIFY
 * that commits with it) and, for runs, published as RunStateChanged in the same transaction (RunOutbox).
 */
@Injectable()
export class RunTransitions {
  constructor(
    private readonly outbox: RunOutbox,
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
    private readonly fairShare: FairShareGate,
    private readonly metrics: RunMetrics,
  ) {}

  /** The first entry of a new run's history (null -> queued). */
  async created(scope: RunScope): Promise<void> {
    await this.record(scope.tx, null, scope.run.id, null, null, null, scope.run.state, scope.run.reason);
    this.publish(scope.tx, scope.run, null);
  }

  async moveRun(scope: RunScope, to: RunState, reason: string | null): Promise<void> {
    const run = scope.run;
    assertRunTransition(run.state, to);
    const from = run.state;
    run.state = to;
    run.reason = reason;
    if (to === 'running') {
      run.startedAt = scope.now;
      run.deadlineAt = run.spec.timeoutMs === undefined ? null : scope.after(run.spec.timeoutMs);
    }
    if (isTerminalRunState(to)) {
      run.finishedAt = scope.now;
      scope.finished = true;
    }
    await this.record(scope.tx, this.runs.saveStatement(run), run.id, null, null, from, to, reason);
    this.publish(scope.tx, run, from);
  }

  async moveStep(scope: RunScope, step: StepRecord, to: StepState, reason: string | null, patch: StepPatch = {}): Promise<void> {
    assertStepTransition(step.state, to);
    const from = step.state;
    // Any change of state ends a fair-share hold (dispatched, cancelled, ...); only a patch sets one.
    step.heldAt = null;
    Object.assign(step, patch);
    step.state = to;
    step.reason = reason;
    if (isTerminalStepState(to)) {
      step.finishedAt = scope.now;
      step.leaseExpiresAt = null;
      step.deadlineAt = null;
      step.nextAttemptAt = null;
    }
    await this.record(scope.tx, this.steps.saveStatement(step), step.runId, step.stepId, step.attempt === 0 ? null : step.attempt, from, to, reason);
    if (isOutState(from) && !isOutState(to)) this.fairShare.slotFreed();
  }

  /** Writes lease/deadline changes of a step that keeps its state (heartbeats). */
  async touchStep(scope: RunScope, step: StepRecord, patch: StepPatch): Promise<void> {
    Object.assign(step, patch);
    await this.steps.save(scope.tx, step);
  }

  /**
   * Appends to the run's history; `change` (the row's UPDATE) rides in the same statement, a round trip
   * less per transition — the engine's hot path is a series of them.
   */
  private async record(
    tx: Queryable,
    change: { text: string; values: unknown[] } | null,
    runId: string,
    stepId: string | null,
    attempt: number | null,
    from: string | null,
    to: string,
    reason: string | null,
  ): Promise<void> {
    // The NOTIFY rides in the same statement and is delivered at commit (identical ones are merged).
    const before = change?.values ?? [];
    const p = (i: number): string => `$${before.length + i}`;
    await tx.query(
      `${change ? `WITH changed AS (${change.text}) ` : ''}INSERT INTO ff_orchestrator.run_transitions (run_id, step_id, attempt, from_state, to_state, reason)
       SELECT ${p(1)}::uuid, ${p(2)}::text, ${p(3)}::int, ${p(4)}::text, ${p(5)}::text, ${p(6)}::text FROM (SELECT pg_notify('${RUN_FEED_CHANNEL}', ${p(7)}::text)) n`,
      [...before, runId, stepId, attempt, from, to, reason, runId],
    );
  }

  private publish(tx: Queryable, run: RunRecord, from: RunState | null): void {
    this.metrics.runEntered(tx, run.state);
    this.outbox.add(tx, RunStateChanged, { runId: run.id, workflowId: run.workflowName, from, to: run.state, reason: run.reason }, { key: run.id });
  }
}
