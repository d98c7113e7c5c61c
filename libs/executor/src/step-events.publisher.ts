import type { EventBus } from '@flowforge/bus';
import {
  ExecutorRegistered,
  StepCompleted,
  StepFailed,
  StepLog,
  StepProgress,
  StepStarted,
  type StepExecutor as StepExecutorName,
  type StepLogLine,
} from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import type { JobType } from './job-type';
import type { ProgressSnapshot } from './progress.reporter';
import type { StepOutcome } from './step-outcome';

/** The identity of one step attempt, as every executor → orchestrator event carries it. */
export interface AttemptRef {
  runId: string;
  stepId: string;
  attempt: number;
}

/**
 * Everything the kit says to the orchestrator, in one place. Step events are keyed by runId (the
 * orchestrator's ordering key); the registration by executor name.
 */
export class StepEventsPublisher {
  constructor(
    private readonly bus: EventBus,
    private readonly executor: StepExecutorName,
    private readonly instanceId: string,
    private readonly leaseMs: number,
  ) {}

  async registered(jobTypes: ReadonlyArray<JobType>): Promise<void> {
    await this.bus.publish(
      ExecutorRegistered,
      {
        executor: this.executor,
        instanceId: this.instanceId,
        jobTypes: jobTypes.map((jt) => ({
          type: jt.type,
          version: jt.version,
          configSchema: JSON.stringify(jt.configSchema),
          description: jt.description ?? null,
        })),
      },
      { key: this.executor },
    );
  }

  /** In the dispatch handler's transaction: the attempt is taken iff the dispatch is consumed. */
  async started(ref: AttemptRef, tx: Queryable): Promise<void> {
    await this.bus.publish(StepStarted, { ...pick(ref), executor: this.executor, instanceId: this.instanceId, leaseMs: this.leaseMs }, { key: ref.runId, tx });
  }

  async progress(ref: AttemptRef, p: ProgressSnapshot): Promise<void> {
    await this.bus.publish(StepProgress, { ...pick(ref), percent: p.percent, message: p.message, metrics: p.metrics }, { key: ref.runId });
  }

  async log(ref: AttemptRef, lines: StepLogLine[]): Promise<void> {
    await this.bus.publish(StepLog, { ...pick(ref), lines }, { key: ref.runId });
  }

  /** `tx` when the attempt ends inside the dispatch handler (refused before running). */
  async outcome(ref: AttemptRef, outcome: StepOutcome, tx?: Queryable): Promise<void> {
    if (outcome.kind === 'completed') {
      await this.bus.publish(StepCompleted, { ...pick(ref), outputs: outcome.outputs, metrics: outcome.metrics }, { key: ref.runId, tx });
    } else {
      await this.bus.publish(
        StepFailed,
        { ...pick(ref), errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, retryable: outcome.retryable },
        { key: ref.runId, tx },
      );
    }
  }
}

function pick(ref: AttemptRef): AttemptRef {
  return { runId: ref.runId, stepId: ref.stepId, attempt: ref.attempt };
}
