import { Inject, Injectable } from '@nestjs/common';
import type { EventBus, PublishManyItem } from '@flowforge/bus';
import { StepDispatched, stepDispatchedTopic, type StepDispatchedEvent, type StepExecutor } from '@flowforge/contracts';
import { EVENT_BUS, serviceConfigToken } from '@flowforge/service-kit';
import { formatIssue, renderStepParams, WorkflowValidationError } from '@flowforge/workflow';
import { JobStore, type JobRecord } from '../definitions/job.store';
import type { OrchestratorConfig } from '../orchestrator.config';
import { JobTypeStore } from '../registry/job-type.store';
import type { StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunStepStore } from './run-step.store';
import { RunTransitions } from './run.transitions';

const earliest = (...dates: (Date | null)[]): Date | null => {
  const set = dates.filter((d): d is Date => d !== null);
  return set.length ? new Date(Math.min(...set.map((d) => d.getTime()))) : null;
};

/**
 * Hands the next attempt of steps to their executors: inserts the attempt, moves the step to queued
 * and publishes StepDispatched on the executor's topic — all in the caller's transaction, so a
 * dispatch exists if and only if the state change that caused it commits.
 */
@Injectable()
export class StepDispatcher {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    private readonly transitions: RunTransitions,
    private readonly steps: RunStepStore,
    private readonly jobs: JobStore,
    private readonly jobTypes: JobTypeStore,
  ) {}

  async dispatch(scope: RunScope, toDispatch: StepRecord[], why?: string): Promise<void> {
    const batches = new Map<StepExecutor, PublishManyItem<StepDispatchedEvent>[]>();
    const jobs = new Map<string, JobRecord | null>();
    for (const step of toDispatch) {
      const spec = scope.spec(step.stepId);
      const attempt = step.attempt + 1;
      const jobKey = `${step.jobName}@${step.jobVersion}`;
      if (!jobs.has(jobKey)) jobs.set(jobKey, await this.jobs.version(scope.tx, step.jobName, step.jobVersion));
      const job = jobs.get(jobKey)!;
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
      const type = await this.jobTypes.find(scope.tx, step.jobType);
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
    for (const [executor, items] of batches) {
      await this.bus.publishMany(StepDispatched, items, { tx: scope.tx, topic: stepDispatchedTopic(executor) });
    }
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
