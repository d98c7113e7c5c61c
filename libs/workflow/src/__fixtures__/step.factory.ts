import { DEFAULT_RETRY, type StepCondition, type StepSpec } from '../workflow.model';

/** A normalised step for tests: `step('load', ['extract'], 'always')`. */
export function step(id: string, dependsOn: string[] = [], condition: StepCondition = 'on_success', extra: Partial<StepSpec> = {}): StepSpec {
  return { id, job: `job-${id}`, dependsOn, condition, retry: { ...DEFAULT_RETRY }, ...extra };
}
