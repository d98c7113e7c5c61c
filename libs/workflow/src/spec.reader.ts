import { closestName } from './closest.name';
import type { ValidationIssue } from './workflow.errors';

/**
 * A small structural reader that collects issues instead of throwing, so that validation reports
 * every problem of a document at once. Paths are kept as segments so that a YAML document can map
 * each issue back to the node (and line) it came from.
 */

export type SpecPath = readonly (string | number)[];

export interface IssueDraft {
  path: SpecPath;
  message: string;
  stepId?: string;
  /** The issue is about a mapping key (an unknown field), not its value: locate the key. */
  atKey?: boolean;
}

export class IssueList {
  readonly items: IssueDraft[] = [];

  add(path: SpecPath, message: string, extra: { stepId?: string; atKey?: boolean } = {}): void {
    const draft: IssueDraft = { path, message };
    if (extra.stepId !== undefined) draft.stepId = extra.stepId;
    if (extra.atKey) draft.atKey = true;
    this.items.push(draft);
  }

  get size(): number {
    return this.items.length;
  }
}

export function toValidationIssue(draft: IssueDraft): ValidationIssue {
  return { path: formatPath(draft.path), message: draft.message, ...(draft.stepId !== undefined && { stepId: draft.stepId }) };
}

/** `steps[1].dependsOn[0]`; keys that are not identifiers are quoted: `params["my key"]`. */
export function formatPath(path: SpecPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How a wrong value is named back to the user: `"abc"`, `5`, `true`, `null`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where fields are read: the path of the enclosing mapping, the subject named in messages
 * (`parameter "run_date": `, or nothing for a step, whose id `formatIssue` prints) and the prefix of
 * field names (`retry.`).
 */
export class Scope {
  constructor(
    readonly issues: IssueList,
    readonly path: SpecPath,
    readonly subject = '',
    readonly fieldPrefix = '',
    readonly stepId?: string,
  ) {}

  /** A nested mapping: `scope.nested('retry', 'retry.')` reports `retry.maxAttempts ...` at `<path>.retry.maxAttempts`. */
  nested(key: string, fieldPrefix: string): Scope {
    return new Scope(this.issues, [...this.path, key], this.subject, fieldPrefix, this.stepId);
  }

  /** The field's name as messages say it, e.g. `retry.maxAttempts`. */
  label(key: string): string {
    return `${this.fieldPrefix}${key}`;
  }

  report(rel: SpecPath, message: string, atKey = false): void {
    this.issues.add([...this.path, ...rel], `${this.subject}${message}`, { stepId: this.stepId, atKey });
  }
}

/** Reports every key outside `allowed`, pointing at the key and suggesting the closest allowed one. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], scope: Scope): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const hint = closestName(key, allowed);
    scope.report([key], `unknown field "${scope.label(key)}"${hint ? ` (did you mean "${scope.label(hint)}"?)` : ''}`, true);
  }
}

interface Presence {
  required?: boolean;
}

function present(obj: Record<string, unknown>, key: string, scope: Scope, opts: Presence): boolean {
  const value = obj[key];
  if (value !== undefined && value !== null) return true;
  // Reported at the field's own path even when absent: a YAML locator then points at the nearest enclosing node.
  if (opts.required) scope.report([key], `${scope.label(key)} is required`);
  return false;
}

export function readMapping(obj: Record<string, unknown>, key: string, scope: Scope, opts: Presence = {}): Record<string, unknown> | undefined {
  if (!present(obj, key, scope, opts)) return undefined;
  const value = obj[key];
  if (isRecord(value)) return value;
  scope.report([key], `${scope.label(key)} must be a mapping (got ${describeValue(value)})`);
  return undefined;
}

export function readList(obj: Record<string, unknown>, key: string, scope: Scope, opts: Presence = {}): unknown[] | undefined {
  if (!present(obj, key, scope, opts)) return undefined;
  const value = obj[key];
  if (Array.isArray(value)) return value;
  scope.report([key], `${scope.label(key)} must be a list (got ${describeValue(value)})`);
  return undefined;
}

export interface StringRule extends Presence {
  pattern?: RegExp;
  /** Completes `<field> "<value>" is not valid: ...`, e.g. `use lower-case letters, digits, "_" and "-"`. */
  hint?: string;
  maxLength?: number;
  nonEmpty?: boolean;
}

/** Checks a string against a rule; returns the message tail when it fails (shared by lists of strings). */
export function checkString(value: unknown, label: string, rule: StringRule): string | null {
  if (typeof value !== 'string') return `${label} must be a string (got ${describeValue(value)})`;
  if (rule.nonEmpty && value.trim() === '') return `${label} must not be empty`;
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    return `${label} must be at most ${rule.maxLength} characters (got ${value.length})`;
  }
  if (rule.pattern && !rule.pattern.test(value)) return `${label} ${describeValue(value)} is not valid: ${rule.hint ?? `must match ${rule.pattern.source}`}`;
  return null;
}

export function readString(obj: Record<string, unknown>, key: string, scope: Scope, rule: StringRule = {}): string | undefined {
  if (!present(obj, key, scope, rule)) return undefined;
  const problem = checkString(obj[key], scope.label(key), rule);
  if (problem === null) return obj[key] as string;
  scope.report([key], problem);
  return undefined;
}

export interface NumberRule extends Presence {
  min: number;
  max: number;
  integer?: boolean;
}

export function checkNumber(value: unknown, label: string, rule: NumberRule): string | null {
  const kind = rule.integer ? 'an integer' : 'a number';
  const ok = typeof value === 'number' && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) && value >= rule.min && value <= rule.max;
  return ok ? null : `${label} must be ${kind} between ${rule.min} and ${rule.max} (got ${describeValue(value)})`;
}

export function readNumber(obj: Record<string, unknown>, key: string, scope: Scope, rule: NumberRule): number | undefined {
  if (!present(obj, key, scope, rule)) return undefined;
  const problem = checkNumber(obj[key], scope.label(key), rule);
  if (problem === null) return obj[key] as number;
  scope.report([key], problem);
  return undefined;
}

export function readBoolean(obj: Record<string, unknown>, key: string, scope: Scope, opts: Presence = {}): boolean | undefined {
  if (!present(obj, key, scope, opts)) return undefined;
  const value = obj[key];
  if (typeof value === 'boolean') return value;
  scope.report([key], `${scope.label(key)} must be true or false (got ${describeValue(value)})`);
  return undefined;
}

export function readEnum<T extends string>(obj: Record<string, unknown>, key: string, scope: Scope, values: readonly T[], opts: Presence = {}): T | undefined {
  if (!present(obj, key, scope, opts)) return undefined;
  const value = obj[key];
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  const hint = typeof value === 'string' ? closestName(value, values) : undefined;
  scope.report([key], `${scope.label(key)} must be one of ${values.join(', ')} (got ${describeValue(value)})${hint ? `; did you mean "${hint}"?` : ''}`);
  return undefined;
}
