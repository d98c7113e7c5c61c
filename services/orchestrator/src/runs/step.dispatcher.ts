import { Inject, Injectable } from '@nestjs/common';
import type { PublishManyItem } from '@flowforge/bus';
import { StepDispatched, stepDispatchedTopic, type StepDispatchedEvent, type StepExecutor } from '@flowforge/contracts';
import { serviceConfigToken } from '@flowforge/service-kit';
import { formatIssue, renderStepParams, WorkflowValidationError, type StepSpec } from '@flowforge/workflow';
import { JobStore, type JobRecord } from '../definitions/job.store';
import type { OrchestratorConfig } from '../orchestrator.config';
import { JobTypeStore } from '../registry/job-type.store';
import { FairShareGate } from './fair-share.gate';
import { RunOutbox } from './run.outbox';
import type { StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunStepStore } from './run-step.store';
import { RunTransitions } from './run.transitions';

/** Job versions are immutable rows: a dispatch reads each one from the database once. */
const JOB_CACHE_SIZE = 1_000;

const earliest = (...dates: (Date | null)[]): Date | null => {
  const set = dates.filter((d): d is Date => d !== null);
  return set.length ? new Date(Math.min(...set.map((d) => d.getTime()))) : null;
};

/**
 * How long an attempt of the step may run: its own timeoutMs, capped by the platform's maximum
 * (FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS), which is also the timeout of a step that sets none — no
 * attempt holds an executor slot forever. `byPlatform`: the maximum decided, not the step.
 */
export function stepTimeout(spec: StepSpec, config: OrchestratorConfig): { ms: number; byPlatform: boolean } {
  const max = config.FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS * 1000;
  return spec.timeoutMs !== undefined && spec.timeoutMs <= max ? { ms: spec.timeoutMs, byPlatform: false } : { ms: max, byPlatform: true };
}

/**
 * Hands the next attempt of steps to their executors: inserts the attempt, moves the step to queued
 * and publishes StepDispatched on the executor's topic (RunOutbox) — all in the caller's transaction, so a
 * dispatch exists if and only if the state change that caused it commits. Steps beyond their requester's
 * fair share of the executor's pool are held back instead (FairShareGate).
 */
@Injectable()
export class StepDispatcher {
  private readonly jobCache = new Map<string, JobRecord>();

  constructor(
    private readonly outbox: RunOutbox,
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    private readonly transitions: RunTransitions,
    private readonly steps: RunStepStore,
    private readonly jobs: JobStore,
    private readonly jobTypes: JobTypeStore,
    private readonly fairShare: FairShareGate,
  ) {}

  /** Returns how many steps left their state (dispatched, or failed before dispatch); the rest are held. */
  async dispatch(scope: RunScope, toDispatch: StepRecord[], why?: string): Promise<number> {
    const batches = new Map<StepExecutor, PublishManyItem<StepDispatchedEvent>[]>();
    const { go, held } = await this.fairShare.split(scope, toDispatch);
    for (const { step, reason } of held) {
      // Written once: a step advanced again while still held keeps the time it started waiting (FIFO).
      if (step.heldAt === null) await this.transitions.touchStep(scope, step, { heldAt: scope.now, reason });
    }
    for (const step of go) {
      const spec = scope.spec(step.stepId);
      const attempt = step.attempt + 1;
      const job = await this.job(scope, step);
      let params: Record<string, unknown>;
      try {
        params = renderStepParams(spec, scope.run.params, scope.outputs());
      } catch (err) {
        if (!(err instanceof WorkflowValidationError)) throw err;
        await this.failBeforeDispatch(scope, step, attempt, err.code, err.issues.map(formatIssue).join('; '));
        continue;
      }
      if (!job) {
        await this.failBeforeDispatch(scope, step, attempt, 'FF_JOB_NOT_FOUND', `job "${step.jobName}" has no version ${step.jobVersion}`);
        continue;
      }
      const config = { ...job.config, ...params };
      const stepDeadline = scope.after(stepTimeout(spec, this.config).ms);
      await this.steps.insertAttempt(scope.tx, {
        runId: step.runId,
        stepId: step.stepId,
        attempt,
        state: 'dispatched',
        executor: step.executor,
        config,
        at: scope.now,
      });
      await this.transitions.moveStep(scope, step, 'queued', why ?? `attempt ${attempt} dispatched to executor "${step.executor}"`, {
        attempt,
        leaseExpiresAt: scope.after(this.config.FLOWFORGE_ORCHESTRATOR_DISPATCH_TIMEOUT_MS),
        deadlineAt: stepDeadline,
        nextAttemptAt: null,
        startedAt: step.startedAt ?? scope.now,
      });
      const type = await this.jobTypes.findRecent(scope.tx, step.jobType);
      const deadlineAt = earliest(stepDeadline, scope.run.deadlineAt);
      const executor = step.executor as StepExecutor;
      const batch = batches.get(executor) ?? [];
      batch.push({
        key: step.runId,
        event: {
          runId: step.runId,
          stepId: step.stepId,
          attempt,
          jobType: step.jobType,
          jobVersion: String(type?.version ?? 0),
          executor,
          config: JSON.stringify(config),
          deadlineAt: deadlineAt === null ? null : deadlineAt.getTime(),
        },
      });
      batches.set(executor, batch);
    }
    for (const [executor, items] of batches) this.outbox.addMany(scope.tx, StepDispatched, items, stepDispatchedTopic(executor));
    return go.length;
  }

  /** The pinned job version of a step (committed before the run that pinned it: safe to keep). */
  private async job(scope: RunScope, step: StepRecord): Promise<JobRecord | null> {
    const key = `${step.jobName}@${step.jobVersion}`;
    const cached = this.jobCache.get(key);
    if (cached) return cached;
    const job = await this.jobs.pinned(scope.tx, step.jobName, step.jobVersion);
    if (job) {
      if (this.jobCache.size >= JOB_CACHE_SIZE) this.jobCache.delete(this.jobCache.keys().next().value!);
      this.jobCache.set(key, job);
    }
    return job;
  }

  /** The attempt cannot even be built (a `${...}` without a value): it fails at once, never retried. */
  private async failBeforeDispatch(scope: RunScope, step: StepRecord, attempt: number, code: string, message: string): Promise<void> {
    await this.steps.insertAttempt(scope.tx, {
      runId: step.runId,
      stepId: step.stepId,
      attempt,
      state: 'failed',
      executor: step.executor,
      config: {},
      at: scope.now,
      errorCode: code,
      errorMessage: message,
    });
    await this.transitions.moveStep(scope, step, 'queued', `attempt ${attempt} could not be prepared`, { attempt, startedAt: step.startedAt ?? scope.now });
    await this.transitions.moveStep(scope, step, 'failed', `${code}: ${message}`, { failures: step.failures + 1, errorCode: code, errorMessage: message });
  }
}
