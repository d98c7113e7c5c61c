/**
 * One text per JSON value, so that a hash computed when an audit entry is written can be recomputed
 * from what a database or an HTTP response gives back later, whatever order the keys come in.
 *
 * The output is what JSON.stringify writes, with object keys sorted (by UTF-16 code units, as
 * Array#sort does) at every depth and no whitespace; for the JSON that audit entries hold this is
 * the RFC 8785 (JCS) form. Like JSON.stringify:
 * - an object property whose value is `undefined` is left out, so `{a: 1, b: undefined}` = `{a: 1}`;
 * - a value with `toJSON()` (a Date) is written as what that returns (the ISO string).
 * Unlike JSON.stringify, values that JSON would silently change are refused with FF_CANONICAL_JSON,
 * because a hash over text that does not round-trip could never be verified again:
 * `undefined` at the top level or in an array (JSON writes null), functions and symbols, NaN and
 * ±Infinity (JSON writes null), bigint (JSON throws), Map and Set (JSON writes {}), and cycles.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  const v = toJsonValue(value);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(path, `${v} has no JSON form`);
    return JSON.stringify(v);
  }
  if (v === undefined) fail(path, 'undefined has no JSON form here (only object properties may be undefined, and are left out)');
  if (typeof v !== 'object') fail(path, `a ${typeof v} has no JSON form`);
  if (v instanceof Map || v instanceof Set) fail(path, `a ${v instanceof Map ? 'Map' : 'Set'} has no JSON form; convert it to an object or array`);
  if (ancestors.has(v)) fail(path, 'the value contains itself (a cycle)');
  ancestors.add(v);
  let out: string;
  if (Array.isArray(v)) {
    out = `[${v.map((item: unknown, i) => write(item, `${path}[${i}]`, ancestors)).join(',')}]`;
  } else {
    const record = v as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (toJsonValue(record[key]) === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(record[key], `${path}.${key}`, ancestors)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  ancestors.delete(v);
  return out;
}

function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  return value;
}

function fail(path: string, why: string): never {
  throw new TypeError(`FF_CANONICAL_JSON: ${path}: ${why}`);
}
