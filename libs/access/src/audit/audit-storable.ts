import type { AuditRecord } from './audit-chain';

/**
 * Audit values made storable in PostgreSQL `text` and `jsonb` before they are hashed and written, so that
 * one odd value (a NUL byte from a URL, a lone UTF-16 surrogate, a megabyte header) can never make the
 * audit log refuse an entry. Both the producer (the kit's AuditTrail, so that the event stays small) and
 * the writer (the auth service, which hashes what it stores) apply it; a value already storable and
 * within the bounds passes unchanged.
 *
 * - NUL (U+0000), which neither `text` nor `jsonb` accepts, becomes the six characters `\u0000`;
 * - a lone surrogate, which `jsonb` refuses and `text` would silently turn into U+FFFD (so the stored
 *   text would no longer match its hash), becomes U+FFFD here, before hashing;
 * - an over-long value keeps its beginning and ends with a marker saying how long it was.
 */

/** What a NUL byte is written as: the JSON escape, legible and never mistaken for the end of a string. */
export const ESCAPED_NUL = '\\u0000';
export const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Bounds per field, in UTF-16 code units. The indexed columns (actor_id, action, resource_type +
 * resource_id) stay well under PostgreSQL's btree row limit (2704 bytes; a code unit is at most 3 UTF-8 bytes).
 */
export const AUDIT_FIELD_LIMITS = {
  id: 64,
  service: 128,
  actorId: 256,
  actorName: 256,
  action: 256,
  resourceType: 128,
  resourceId: 512,
  ip: 128,
  userAgent: 1024,
  traceId: 128,
} as const;

export interface StorableJsonLimits {
  /** Containers nested deeper than this are replaced by a marker (default 32). */
  maxDepth?: number;
  /** Each string value (default 8192 code units). */
  maxStringLength?: number;
  /** Each object key (default 256 code units). */
  maxKeyLength?: number;
  /** Roughly the whole value's JSON size: once spent, remaining items and keys are replaced by a marker (default 64 Ki code units). */
  maxTotalLength?: number;
}

const DEFAULT_JSON_LIMITS: Required<StorableJsonLimits> = { maxDepth: 32, maxStringLength: 8192, maxKeyLength: 256, maxTotalLength: 64 * 1024 };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The marker that ends a truncated value; it says how long the original was. */
export function truncationMarker(originalLength: number): string {
  return `…[truncated: ${originalLength} characters]`;
}

/**
 * `value` as PostgreSQL `text` and `jsonb` accept it, at most `maxLength` code units long (see the
 * module comment). A surrogate pair is never cut in half.
 */
export function storableText(value: string, maxLength: number): string {
  let out = value.includes('\0') ? value.split('\0').join(ESCAPED_NUL) : value;
  out = out.replace(LONE_SURROGATE, REPLACEMENT_CHARACTER);
  if (out.length <= maxLength) return out;
  const marker = truncationMarker(out.length);
  if (marker.length >= maxLength) return cutAt(out, maxLength);
  return cutAt(out, maxLength - marker.length) + marker;
}

/** storableText for a nullable field. */
export function storableNullableText(value: string | null | undefined, maxLength: number): string | null {
  return value === null || value === undefined ? null : storableText(String(value), maxLength);
}

function cutAt(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  // Do not leave the high half of a pair at the end: that would be a lone surrogate again.
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, length - 1) : text.slice(0, length);
}

/**
 * A plain JSON value that `jsonb` stores and gives back unchanged, so its canonical JSON (and the entry's
 * hash) is the same after a round trip: strings and keys made storable, non-finite numbers as null,
 * bigints as decimal strings, `undefined`/functions/symbols dropped as JSON.stringify drops them, values
 * with `toJSON` (Dates) as what it returns, cycles and containers deeper than `maxDepth` replaced by a
 * marker, and the whole bounded to about `maxTotalLength` (the rest replaced by a marker). Never throws,
 * and never recurses deeper than `maxDepth`, whatever it is given.
 */
export function storableJson(value: unknown, limits: StorableJsonLimits = {}): unknown {
  const l = { ...DEFAULT_JSON_LIMITS, ...limits };
  const budget = { left: l.maxTotalLength };
  const out = walk(value, 0, l, budget, new Set());
  return out === undefined ? null : out;
}

type Budget = { left: number };

/** undefined: leave the property out (as JSON.stringify does); in an array it becomes null. */
function walk(input: unknown, depth: number, l: Required<StorableJsonLimits>, budget: Budget, ancestors: Set<object>): unknown {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    try {
      value = (value as { toJSON: () => unknown }).toJSON();
    } catch {
      value = '[unserializable value]';
    }
  }
  if (value === null || typeof value === 'boolean') {
    budget.left -= 5;
    return value;
  }
  if (typeof value === 'number') {
    budget.left -= 24;
    // JSON has no NaN or Infinity (JSON.stringify writes null); -0 is written as 0.
    return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  }
  if (typeof value === 'bigint') value = value.toString();
  if (typeof value === 'string') {
    // Short strings still fit once the budget is nearly spent, so the total overshoots by little.
    const s = storableText(value, Math.max(64, Math.min(l.maxStringLength, budget.left)));
    budget.left -= s.length + 2;
    return s;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (ancestors.has(value)) {
    budget.left -= 10;
    return '[cycle]';
  }
  if (depth >= l.maxDepth) {
    budget.left -= 48;
    return `[truncated: nested deeper than ${l.maxDepth} levels]`;
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        if (budget.left <= 0) {
          items.push(`[truncated: ${value.length - i} more items]`);
          break;
        }
        const item = walk(value[i], depth + 1, l, budget, ancestors);
        items.push(item === undefined ? null : item);
        budget.left -= 1;
      }
      return items;
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      if (budget.left <= 0) {
        out['…'] = `[truncated: ${keys.length - i} more keys]`;
        break;
      }
      const key = storableText(keys[i]!, l.maxKeyLength);
      const item = walk((value as Record<string, unknown>)[keys[i]!], depth + 1, l, budget, ancestors);
      if (item === undefined) continue;
      budget.left -= key.length + 4;
      out[key] = item;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/** Every field of an entry made storable (bounded by AUDIT_FIELD_LIMITS, `changes` by storableJson). */
export function storableAuditRecord<R extends Omit<AuditRecord, 'seq'>>(record: R): R {
  const L = AUDIT_FIELD_LIMITS;
  return {
    ...record,
    id: storableText(record.id, L.id),
    service: storableText(record.service, L.service),
    actorId: storableNullableText(record.actorId, L.actorId),
    actorName: storableNullableText(record.actorName, L.actorName),
    action: storableText(record.action, L.action),
    resourceType: storableNullableText(record.resourceType, L.resourceType),
    resourceId: storableNullableText(record.resourceId, L.resourceId),
    ip: storableNullableText(record.ip, L.ip),
    userAgent: storableNullableText(record.userAgent, L.userAgent),
    traceId: storableNullableText(record.traceId, L.traceId),
    // The column is an integer: anything else is not an HTTP status.
    status: Number.isInteger(record.status) && record.status! >= 0 && record.status! <= 2147483647 ? record.status : null,
    changes: record.changes === null || record.changes === undefined ? null : storableJson(record.changes),
  };
}
