import { IllegalTransitionError } from './workflow.errors';

export const RunStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type RunState = (typeof RunStates)[number];

/**
 * Where a run may go next. A run never leaves a final state: a rerun of failed steps happens inside
 * the step machine and is the orchestrator's decision to reopen, not a transition of the old outcome.
 */
const RUN_TRANSITIONS: Record<RunState, readonly RunState[]> = {
  queued: ['running', 'cancelled', 'timed_out'],
  running: ['succeeded', 'failed', 'cancelled', 'timed_out'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
};

export function isTerminalRunState(state: RunState): boolean {
  return RUN_TRANSITIONS[state].length === 0;
}

export function canTransitionRun(from: RunState, to: RunState): boolean {
  return RUN_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Throws FF_ILLEGAL_TRANSITION naming both states and what `from` allows. */
export function assertRunTransition(from: RunState, to: RunState): void {
  if (!canTransitionRun(from, to)) throw new IllegalTransitionError('run', from, to, RUN_TRANSITIONS[from] ?? []);
}
