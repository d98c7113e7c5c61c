import { createHash } from 'node:crypto';

/**
 * Canonical JSON of a schema: object keys sorted, arrays (field order, symbols, union branches) kept.
 * Unlike Avro's Parsing Canonical Form it keeps defaults, docs and the `flowforge` attribute: two
 * schemas that differ only in a default resolve differently, so they must not share a registry id.
 */
export function canonicalSchemaJson(schema: unknown): string {
  return JSON.stringify(sortKeys(schema));
}

/** sha256 (hex) of canonicalSchemaJson: the registry's identity for "the same schema". */
export function schemaFingerprint(schema: unknown): string {
  return createHash('sha256').update(canonicalSchemaJson(schema)).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
