import type { RunState, StepState, WorkflowSpec } from '@flowforge/workflow';

/** A run: one execution of a pinned workflow version with resolved parameters. */
export interface RunRecord {
  id: string;
  /** Creation order (bigserial as text): FIFO for queued runs, the list cursor. */
  seq: string;
  workflowName: string;
  workflowVersion: number;
  /** The workflow spec the run executes, each step's jobVersion pinned at creation. */
  spec: WorkflowSpec;
  params: Record<string, unknown>;
  state: RunState;
  reason: string | null;
  idempotencyKey: string | null;
  /** Who started it (a rerun: who re-ran): libs/access principalName, or `scheduler`, `trigger:<id>`. */
  requestedBy: string;
  /** Who cancelled it, in the same form; null when nobody did (a timeout is not a cancel by someone). */
  cancelledBy: string | null;
  /** Set on a rerun: the run whose failed part this one executes again. */
  parentRunId: string | null;
  rerunFrom: string | null;
  deadlineAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A step of a run; `attempt` is the current attempt (0 before the first dispatch). */
export interface StepRecord {
  runId: string;
  stepId: string;
  position: number;
  jobName: string;
  jobVersion: number;
  jobType: string;
  executor: string;
  state: StepState;
  attempt: number;
  /** Attempts that failed or timed out: what the retry policy counts. */
  failures: number;
  /** Attempts whose lease expired (executor gone): re-dispatched without counting as failures. */
  lostAttempts: number;
  nextAttemptAt: Date | null;
  leaseExpiresAt: Date | null;
  deadlineAt: Date | null;
  /** Set while fair share holds the step back (its requester or workflow has its share of the pool out). */
  heldAt: Date | null;
  outputs: Record<string, unknown> | null;
  errorCode: string | null;
  errorMessage: string | null;
  reason: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The latest StepProgress of the step's current attempt (written by its own statement, never by save). */
  progress: StepProgressRecord | null;
}

/** What an executor last said about how far an attempt is: percent, a message, counters (rows, bytes, files). */
export interface StepProgressRecord {
  attempt: number;
  percent: number | null;
  message: string | null;
  metrics: Record<string, number>;
  /** When the executor reported it (the event's occurredAt), ISO 8601. */
  at: string;
}

export type AttemptState = 'dispatched' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'lost' | 'cancelled';

export interface AttemptRecord {
  runId: string;
  stepId: string;
  attempt: number;
  state: AttemptState;
  executor: string;
  config: Record<string, unknown>;
  instanceId: string | null;
  leaseMs: number | null;
  dispatchedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  outputs: Record<string, unknown> | null;
  metrics: Record<string, number> | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface RunRow extends Record<string, unknown> {
  id: string;
  seq: string;
  workflow_name: string;
  workflow_version: number;
  spec: WorkflowSpec;
  params: Record<string, unknown>;
  state: RunState;
  reason: string | null;
  idempotency_key: string | null;
  requested_by: string;
  cancelled_by: string | null;
  parent_run_id: string | null;
  rerun_from: string | null;
  deadline_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export const toRunRecord = (r: RunRow): RunRecord => ({
  id: r.id,
  seq: String(r.seq),
  workflowName: r.workflow_name,
  workflowVersion: r.workflow_version,
  spec: r.spec,
  params: r.params,
  state: r.state,
  reason: r.reason,
  idempotencyKey: r.idempotency_key,
  requestedBy: r.requested_by,
  cancelledBy: r.cancelled_by,
  parentRunId: r.parent_run_id,
  rerunFrom: r.rerun_from,
  deadlineAt: r.deadline_at,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export interface StepRow extends Record<string, unknown> {
  run_id: string;
  step_id: string;
  position: number;
  job_name: string;
  job_version: number;
  job_type: string;
  executor: string;
  state: StepState;
  attempt: number;
  failures: number;
  lost_attempts: number;
  next_attempt_at: Date | null;
  lease_expires_at: Date | null;
  deadline_at: Date | null;
  held_at: Date | null;
  outputs: Record<string, unknown> | null;
  error_code: string | null;
  error_message: string | null;
  reason: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  progress: StepProgressRecord | null;
}

export const toStepRecord = (r: StepRow): StepRecord => ({
  runId: r.run_id,
  stepId: r.step_id,
  position: r.position,
  jobName: r.job_name,
  jobVersion: r.job_version,
  jobType: r.job_type,
  executor: r.executor,
  state: r.state,
  attempt: r.attempt,
  failures: r.failures,
  lostAttempts: r.lost_attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseExpiresAt: r.lease_expires_at,
  deadlineAt: r.deadline_at,
  heldAt: r.held_at,
  outputs: r.outputs,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  reason: r.reason,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  progress: r.progress ?? null,
});

export interface AttemptRow extends Record<string, unknown> {
  run_id: string;
  step_id: string;
  attempt: number;
  state: AttemptState;
  executor: string;
  config: Record<string, unknown>;
  instance_id: string | null;
  lease_ms: number | null;
  dispatched_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  outputs: Record<string, unknown> | null;
  metrics: Record<string, number> | null;
  error_code: string | null;
  error_message: string | null;
}

export const toAttemptRecord = (r: AttemptRow): AttemptRecord => ({
  runId: r.run_id,
  stepId: r.step_id,
  attempt: r.attempt,
  state: r.state,
  executor: r.executor,
  config: r.config,
  instanceId: r.instance_id,
  leaseMs: r.lease_ms,
  dispatchedAt: r.dispatched_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  outputs: r.outputs,
  metrics: r.metrics,
  errorCode: r.error_code,
  errorMessage: r.error_message,
});
