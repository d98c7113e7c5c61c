import { FlowForgeError, NotFoundProblem } from '@flowforge/service-kit';
import type { RunRecord } from './run.records';

export const runNotFound = (id: string): NotFoundProblem => new NotFoundProblem('FF_RUN_NOT_FOUND', `run ${id} does not exist`);

/** A definition the run needs is gone or was never usable (the run is refused, not created). */
export class RunRefused extends FlowForgeError {
  constructor(code: string, status: number, detail: string, field?: string) {
    super(code, status, 'Run refused', detail, field ? [{ field, message: detail }] : undefined);
  }
}

/**
 * 422, not 409: nothing about the stored run would let the same request succeed later — the key was
 * given to a different request, and only a new key (or the original request) can work.
 */
export const idempotencyConflict = (key: string, existing: RunRecord, differs: { field: string; message: string }): FlowForgeError =>
  new FlowForgeError(
    'FF_RUN_IDEMPOTENCY_CONFLICT',
    422,
    'Idempotency key reused for another request',
    `idempotency key "${key}" already identifies run ${existing.id} (workflow "${existing.workflowName}" v${existing.workflowVersion}), created by a different request: ${differs.message}; send the same request to get that run, or use a new key`,
    [
      { field: 'idempotencyKey', message: `"${key}" already identifies run ${existing.id}, created with another ${differs.field}` },
      { field: differs.field, message: differs.message },
    ],
  );

export const runNotFinished = (id: string, state: string): FlowForgeError =>
  new FlowForgeError('FF_RUN_NOT_FINISHED', 409, 'Run is not finished', `run ${id} is ${state}; only a finished run can be rerun (cancel it first)`);

export const runAlreadyFinished = (id: string, state: string): FlowForgeError =>
  new FlowForgeError('FF_RUN_ALREADY_FINISHED', 409, 'Run already finished', `run ${id} already ${state}; there is nothing to cancel`);

export const nothingToRerun = (id: string): FlowForgeError =>
  new FlowForgeError(
    'FF_RUN_NOTHING_TO_RERUN',
    409,
    'Nothing to rerun',
    `run ${id} has no failed, timed-out, cancelled or upstream-failed step; name a step with fromStep to rerun it and its downstream steps`,
  );

export const unknownStep = (id: string, stepId: string, known: string[]): FlowForgeError =>
  new FlowForgeError('FF_RUN_STEP_NOT_FOUND', 400, 'Unknown step', `run ${id} has no step "${stepId}" (it has ${known.map((s) => `"${s}"`).join(', ')})`, [
    { field: 'fromStep', message: `no step "${stepId}" in run ${id}` },
  ]);
