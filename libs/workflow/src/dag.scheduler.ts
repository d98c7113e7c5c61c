import { topologicalOrder } from './step.graph';
import { isTerminalStepState, type StepState } from './step-state.machine';
import type { StepSpec } from './workflow.model';

/** The scheduler's decision for one run, given its current step states. */
export interface DagDecision {
  /** Pending steps whose condition is now satisfied: dispatch them. */
  ready: string[];
  /** Pending steps that will never run, in topological order (apply them in this order). */
  settle: { stepId: string; state: 'skipped' | 'upstream_failed'; reason: string }[];
  /** Every step is final once `settle` is applied. */
  finished: boolean;
  /** Set when finished. A caller cancelling the run reports `cancelled` instead. */
  outcome?: 'succeeded' | 'failed';
}

/** Upstream states that make an `on_success` step `upstream_failed`. */
const BLOCKING: ReadonlySet<StepState> = new Set(['failed', 'timed_out', 'upstream_failed', 'cancelled']);
/** Upstream states that trigger an `on_failure` step. Cancellation is someone's decision, not a failure to handle. */
const FAILED: ReadonlySet<StepState> = new Set(['failed', 'timed_out', 'upstream_failed']);
/** Final step states that make the run fail. */
const FAILING_RUN: ReadonlySet<StepState> = new Set(['failed', 'timed_out', 'upstream_failed', 'cancelled']);

type Verdict = { kind: 'wait' } | { kind: 'ready' } | { kind: 'settle'; state: 'skipped' | 'upstream_failed'; reason: string };

/**
 * Airflow-style trigger rules, evaluated in topological order so that settling cascades within one
 * call (a failed `a` settles `b` and `c` of `a -> b -> c` together). Pure: states are not changed;
 * a step missing from `states` counts as pending. Only pending steps are ever made ready or settled.
 */
export function evaluateDag(steps: StepSpec[], states: Record<string, StepState>): DagDecision {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const current = new Map<string, StepState>(steps.map((s) => [s.id, states[s.id] ?? 'pending']));
  const ready: string[] = [];
  const settle: DagDecision['settle'] = [];
  for (const id of topologicalOrder(steps)) {
    if (current.get(id) !== 'pending') continue;
    const step = byId.get(id)!;
    const verdict = judge(
      step,
      step.dependsOn.map((dep) => [dep, current.get(dep)!] as const),
    );
    if (verdict.kind === 'ready') ready.push(id);
    else if (verdict.kind === 'settle') {
      settle.push({ stepId: id, state: verdict.state, reason: verdict.reason });
      current.set(id, verdict.state);
    }
  }
  // Declaration order for dispatch, so that the first-written of several ready steps goes first.
  const position = new Map(steps.map((s, i) => [s.id, i]));
  ready.sort((a, b) => position.get(a)! - position.get(b)!);
  const finished = [...current.values()].every(isTerminalStepState);
  if (!finished) return { ready, settle, finished };
  const failed = [...current.values()].some((s) => FAILING_RUN.has(s));
  return { ready, settle, finished, outcome: failed ? 'failed' : 'succeeded' };
}

function judge(step: StepSpec, upstream: readonly (readonly [string, StepState])[]): Verdict {
  const allFinal = upstream.every(([, s]) => isTerminalStepState(s));
  const names = (match: (s: StepState) => boolean): string =>
    upstream
      .filter(([, s]) => match(s))
      .map(([id, s]) => `"${id}" ${s}`)
      .join(', ');
  switch (step.condition) {
    case 'on_success': {
      // A failure is final whatever the other upstreams do, so it settles at once; a skip only once
      // every upstream is final, because a later failure must still win (same result in any event order).
      const blocking = names((s) => BLOCKING.has(s));
      if (blocking) return { kind: 'settle', state: 'upstream_failed', reason: `upstream ${blocking}` };
      if (!allFinal) return { kind: 'wait' };
      const skipped = names((s) => s === 'skipped');
      if (skipped) return { kind: 'settle', state: 'skipped', reason: `upstream ${skipped}` };
      return { kind: 'ready' };
    }
    case 'on_failure': {
      if (!allFinal) return { kind: 'wait' };
      if (upstream.some(([, s]) => FAILED.has(s))) return { kind: 'ready' };
      return { kind: 'settle', state: 'skipped', reason: 'no upstream failed (condition on_failure)' };
    }
    case 'always':
      return allFinal ? { kind: 'ready' } : { kind: 'wait' };
  }
}
