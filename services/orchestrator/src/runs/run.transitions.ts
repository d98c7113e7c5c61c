import { Inject, Injectable } from '@nestjs/common';
import type { EventBus } from '@flowforge/bus';
import { RunStateChanged } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { EVENT_BUS } from '@flowforge/service-kit';
import { assertRunTransition, assertStepTransition, isTerminalRunState, isTerminalStepState, type RunState, type StepState } from '@flowforge/workflow';
import { RUN_FEED_CHANNEL } from './run-feed.channel';
import type { RunRecord, StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunStepStore } from './run-step.store';
import { RunStore } from './run.store';

export type StepPatch = Partial<Omit<StepRecord, 'runId' | 'stepId' | 'position' | 'state'>>;

/**
 * The only place run and step states change. Each change is checked against the state machines of
 * libs/workflow, written, appended to run_transitions (the feed the SSE stream reads, woken by a NOTIFY
 * that commits with it) and, for runs, published as RunStateChanged in the same transaction.
 */
@Injectable()
export class RunTransitions {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
  ) {}

  /** The first entry of a new run's history (null -> queued). */
  async created(scope: RunScope): Promise<void> {
    await this.record(scope.tx, scope.run.id, null, null, null, scope.run.state, scope.run.reason);
    await this.publish(scope.tx, scope.run, null);
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
    await this.runs.save(scope.tx, run);
    await this.record(scope.tx, run.id, null, null, from, to, reason);
    await this.publish(scope.tx, run, from);
  }

  async moveStep(scope: RunScope, step: StepRecord, to: StepState, reason: string | null, patch: StepPatch = {}): Promise<void> {
    assertStepTransition(step.state, to);
    const from = step.state;
    Object.assign(step, patch);
    step.state = to;
    step.reason = reason;
    if (isTerminalStepState(to)) {
      step.finishedAt = scope.now;
      step.leaseExpiresAt = null;
      step.deadlineAt = null;
      step.nextAttemptAt = null;
    }
    await this.steps.save(scope.tx, step);
    await this.record(scope.tx, step.runId, step.stepId, step.attempt === 0 ? null : step.attempt, from, to, reason);
  }

  /** Writes lease/deadline changes of a step that keeps its state (heartbeats). */
  async touchStep(scope: RunScope, step: StepRecord, patch: StepPatch): Promise<void> {
    Object.assign(step, patch);
    await this.steps.save(scope.tx, step);
  }

  private async record(
    tx: Queryable,
    runId: string,
    stepId: string | null,
    attempt: number | null,
    from: string | null,
    to: string,
    reason: string | null,
  ): Promise<void> {
    // The NOTIFY rides in the same statement and is delivered at commit (identical ones are merged).
    await tx.query(
      `INSERT INTO ff_orchestrator.run_transitions (run_id, step_id, attempt, from_state, to_state, reason)
       SELECT $1::uuid, $2::text, $3::int, $4::text, $5::text, $6::text FROM (SELECT pg_notify('${RUN_FEED_CHANNEL}', $7::text)) n`,
      [runId, stepId, attempt, from, to, reason, runId],
    );
  }

  private async publish(tx: Queryable, run: RunRecord, from: RunState | null): Promise<void> {
    await this.bus.publish(
      RunStateChanged,
      { runId: run.id, workflowId: run.workflowName, from, to: run.state, reason: run.reason },
      { key: run.id, tx },
    );
  }
}
