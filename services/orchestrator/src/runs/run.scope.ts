import type { Queryable } from '@flowforge/db';
import type { StepSpec, StepState } from '@flowforge/workflow';
import type { RunRecord, StepRecord } from './run.records';

/**
 * One run, locked, inside one transaction: what every engine operation works on. `now` is the
 * database clock when the lock was taken, so deadlines and leases never mix clocks of replicas.
 */
export class RunScope {
  private readonly steps = new Map<string, StepRecord>();
  private readonly specs: Map<string, StepSpec>;
  /** Set when this transaction moved the run to a final state (its workflow may admit a queued run). */
  finished = false;

  constructor(
    readonly tx: Queryable,
    readonly now: Date,
    readonly run: RunRecord,
    steps: StepRecord[],
  ) {
    for (const s of steps) this.steps.set(s.stepId, s);
    this.specs = new Map(run.spec.steps.map((s) => [s.id, s]));
  }

  step(stepId: string): StepRecord | undefined {
    return this.steps.get(stepId);
  }

  allSteps(): StepRecord[] {
    return [...this.steps.values()].sort((a, b) => a.position - b.position);
  }

  spec(stepId: string): StepSpec {
    const spec = this.specs.get(stepId);
    if (!spec) throw new Error(`FF_RUN_CORRUPT: run ${this.run.id} has step "${stepId}" that its pinned spec does not declare`);
    return spec;
  }

  states(): Record<string, StepState> {
    return Object.fromEntries([...this.steps.values()].map((s) => [s.stepId, s.state]));
  }

  /** Outputs of the steps that succeeded, for `${steps.<id>.outputs.<key>}`. */
  outputs(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const s of this.steps.values()) if (s.state === 'succeeded') out[s.stepId] = s.outputs ?? {};
    return out;
  }

  after(ms: number): Date {
    return new Date(this.now.getTime() + ms);
  }
}
