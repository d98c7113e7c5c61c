import { IllegalTransitionError } from './workflow.errors';

export const StepStates = ['pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'upstream_failed', 'cancelled', 'timed_out'] as const;
export type StepState = (typeof StepStates)[number];

const TERMINAL: ReadonlySet<StepState> = new Set(['succeeded', 'failed', 'skipped', 'upstream_failed', 'cancelled', 'timed_out']);

/**
 * Where a step may go next.
 * - queued -> queued and running -> queued: the attempt is dispatched again (lost lease, executor gone).
 * - queued -> retrying | failed: the executor refused the attempt before it started.
 * - final states other than succeeded -> pending: a rerun of the failed part of a run.
 */
const STEP_TRANSITIONS: Record<StepState, readonly StepState[]> = {
  pending: ['queued', 'skipped', 'upstream_failed', 'cancelled'],
  queued: ['running', 'retrying', 'failed', 'cancelled', 'timed_out', 'queued'],
  running: ['succeeded', 'failed', 'retrying', 'cancelled', 'timed_out', 'queued'],
  retrying: ['queued', 'cancelled', 'timed_out'],
  succeeded: [],
  failed: ['pending'],
  upstream_failed: ['pending'],
  cancelled: ['pending'],
  timed_out: ['pending'],
  skipped: ['pending'],
};

export function isTerminalStepState(state: StepState): boolean {
  return TERMINAL.has(state);
}

export function canTransitionStep(from: StepState, to: StepState): boolean {
  return STEP_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Throws FF_ILLEGAL_TRANSITION naming both states and what `from` allows. */
export function assertStepTransition(from: StepState, to: StepState): void {
  if (!canTransitionStep(from, to)) throw new IllegalTransitionError('step', from, to, STEP_TRANSITIONS[from] ?? []);
}
