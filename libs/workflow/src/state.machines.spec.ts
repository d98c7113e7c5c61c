import { assertRunTransition, isTerminalRunState, RunStates, type RunState } from './run-state.machine';
import { assertStepTransition, isTerminalStepState, StepStates, type StepState } from './step-state.machine';
import { IllegalTransitionError } from './workflow.errors';

const LEGAL_RUN: [RunState, RunState[]][] = [
  ['queued', ['running', 'cancelled', 'timed_out']],
  ['running', ['succeeded', 'failed', 'cancelled', 'timed_out']],
];

const LEGAL_STEP: [StepState, StepState[]][] = [
  ['pending', ['queued', 'skipped', 'upstream_failed', 'cancelled']],
  ['queued', ['running', 'retrying', 'failed', 'cancelled', 'timed_out', 'queued']],
  ['running', ['succeeded', 'failed', 'retrying', 'cancelled', 'timed_out', 'queued']],
  ['retrying', ['queued', 'cancelled', 'timed_out']],
  ['failed', ['pending']],
  ['upstream_failed', ['pending']],
  ['cancelled', ['pending']],
  ['timed_out', ['pending']],
  ['skipped', ['pending']],
];

describe('run state machine', () => {
  it('allows exactly the table and refuses every other pair', () => {
    for (const from of RunStates) {
      const legal = LEGAL_RUN.find(([f]) => f === from)?.[1] ?? [];
      for (const to of RunStates) {
        if (legal.includes(to)) expect(() => assertRunTransition(from, to)).not.toThrow();
        else expect(() => assertRunTransition(from, to)).toThrow(IllegalTransitionError);
      }
    }
  });

  it('names both states and what is allowed instead', () => {
    expect(() => assertRunTransition('succeeded', 'running')).toThrow(
      'FF_ILLEGAL_TRANSITION: a run cannot go from "succeeded" to "running"; from "succeeded" it may go to nothing (it is final)',
    );
    try {
      assertRunTransition('queued', 'succeeded');
    } catch (err) {
      expect(err).toMatchObject({ code: 'FF_ILLEGAL_TRANSITION', subject: 'run', from: 'queued', to: 'succeeded' });
      expect((err as Error).message).toContain('it may go to "running", "cancelled", "timed_out"');
    }
  });

  it('knows the final run states', () => {
    expect(RunStates.filter(isTerminalRunState)).toEqual(['succeeded', 'failed', 'cancelled', 'timed_out']);
  });
});

describe('step state machine', () => {
  it('allows exactly the table and refuses every other pair', () => {
    let legalCount = 0;
    for (const from of StepStates) {
      const legal = LEGAL_STEP.find(([f]) => f === from)?.[1] ?? [];
      for (const to of StepStates) {
        if (legal.includes(to)) {
          legalCount++;
          expect(() => assertStepTransition(from, to)).not.toThrow();
        } else {
          expect(() => assertStepTransition(from, to)).toThrow(IllegalTransitionError);
        }
      }
    }
    expect(legalCount).toBe(24);
  });

  it('refuses a late event after the step finished, naming both states', () => {
    expect(() => assertStepTransition('succeeded', 'failed')).toThrow(
      'FF_ILLEGAL_TRANSITION: a step cannot go from "succeeded" to "failed"; from "succeeded" it may go to nothing (it is final)',
    );
    expect(() => assertStepTransition('pending', 'running')).toThrow(/from "pending" to "running"; from "pending" it may go to "queued"/);
  });

  it('knows the final step states (a rerun reopens some of them, but they are final for the run)', () => {
    expect(StepStates.filter(isTerminalStepState)).toEqual(['succeeded', 'failed', 'skipped', 'upstream_failed', 'cancelled', 'timed_out']);
  });
});
