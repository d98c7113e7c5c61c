import { Inject, Injectable } from '@nestjs/common';
import type { PublishManyItem } from '@flowforge/bus';
import { StepDispatched, stepDispatchedTopic, type StepDispatchedEvent, type StepExecutor } from '@flowforge/contracts';
import { serviceConfigToken } from '@flowforge/service-kit';
import { formatIssue, renderStepParams, WorkflowValidationError } from '@flowforge/workflow';
import { JobStore, type JobRecord } from '../definitions/job.store';
import type { OrchestratorConfig } from '../orchestrator.config';
import { JobTypeStore } from '../registry/job-type.store';
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
 * Hands the next attempt of steps to their executors: inserts the attempt, moves the step to queued
 * and publishes StepDispatched on the executor's topic (RunOutbox) — all in the caller's transaction, so a
 * dispatch exists if and only if the state change that caused it commits.
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
  ) {}

  async dispatch(scope: RunScope, toDispatch: StepRecord[], why?: string): Promise<void> {
    const batches = new Map<StepExecutor, PublishManyItem<StepDispatchedEvent>[]>();
    for (const step of toDispatch) {
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
      const stepDeadline = spec.timeoutMs === undefined ? null : scope.after(spec.timeoutMs);
      await this.steps.insertAttempt(scope.tx, { runId: step.runId, stepId: step.stepId, attempt, state: 'dispatched', executor: step.executor, config, at: scope.now });
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
  }

  /** The pinned job version of a step (committed before the run that pinned it: safe to keep). */
  private async job(scope: RunScope, step: StepRecord): Promise<JobRecord | null> {
    const key = `${step.jobName}@${step.jobVersion}`;
    const cached = this.jobCache.get(key);
    if (cached) return cached;
    const job = await this.jobs.version(scope.tx, step.jobName, step.jobVersion);
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
    await this.transitions.moveStep(scope, step, 'queued', `attempt ${attempt} could not be built`, { attempt, startedAt: step.startedAt ?? scope.now });
    await this.transitions.moveStep(scope, step, 'failed', `${code}: ${message}`, { failures: step.failures + 1, errorCode: code, errorMessage: message });
  }
}
