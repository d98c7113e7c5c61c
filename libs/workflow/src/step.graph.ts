import { WorkflowValidationError, type ValidationIssue } from './workflow.errors';

/**
 * The step graph. Edges point the way data flows: `a -> b` means b depends on a. Unknown and
 * self dependencies are left out here; validation reports them on their own.
 */
export interface StepNode {
  id: string;
  dependsOn: readonly string[];
}

interface Graph {
  ids: string[];
  index: Map<string, number>;
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
}

function buildGraph(steps: readonly StepNode[]): Graph {
  const ids: string[] = [];
  const index = new Map<string, number>();
  for (const step of steps) {
    if (index.has(step.id)) continue; // duplicates are a validation issue; the first one wins here
    index.set(step.id, ids.length);
    ids.push(step.id);
  }
  const upstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  const downstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  const wired = new Set<string>();
  for (const step of steps) {
    if (wired.has(step.id)) continue;
    wired.add(step.id);
    const ups = upstream.get(step.id)!;
    for (const dep of step.dependsOn) {
      if (dep === step.id || !index.has(dep) || ups.includes(dep)) continue;
      ups.push(dep);
      downstream.get(dep)!.push(step.id);
    }
  }
  const byDeclaration = (a: string, b: string): number => index.get(a)! - index.get(b)!;
  for (const list of downstream.values()) list.sort(byDeclaration);
  return { ids, index, upstream, downstream };
}

/**
 * One cycle per strongly connected component, in flow order starting at the component's first
 * declared step: `['a', 'b', 'c']` reads `a -> b -> c -> a`. Components come in declaration order.
 */
export function findCycles(steps: readonly StepNode[]): string[][] {
  const graph = buildGraph(steps);
  return stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => {
      const members = new Set(component);
      const start = component.reduce((a, b) => (graph.index.get(a)! <= graph.index.get(b)! ? a : b));
      return shortestCycleThrough(start, members, graph);
    })
    .sort((a, b) => graph.index.get(a[0]!)! - graph.index.get(b[0]!)!);
}

/** Tarjan's algorithm. Recursion depth is bounded by the number of steps. */
function stronglyConnected(graph: Graph): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (id: string): void => {
    order.set(id, order.size);
    low.set(id, order.get(id)!);
    stack.push(id);
    onStack.add(id);
    for (const next of graph.downstream.get(id)!) {
      if (!order.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id)!, order.get(next)!));
      }
    }
    if (low.get(id) === order.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      components.push(component);
    }
  };
  for (const id of graph.ids) if (!order.has(id)) visit(id);
  return components;
}

/** Breadth-first from `start` back to itself inside one component: the shortest cycle, deterministic. */
function shortestCycleThrough(start: string, members: Set<string>, graph: Graph): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const next of graph.downstream.get(id)!) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [id];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return path;
      }
      if (parent.has(next)) continue;
      parent.set(next, id);
      queue.push(next);
    }
  }
  return [start]; // unreachable for a component of more than one step
}

/** Every step `id` transitively depends on (its upstreams), not including itself. */
export function upstreamClosure(steps: readonly StepNode[], id: string): Set<string> {
  const graph = buildGraph(steps);
  const seen = new Set<string>();
  const pending = [...(graph.upstream.get(id) ?? [])];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (seen.has(next) || next === id) continue;
    seen.add(next);
    pending.push(...graph.upstream.get(next)!);
  }
  return seen;
}

/**
 * Steps in an order where each comes after everything it depends on; among steps that could go
 * next, the one declared first (so the order is stable and reads like the file).
 * Throws FF_WORKFLOW_INVALID on unknown or self dependencies and on cycles.
 */
export function topologicalOrder(steps: readonly StepNode[]): string[] {
  const issues = graphIssues(steps);
  if (issues.length > 0) throw new WorkflowValidationError('FF_WORKFLOW_INVALID', issues);
  const graph = buildGraph(steps);
  const waiting = new Map(graph.ids.map((id) => [id, graph.upstream.get(id)!.length]));
  const ready = graph.ids.filter((id) => waiting.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of graph.downstream.get(id)!) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) insertByDeclaration(ready, next, graph.index);
    }
  }
  return order;
}

function insertByDeclaration(ready: string[], id: string, index: Map<string, number>): void {
  const at = ready.findIndex((other) => index.get(other)! > index.get(id)!);
  if (at < 0) ready.push(id);
  else ready.splice(at, 0, id);
}

/** What makes a step list not a DAG; the validator reports the same with lines, this is for direct callers. */
function graphIssues(steps: readonly StepNode[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const ids = new Set(steps.map((s) => s.id));
  steps.forEach((step, i) => {
    step.dependsOn.forEach((dep, j) => {
      const path = `steps[${i}].dependsOn[${j}]`;
      if (dep === step.id) issues.push({ path, stepId: step.id, message: 'depends on itself' });
      else if (!ids.has(dep)) issues.push({ path, stepId: step.id, message: `depends on unknown step "${dep}"` });
    });
  });
  for (const cycle of findCycles(steps)) issues.push({ path: 'steps', message: cycleMessage(cycle) });
  return issues;
}

export function cycleMessage(cycle: readonly string[]): string {
  return `cycle: ${[...cycle, cycle[0]].join(' -> ')}`;
}
