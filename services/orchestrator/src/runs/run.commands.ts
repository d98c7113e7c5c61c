import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isTerminalRunState, type StepSpec } from '@flowforge/workflow';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { RunAdmission } from './run.admission';
import { RunCreator, type CreatedRun, type RunRequest } from './run.creator';
import { RunEngine } from './run.engine';
import { RunOutbox } from './run.outbox';
import { nothingToRerun, runAlreadyFinished, runNotFinished, runNotFound, unknownStep } from './run.errors';
import type { RunRecord, StepRecord } from './run.records';
import { RunScopes } from './run.scopes';
import { RunStepStore } from './run-step.store';
import { RunStore } from './run.store';

/** Step states a rerun "from failure" starts again from. */
const RERUN_SEEDS = new Set(['failed', 'timed_out', 'upstream_failed', 'cancelled']);

/** `roots` and every step that depends on one of them, directly or not. */
export function downstreamClosure(steps: StepSpec[], roots: Iterable<string>): Set<string> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of steps) {
      if (!out.has(s.id) && s.dependsOn.some((d) => out.has(d))) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * The run commands of the internal HTTP API, each in its own transaction — run again when PostgreSQL
 * picks it as a deadlock victim (it locks a run and the bus's partition heads, as the step handlers do
 * in their own order): the caller gets its answer, not a 500.
 */
@Injectable()
export class RunCommands {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly creator: RunCreator,
    private readonly scopes: RunScopes,
    private readonly engine: RunEngine,
    private readonly admission: RunAdmission,
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
    private readonly outbox: RunOutbox,
  ) {}

  create(req: RunRequest): Promise<CreatedRun> {
    return this.outbox.transaction(this.pool, (tx) => this.creator.create(tx, req));
  }

  /** Idempotent: cancelling a cancelled run returns it; other final states are a conflict. */
  cancel(runId: string, opts: { cancelledBy: string; reason?: string }): Promise<RunRecord> {
    return this.outbox.transaction(this.pool, async (tx) => {
      const scope = await this.scopes.open(tx, runId);
      if (!scope) throw runNotFound(runId);
      if (isTerminalRunState(scope.run.state)) {
        if (scope.run.state === 'cancelled') return scope.run;
        throw runAlreadyFinished(runId, scope.run.state);
      }
      // Saved with the run's move to cancelled (RunStore.saveStatement), in this transaction.
      scope.run.cancelledBy = opts.cancelledBy;
      await this.engine.cancel(scope, opts.reason ? `cancelled by ${opts.cancelledBy}: ${opts.reason}` : `cancelled by ${opts.cancelledBy}`);
      await this.admission.afterChange(scope);
      return scope.run;
    });
  }

  /**
   * Reruns the failed part of a finished run as a NEW run (Dagster's "re-execute from failure"): the
   * old run keeps its outcome — a final state is final, and RunStateChanged consumers never see a run
   * come back — while the new run, linked by parentRunId, reuses the outputs of the steps that
   * succeeded and executes the others. Without `fromStep` it restarts every failed, timed-out,
   * cancelled or upstream-failed step and what depends on them; with it, that step and its downstream.
   * Same pinned workflow version, job versions and parameters as the parent.
   */
  rerun(runId: string, opts: { fromStep?: string; requestedBy: string }): Promise<CreatedRun> {
    return this.outbox.transaction(this.pool, async (tx) => {
      const parent = await this.runs.find(tx, runId);
      if (!parent) throw runNotFound(runId);
      if (!isTerminalRunState(parent.state)) throw runNotFinished(runId, parent.state);
      const old = await this.steps.ofRun(tx, runId);
      let reset: Set<string>;
      if (opts.fromStep !== undefined) {
        if (!old.some((s) => s.stepId === opts.fromStep))
          throw unknownStep(
            runId,
            opts.fromStep,
            old.map((s) => s.stepId),
          );
        reset = downstreamClosure(parent.spec.steps, [opts.fromStep]);
      } else {
        const seeds = old.filter((s) => RERUN_SEEDS.has(s.state)).map((s) => s.stepId);
        if (seeds.length === 0) throw nothingToRerun(runId);
        reset = downstreamClosure(parent.spec.steps, seeds);
      }
      const steps = old.map((s): Omit<StepRecord, 'runId'> => {
        const reused = !reset.has(s.stepId) && s.state === 'succeeded';
        return {
          stepId: s.stepId,
          position: s.position,
          jobName: s.jobName,
          jobVersion: s.jobVersion,
          jobType: s.jobType,
          executor: s.executor,
          state: reused ? 'succeeded' : 'pending',
          attempt: 0,
          failures: 0,
          lostAttempts: 0,
          nextAttemptAt: null,
          leaseExpiresAt: null,
          deadlineAt: null,
          heldAt: null,
          outputs: reused ? (s.outputs ?? {}) : null,
          errorCode: null,
          errorMessage: null,
          reason: reused ? `reused from run ${parent.id}` : null,
          startedAt: null,
          finishedAt: reused ? s.finishedAt : null,
          progress: null,
        };
      });
      return this.creator.insert(
        tx,
        {
          id: randomUUID(),
          workflowName: parent.workflowName,
          workflowVersion: parent.workflowVersion,
          spec: parent.spec,
          params: parent.params,
          idempotencyKey: null,
          requestedBy: opts.requestedBy,
          parentRunId: parent.id,
          rerunFrom: opts.fromStep ?? null,
        },
        steps,
      );
    });
  }
}
