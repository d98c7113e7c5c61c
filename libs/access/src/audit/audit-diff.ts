import { canonicalJson } from './canonical-json';

/** The `changes` of an audit entry: what an action changed, old values in `before`, new in `after`. */
export interface AuditChanges {
  before: unknown;
  after: unknown;
}

/** Written instead of the value of a secret-bearing key, so the log shows that it changed but not to what. */
export const REDACTED = '[redacted]';

/** Keys whose values never enter the audit log (compared case-insensitively, at any depth). */
export const DEFAULT_REDACTED_KEYS: readonly string[] = [
  'password',
  'passwordHash',
  'secret',
  'secretHash',
  'totpSecret',
  'tokenHash',
  'recoveryCodes',
  'recoveryCodeHashes',
  'accessToken',
  'refreshToken',
];

export interface DiffOptions {
  /** Replaces (does not extend) DEFAULT_REDACTED_KEYS; spread the default in to extend it. */
  redactKeys?: readonly string[];
}

/**
 * `before` and `after` reduced to what differs, so an entry for "renamed a workflow" holds the name,
 * not the whole definition twice. The shape:
 * - both objects: two objects holding only the keys whose values differ, recursively: a nested
 *   object that changed holds only its changed keys; a key added appears only in `after`, a key
 *   removed only in `before`; nothing changed gives `{ before: {}, after: {} }`;
 * - arrays, Dates and other values are compared whole (by canonical JSON) and kept whole;
 * - not both objects (a creation `(null, x)`, a deletion `(x, null)`): both values whole, undefined as null.
 * `undefined` properties count as absent, as in JSON. Redacted keys show `[redacted]` on the side(s)
 * where they exist when their value changed, and are left out when it did not.
 */
export function diffChanges(before: unknown, after: unknown, options: DiffOptions = {}): AuditChanges {
  const redact = new Set((options.redactKeys ?? DEFAULT_REDACTED_KEYS).map((k) => k.toLowerCase()));
  if (isObject(before) && isObject(after)) return diffObjects(before, after, redact);
  return { before: redactDeep(before ?? null, redact), after: redactDeep(after ?? null, redact) };
}

function diffObjects(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  redact: ReadonlySet<string>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const out = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (b === undefined && a === undefined) continue;
    if (redact.has(key.toLowerCase())) {
      if (same(b, a)) continue;
      if (b !== undefined) out.before[key] = REDACTED;
      if (a !== undefined) out.after[key] = REDACTED;
      continue;
    }
    if (isObject(b) && isObject(a)) {
      const nested = diffObjects(b, a, redact);
      if (Object.keys(nested.before).length > 0 || Object.keys(nested.after).length > 0) {
        out.before[key] = nested.before;
        out.after[key] = nested.after;
      }
      continue;
    }
    if (same(b, a)) continue;
    if (b !== undefined) out.before[key] = redactDeep(b, redact);
    if (a !== undefined) out.after[key] = redactDeep(a, redact);
  }
  return out;
}

/** Equal as the audit log would store them: by canonical JSON, so a Date equals its ISO string. */
function same(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

function redactDeep(value: unknown, redact: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact.has(k.toLowerCase()) && v !== undefined ? REDACTED : redactDeep(v, redact);
  return out;
}

/** An object compared key by key: not null, not an array, not something with its own JSON form (a Date). */
function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}
