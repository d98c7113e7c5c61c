import { closestName } from './closest.name';
import { describeValue, isRecord } from './spec.reader';
import { WorkflowValidationError, type ValidationIssue } from './workflow.errors';
import type { ParameterSpec, ParamType } from './workflow.model';

/** Completes "must be ..." for each type. */
const EXPECTED: Record<ParamType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  json: 'JSON',
};

export function expectedParamValue(type: ParamType): string {
  return EXPECTED[type];
}

type Coerced = { ok: true; value: unknown } | { ok: false; why?: string };

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day: `2024-02-30` is not one. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_TEXT.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Plain JSON data: what survives JSON.stringify/parse unchanged (no NaN, Date, Map, undefined...). */
export function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (isRecord(value) && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJsonValue);
  return false;
}

/** A value already of `type` (a default in a definition): no text conversion. */
export function isParamValue(type: ParamType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return isIsoDate(value);
    case 'json':
      return isJsonValue(value);
  }
}

/**
 * A given value -> the typed value. Text (CLI `--param k=v`, query strings) is converted; values that
 * already have the type (JSON API bodies) pass. For `json`, text is JSON text.
 */
export function coerceParamValue(type: ParamType, value: unknown): Coerced {
  if (typeof value !== 'string' || type === 'string') return isParamValue(type, value) ? { ok: true, value } : { ok: false };
  const text = value.trim();
  switch (type) {
    case 'integer': {
      const n = Number(text);
      return INTEGER_TEXT.test(text) && Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'number': {
      const n = Number(text);
      return NUMBER_TEXT.test(text) && Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      return lower === 'true' || lower === 'false' ? { ok: true, value: lower === 'true' } : { ok: false };
    }
    case 'date':
      return isIsoDate(text) ? { ok: true, value: text } : { ok: false };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(value) as unknown };
      } catch (err) {
        return { ok: false, why: (err as Error).message };
      }
  }
}

/**
 * Run parameters as given (strings from the CLI, anything from the API) -> typed values, defaults
 * filled, in declaration order. Parameters neither given nor defaulted are left out. Every problem is
 * reported at once as FF_PARAMS_INVALID, each naming the parameter.
 */
export function resolveParameters(specs: ParameterSpec[], given: Record<string, unknown>): Record<string, unknown> {
  const issues: ValidationIssue[] = [];
  const declared = specs.map((s) => s.name);
  for (const name of Object.keys(given)) {
    if (declared.includes(name) || given[name] === undefined) continue;
    const hint = closestName(name, declared);
    const known = declared.length > 0 ? `it declares ${declared.join(', ')}` : 'it declares none';
    issues.push({
      path: `params.${name}`,
      message: `unknown parameter "${name}": ${hint ? `did you mean "${hint}"? ` : ''}(${known})`,
    });
  }
  const resolved: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = Object.hasOwn(given, spec.name) ? given[spec.name] : undefined;
    if (value !== undefined) {
      const coerced = coerceParamValue(spec.type, value);
      if (coerced.ok) resolved[spec.name] = coerced.value;
      else {
        const why = coerced.why ? `: ${coerced.why}` : '';
        issues.push({
          path: `params.${spec.name}`,
          message: `parameter "${spec.name}" must be ${EXPECTED[spec.type]} (got ${describeValue(value)})${why}`,
        });
      }
    } else if (spec.default !== undefined) {
      resolved[spec.name] = structuredClone(spec.default);
    } else if (spec.required) {
      issues.push({ path: `params.${spec.name}`, message: `parameter "${spec.name}" is required (${EXPECTED[spec.type]})` });
    }
  }
  if (issues.length > 0) throw new WorkflowValidationError('FF_PARAMS_INVALID', issues);
  return resolved;
}
