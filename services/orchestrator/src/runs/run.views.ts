import type { RunState, StepState } from '@flowforge/workflow';
import type { AttemptRecord, AttemptState, RunRecord, StepProgressRecord, StepRecord } from './run.records';

export interface AttemptView {
  attempt: number;
  state: AttemptState;
  executor: string;
  instanceId: string | null;
  dispatchedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** The counters the executor returned with the attempt's outcome (ingest.file: rowsWritten, rowsRejected, bytesRead, files). */
  metrics: Record<string, number> | null;
}

export interface StepView {
  stepId: string;
  job: string;
  jobVersion: number;
  jobType: string;
  executor: string;
  state: StepState;
  attempt: number;
  reason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  outputs: Record<string, unknown> | null;
  /** The latest progress the executor reported for the current attempt (kept after it ends); null before any. */
  progress: StepProgressRecord | null;
  nextAttemptAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: AttemptView[];
}

export interface RunView {
  id: string;
  workflow: string;
  workflowVersion: number;
  state: RunState;
  reason: string | null;
  params: Record<string, unknown>;
  requestedBy: string;
  cancelledBy: string | null;
  idempotencyKey: string | null;
  parentRunId: string | null;
  rerunFrom: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  deadlineAt: string | null;
  /** Present on single-run reads, absent in lists. */
  steps?: StepView[];
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function runView(run: RunRecord, steps?: StepRecord[], attempts: AttemptRecord[] = []): RunView {
  const view: RunView = {
    id: run.id,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    state: run.state,
    reason: run.reason,
    params: run.params,
    requestedBy: run.requestedBy,
    cancelledBy: run.cancelledBy,
    idempotencyKey: run.idempotencyKey,
    parentRunId: run.parentRunId,
    rerunFrom: run.rerunFrom,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    deadlineAt: iso(run.deadlineAt),
  };
  if (steps)
    view.steps = steps.map((s) =>
      stepView(
        s,
        attempts.filter((a) => a.stepId === s.stepId),
      ),
    );
  return view;
}

function stepView(s: StepRecord, attempts: AttemptRecord[]): StepView {
  return {
    stepId: s.stepId,
    job: s.jobName,
    jobVersion: s.jobVersion,
    jobType: s.jobType,
    executor: s.executor,
    state: s.state,
    attempt: s.attempt,
    reason: s.reason,
    errorCode: s.errorCode,
    errorMessage: s.errorMessage,
    outputs: s.outputs,
    progress: s.progress,
    nextAttemptAt: iso(s.nextAttemptAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      state: a.state,
      executor: a.executor,
      instanceId: a.instanceId,
      dispatchedAt: a.dispatchedAt.toISOString(),
      startedAt: iso(a.startedAt),
      finishedAt: iso(a.finishedAt),
      errorCode: a.errorCode,
      errorMessage: a.errorMessage,
      metrics: a.metrics,
    })),
  };
}
