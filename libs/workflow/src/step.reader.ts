import { parseTemplate } from './step-params.template';
import { checkString, describeValue, isRecord, readEnum, readList, readMapping, readNumber, readString, rejectUnknownKeys, Scope } from './spec.reader';
import {
  DEFAULT_CONDITION,
  DEFAULT_RETRY,
  MAX_ATTEMPTS,
  MAX_BACKOFF_FACTOR,
  MAX_DURATION_MS,
  NAME_PATTERN,
  STEP_ID_PATTERN,
  StepConditions,
  type RetryPolicy,
  type StepSpec,
} from './workflow.model';

const STEP_KEYS = ['id', 'job', 'jobVersion', 'dependsOn', 'condition', 'retry', 'timeoutMs', 'params'] as const;
const RETRY_KEYS = ['maxAttempts', 'initialDelayMs', 'backoffFactor', 'maxDelayMs'] as const;

export const STEP_ID_HINT = 'use lower-case letters, digits, "_" and "-", starting with a letter or digit, at most 63 characters';
export const NAME_HINT = 'use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters';

/**
 * One step, structure only (fields, types, ranges, defaults filled, the `${...}` syntax of params).
 * Whether its dependencies, references and job exist needs the whole workflow: see the validator.
 * Returns undefined when the step is too broken to take part in those checks (no usable id).
 */
export function readStep(raw: unknown, index: number, scope: Scope): StepSpec | undefined {
  const anonymous = new Scope(scope.issues, ['steps', index], '', `steps[${index}].`);
  if (!isRecord(raw)) {
    anonymous.report([], `steps[${index}] must be a mapping with id and job (got ${describeValue(raw)})`);
    return undefined;
  }
  const id = readString(raw, 'id', anonymous, { required: true, pattern: STEP_ID_PATTERN, hint: STEP_ID_HINT });
  const step = id === undefined ? anonymous : new Scope(scope.issues, ['steps', index], '', '', id);
  rejectUnknownKeys(raw, STEP_KEYS, step);

  const job = readString(raw, 'job', step, { required: true, pattern: NAME_PATTERN, hint: NAME_HINT });
  const jobVersion = readNumber(raw, 'jobVersion', step, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
  const dependsOn = readDependsOn(raw, step);
  const condition = readEnum(raw, 'condition', step, StepConditions) ?? DEFAULT_CONDITION;
  const retry = readRetry(raw, step);
  const timeoutMs = readNumber(raw, 'timeoutMs', step, { integer: true, min: 1, max: MAX_DURATION_MS });
  const params = readStepParams(raw, step);

  if (id === undefined) return undefined;
  // Keys in StepSpec's order, so that normalised specs print and compare the same way.
  return {
    id,
    job: job ?? '',
    ...(jobVersion !== undefined && { jobVersion }),
    dependsOn,
    condition,
    retry,
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(params !== undefined && { params }),
  };
}

function readDependsOn(raw: Record<string, unknown>, step: Scope): string[] {
  const list = readList(raw, 'dependsOn', step) ?? [];
  const deps: string[] = [];
  list.forEach((dep, j) => {
    const problem = checkString(dep, `dependsOn[${j}]`, { nonEmpty: true });
    if (problem !== null) step.report(['dependsOn', j], problem);
    else if (deps.includes(dep as string)) step.report(['dependsOn', j], `lists "${dep as string}" twice in dependsOn`);
    else deps.push(dep as string);
  });
  return deps;
}

function readRetry(raw: Record<string, unknown>, step: Scope): RetryPolicy {
  const retry = readMapping(raw, 'retry', step);
  if (retry === undefined) return { ...DEFAULT_RETRY };
  const scope = step.nested('retry', 'retry.');
  rejectUnknownKeys(retry, RETRY_KEYS, scope);
  const policy: RetryPolicy = {
    maxAttempts: readNumber(retry, 'maxAttempts', scope, { integer: true, min: 1, max: MAX_ATTEMPTS }) ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: readNumber(retry, 'initialDelayMs', scope, { integer: true, min: 0, max: MAX_DURATION_MS }) ?? DEFAULT_RETRY.initialDelayMs,
    backoffFactor: readNumber(retry, 'backoffFactor', scope, { min: 1, max: MAX_BACKOFF_FACTOR }) ?? DEFAULT_RETRY.backoffFactor,
    maxDelayMs: readNumber(retry, 'maxDelayMs', scope, { integer: true, min: 0, max: MAX_DURATION_MS }) ?? DEFAULT_RETRY.maxDelayMs,
  };
  if (policy.maxDelayMs < policy.initialDelayMs) {
    const at = retry.maxDelayMs !== undefined ? ['maxDelayMs'] : ['initialDelayMs'];
    scope.report(
      at,
      `retry.maxDelayMs (${policy.maxDelayMs}) must not be less than retry.initialDelayMs (${policy.initialDelayMs})` +
        (retry.maxDelayMs === undefined ? `; the default maxDelayMs is ${DEFAULT_RETRY.maxDelayMs}, set a larger one` : ''),
    );
  }
  return policy;
}

/**
 * Step params are text. Numbers and booleans written bare in YAML (`limit: 100`) are taken as their
 * text, since that is what the author meant; lists, mappings and null are refused.
 */
function readStepParams(raw: Record<string, unknown>, step: Scope): Record<string, string> | undefined {
  const params = readMapping(raw, 'params', step);
  if (params === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key.trim() === '' || key.length > 128) {
      step.report(['params', key], `params key ${describeValue(key)} must be 1 to 128 characters`, true);
      continue;
    }
    const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    if (typeof text !== 'string') {
      step.report(['params', key], `params.${key} must be text (got ${describeValue(value)}); write JSON as a quoted string`);
      continue;
    }
    for (const error of parseTemplate(text).errors) step.report(['params', key], `params.${key}: ${error}`);
    out[key] = text;
  }
  return out;
}
