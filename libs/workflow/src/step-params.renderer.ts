import { parseTemplate, type TemplateRef } from './step-params.template';
import { WorkflowValidationError, type ValidationIssue } from './workflow.errors';
import type { StepSpec } from './workflow.model';

/**
 * A step's params with every `${...}` replaced, at dispatch time. A value that is exactly one
 * reference keeps the referenced value's type (`${params.limit}` -> 100, a json parameter -> its
 * object); a reference inside text is written as text (objects as JSON). Every reference that has
 * no value fails as FF_STEP_PARAMS_UNRESOLVED, naming the step and the reference.
 */
export function renderStepParams(step: StepSpec, params: Record<string, unknown>, outputs: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const issues: ValidationIssue[] = [];
  const rendered: Record<string, unknown> = {};
  for (const [key, template] of Object.entries(step.params ?? {})) {
    const issue = (message: string): void => {
      issues.push({ path: `params.${key}`, stepId: step.id, message: `params.${key}: ${message}` });
    };
    const { parts, errors } = parseTemplate(template);
    errors.forEach(issue);
    const values = parts.map((part) => (typeof part === 'string' ? { ok: true as const, value: part } : lookup(part, params, outputs)));
    let failed = errors.length > 0;
    for (const v of values) {
      if (!v.ok) {
        issue(v.why);
        failed = true;
      }
    }
    if (failed) continue;
    const resolved = values.map((v) => (v as { value: unknown }).value);
    rendered[key] = parts.length === 1 && typeof parts[0] !== 'string' ? resolved[0] : resolved.map(asText).join('');
  }
  if (issues.length > 0) throw new WorkflowValidationError('FF_STEP_PARAMS_UNRESOLVED', issues);
  return rendered;
}

type Lookup = { ok: true; value: unknown } | { ok: false; why: string };

function lookup(ref: TemplateRef, params: Record<string, unknown>, outputs: Record<string, Record<string, unknown>>): Lookup {
  if (ref.kind === 'param') {
    if (Object.hasOwn(params, ref.name) && params[ref.name] !== undefined) return { ok: true, value: params[ref.name] };
    return { ok: false, why: `${ref.text} has no value: parameter "${ref.name}" was not given and has no default` };
  }
  const produced = Object.hasOwn(outputs, ref.stepId) ? outputs[ref.stepId] : undefined;
  if (produced === undefined) {
    return { ok: false, why: `${ref.text} has no value: step "${ref.stepId}" has no outputs (it did not succeed, or was skipped)` };
  }
  if (!Object.hasOwn(produced, ref.key) || produced[ref.key] === undefined) {
    const keys = Object.keys(produced);
    const has = keys.length > 0 ? `it has ${keys.map((k) => `"${k}"`).join(', ')}` : 'it has none';
    return { ok: false, why: `${ref.text} has no value: step "${ref.stepId}" has no output "${ref.key}" (${has})` };
  }
  return { ok: true, value: produced[ref.key] };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? 'null';
}
