import { redactSecretValues } from '@flowforge/service-kit';

/**
 * Moving secret fields in and out of a connection config. A config lives in two places: the plain part
 * (jsonb, returned by the API) and one encrypted row per secret field; these helpers split and join them
 * and render what the API shows instead of a secret.
 */
export type JsonObject = Record<string, unknown>;

/** What the API shows in place of a secret: whether it is set, never the value. */
export interface SecretPlaceholder {
  set: boolean;
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A placeholder sent back (GET → edit → PATCH): `{ "set": true }` keeps the stored secret, `{ "set": false }` clears it. */
export function isPlaceholder(v: unknown): v is SecretPlaceholder {
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.set === 'boolean';
}

function getPath(obj: JsonObject, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Sets `dotted` in `obj` when its parent object exists (a secret of an absent `sasl` block stays absent). */
function setPath(obj: JsonObject, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur: JsonObject = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (!isPlainObject(next)) return;
    cur = next;
  }
  cur[parts[parts.length - 1]!] = value;
}

function deletePath(obj: JsonObject, dotted: string): void {
  const parts = dotted.split('.');
  let cur: unknown = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(cur)) return;
    cur = cur[part];
  }
  if (isPlainObject(cur)) delete cur[parts[parts.length - 1]!];
}

function parentExists(obj: JsonObject, dotted: string): boolean {
  const parts = dotted.split('.');
  return parts.length === 1 || isPlainObject(getPath(obj, parts.slice(0, -1).join('.')));
}

const clone = <T>(v: T): T => structuredClone(v);

/** Full config → plain part + the secret values that are set (by dot path). */
export function splitSecrets(config: JsonObject, secretFields: readonly string[]): { plain: JsonObject; secrets: Record<string, unknown> } {
  const plain = clone(config);
  const secrets: Record<string, unknown> = {};
  for (const field of secretFields) {
    const value = getPath(plain, field);
    if (value !== undefined) secrets[field] = value;
    deletePath(plain, field);
  }
  return { plain, secrets };
}

/** Plain part + decrypted secrets → the full config a tester or an executor needs. */
export function joinSecrets(plain: JsonObject, secrets: Record<string, unknown>): JsonObject {
  const full = clone(plain);
  for (const [field, value] of Object.entries(secrets)) setPath(full, field, value);
  return full;
}

/** The plain part with `{ set }` where each secret field goes (nested ones only when their block exists). */
export function renderWithPlaceholders(plain: JsonObject, secretFields: readonly string[], setFields: ReadonlySet<string>): JsonObject {
  const view = clone(plain);
  for (const field of secretFields) {
    if (parentExists(view, field)) setPath(view, field, { set: setFields.has(field) } satisfies SecretPlaceholder);
  }
  return view;
}

/**
 * RFC 7386 JSON merge patch of `patch` onto `target` (null removes a field), except that secret fields
 * are replaced whole, never merged, and a placeholder at a secret field keeps (`{ "set": true }`) or
 * clears (`{ "set": false }`) the stored value. Creating a connection is patching `{}`.
 */
export function applyConfigPatch(target: JsonObject, patch: JsonObject, secretFields: readonly string[], prefix = ''): JsonObject {
  const out = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (secretFields.includes(field)) {
      if (value === null || (isPlaceholder(value) && !value.set)) delete out[key];
      else if (!isPlaceholder(value)) out[key] = clone(value);
    } else if (value === null) {
      delete out[key];
    } else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = applyConfigPatch(out[key], value, secretFields, field);
    } else if (isPlainObject(value)) {
      out[key] = applyConfigPatch({}, value, secretFields, field);
    } else {
      out[key] = clone(value);
    }
  }
  return out;
}

/** Every secret value as text, longest first: what must never appear in a message, log or event. */
export function secretTexts(secrets: Record<string, unknown>): string[] {
  const texts = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 3) texts.add(v);
    else if (isPlainObject(v)) Object.values(v).forEach(walk);
    else if (Array.isArray(v)) v.forEach(walk);
  };
  Object.values(secrets).forEach(walk);
  return [...texts].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every echo of a secret value in `text` (a driver or server may echo what it was given, in
 * any letter case or encoding: redactSecretValues).
 */
export function scrubSecrets(text: string, secrets: Record<string, unknown>): string {
  return redactSecretValues(text, secretTexts(secrets));
}
