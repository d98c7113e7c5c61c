import { step } from './__fixtures__/step.factory';
import { evaluateDag } from './dag.scheduler';
import type { StepState } from './step-state.machine';
import { WorkflowValidationError } from './workflow.errors';

describe('evaluateDag', () => {
  // extract_a, extract_b -> load -> publish (fan-out from nothing, fan-in at load)
  const fanIn = [step('extract_a'), step('extract_b'), step('load', ['extract_a', 'extract_b']), step('publish', ['load'])];

  it('dispatches every root at once (fan-out) and nothing downstream of pending steps', () => {
    expect(evaluateDag(fanIn, {})).toEqual({ ready: ['extract_a', 'extract_b'], settle: [], finished: false });
  });

  it('waits at a fan-in until every upstream succeeded', () => {
    const d1 = evaluateDag(fanIn, { extract_a: 'succeeded', extract_b: 'running', load: 'pending', publish: 'pending' });
    expect(d1.ready).toEqual([]);
    expect(d1.finished).toBe(false);
    const d2 = evaluateDag(fanIn, { extract_a: 'succeeded', extract_b: 'succeeded', load: 'pending', publish: 'pending' });
    expect(d2.ready).toEqual(['load']);
  });

  it('does not re-dispatch steps that are already queued, running or retrying', () => {
    const d = evaluateDag(fanIn, { extract_a: 'queued', extract_b: 'retrying', load: 'pending', publish: 'pending' });
    expect(d).toEqual({ ready: [], settle: [], finished: false });
  });

  it('settles the whole downstream chain as upstream_failed in one call, and the run fails', () => {
    const chain = [step('a'), step('b', ['a']), step('c', ['b'])];
    const d = evaluateDag(chain, { a: 'failed', b: 'pending', c: 'pending' });
    expect(d.ready).toEqual([]);
    expect(d.settle).toEqual([
      { stepId: 'b', state: 'upstream_failed', reason: 'upstream "a" failed' },
      { stepId: 'c', state: 'upstream_failed', reason: 'upstream "b" upstream_failed' },
    ]);
    expect(d.finished).toBe(true);
    expect(d.outcome).toBe('failed');
  });

  it('settles upstream_failed as soon as one upstream fails, even while another still runs', () => {
    const d = evaluateDag(fanIn, { extract_a: 'timed_out', extract_b: 'running' });
    expect(d.settle.map((s) => [s.stepId, s.state])).toEqual([
      ['load', 'upstream_failed'],
      ['publish', 'upstream_failed'],
    ]);
    expect(d.finished).toBe(false); // extract_b is still running
    expect(d.outcome).toBeUndefined();
  });

  it.each<StepState>(['failed', 'timed_out', 'upstream_failed', 'cancelled'])('treats an upstream %s as blocking on_success', (state) => {
    const d = evaluateDag([step('a'), step('b', ['a'])], { a: state });
    expect(d.settle).toEqual([{ stepId: 'b', state: 'upstream_failed', reason: `upstream "a" ${state}` }]);
  });

  it('runs an always step after a failure, and the run still fails', () => {
    const steps = [step('a'), step('b', ['a']), step('cleanup', ['b'], 'always')];
    const d = evaluateDag(steps, { a: 'failed' });
    expect(d.settle).toEqual([{ stepId: 'b', state: 'upstream_failed', reason: 'upstream "a" failed' }]);
    expect(d.ready).toEqual(['cleanup']);
    expect(d.finished).toBe(false);
    const after = evaluateDag(steps, { a: 'failed', b: 'upstream_failed', cleanup: 'succeeded' });
    expect(after).toEqual({ ready: [], settle: [], finished: true, outcome: 'failed' });
  });

  it('runs an always step only when every upstream is final', () => {
    const steps = [step('a'), step('b'), step('cleanup', ['a', 'b'], 'always')];
    expect(evaluateDag(steps, { a: 'failed', b: 'running' }).ready).toEqual([]);
    expect(evaluateDag(steps, { a: 'failed', b: 'skipped' }).ready).toEqual(['cleanup']);
    expect(evaluateDag([step('root', [], 'always')], {}).ready).toEqual(['root']);
  });

  describe('on_failure', () => {
    const steps = [step('a'), step('b'), step('alert', ['a', 'b'], 'on_failure')];

    it('runs when every upstream is final and one failed', () => {
      expect(evaluateDag(steps, { a: 'failed', b: 'running' }).ready).toEqual([]);
      expect(evaluateDag(steps, { a: 'failed', b: 'succeeded' }).ready).toEqual(['alert']);
      expect(evaluateDag(steps, { a: 'timed_out', b: 'succeeded' }).ready).toEqual(['alert']);
      expect(evaluateDag(steps, { a: 'upstream_failed', b: 'skipped' }).ready).toEqual(['alert']);
    });

    it('is skipped when nothing failed, and the run succeeds', () => {
      const d = evaluateDag(steps, { a: 'succeeded', b: 'skipped' });
      expect(d.ready).toEqual([]);
      expect(d.settle).toEqual([{ stepId: 'alert', state: 'skipped', reason: 'no upstream failed (condition on_failure)' }]);
      expect(d).toMatchObject({ finished: true, outcome: 'succeeded' });
    });

    it('is not triggered by a cancelled upstream (a decision, not a failure)', () => {
      const d = evaluateDag(steps, { a: 'cancelled', b: 'succeeded' });
      expect(d.settle.map((s) => s.state)).toEqual(['skipped']);
      expect(d.outcome).toBe('failed'); // cancelled still fails the run unless the caller cancels the run
    });

    it('catches a failure further up through upstream_failed, within the same call', () => {
      const chain = [step('a'), step('b', ['a']), step('alert', ['b'], 'on_failure'), step('after', ['alert'])];
      const d = evaluateDag(chain, { a: 'failed' });
      expect(d.settle).toEqual([{ stepId: 'b', state: 'upstream_failed', reason: 'upstream "a" failed' }]);
      expect(d.ready).toEqual(['alert']);
    });
  });

  it('propagates skipped down an on_success chain, and a skip-only run succeeds', () => {
    const steps = [step('a'), step('b', ['a']), step('c', ['b'])];
    const d = evaluateDag(steps, { a: 'skipped' });
    expect(d.settle).toEqual([
      { stepId: 'b', state: 'skipped', reason: 'upstream "a" skipped' },
      { stepId: 'c', state: 'skipped', reason: 'upstream "b" skipped' },
    ]);
    expect(d).toMatchObject({ finished: true, outcome: 'succeeded' });
  });

  it('does not settle skipped while another upstream may still fail (the failure must win)', () => {
    const steps = [step('a'), step('b'), step('c', ['a', 'b'])];
    expect(evaluateDag(steps, { a: 'skipped', b: 'running' }).settle).toEqual([]);
    expect(evaluateDag(steps, { a: 'skipped', b: 'failed' }).settle.map((s) => s.state)).toEqual(['upstream_failed']);
    expect(evaluateDag(steps, { a: 'skipped', b: 'succeeded' }).settle.map((s) => s.state)).toEqual(['skipped']);
  });

  it('reports success when every step succeeded, and failure for a failed leaf', () => {
    const done = { extract_a: 'succeeded', extract_b: 'succeeded', load: 'succeeded', publish: 'succeeded' } as const;
    expect(evaluateDag(fanIn, done)).toEqual({ ready: [], settle: [], finished: true, outcome: 'succeeded' });
    expect(evaluateDag(fanIn, { ...done, publish: 'failed' }).outcome).toBe('failed');
  });

  it('lists ready steps in declaration order', () => {
    const steps = [step('z'), step('y', ['z']), step('x')];
    expect(evaluateDag(steps, { z: 'succeeded' }).ready).toEqual(['y', 'x']);
  });

  it('refuses a graph with a cycle', () => {
    expect(() => evaluateDag([step('a', ['b']), step('b', ['a'])], {})).toThrow(WorkflowValidationError);
  });
});
