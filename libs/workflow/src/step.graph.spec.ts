import { step } from './__fixtures__/step.factory';
import { findCycles, topologicalOrder, upstreamClosure } from './step.graph';
import { WorkflowValidationError } from './workflow.errors';

describe('topologicalOrder', () => {
  it('puts each step after its upstreams, declaration order among ready steps', () => {
    const steps = [step('report', ['load']), step('extract_b'), step('load', ['extract_a', 'extract_b']), step('extract_a'), step('audit')];
    expect(topologicalOrder(steps)).toEqual(['extract_b', 'extract_a', 'load', 'report', 'audit']);
  });

  it('throws FF_WORKFLOW_INVALID naming the cycle, unknown and self dependencies', () => {
    try {
      topologicalOrder([step('a', ['c']), step('b', ['a']), step('c', ['b']), step('d', ['d', 'zz'])]);
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowValidationError);
      expect((err as WorkflowValidationError).code).toBe('FF_WORKFLOW_INVALID');
      expect((err as Error).message.split('\n')).toEqual(['step "d": depends on itself', 'step "d": depends on unknown step "zz"', 'cycle: a -> b -> c -> a']);
    }
  });
});

describe('findCycles', () => {
  it('reports one shortest cycle per strongly connected component, from its first declared step', () => {
    const steps = [
      step('x', ['z']),
      step('y', ['x']),
      step('z', ['y', 'x']), // x -> z closes x -> z -> x as well as x -> y -> z -> x
      step('p', ['q']),
      step('q', ['p']),
      step('free'),
    ];
    expect(findCycles(steps)).toEqual([
      ['x', 'z'],
      ['p', 'q'],
    ]);
  });

  it('finds none in a DAG', () => {
    expect(findCycles([step('a'), step('b', ['a']), step('c', ['a', 'b'])])).toEqual([]);
  });
});

describe('upstreamClosure', () => {
  it('collects transitive upstreams only', () => {
    const steps = [step('a'), step('b', ['a']), step('c', ['b']), step('d'), step('e', ['c'])];
    expect([...upstreamClosure(steps, 'c')].sort()).toEqual(['a', 'b']);
    expect([...upstreamClosure(steps, 'a')]).toEqual([]);
  });
});
