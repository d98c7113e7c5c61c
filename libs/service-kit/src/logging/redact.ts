/** Keys whose values are secrets wherever they appear in a log record. */
const SECRET_KEY = /pass(word|wd)?|secret|token|authorization|api[-_]?key|cookie|credential|private[-_]?key/i;
/**
 * user:password@ in connection strings. A scheme is only tried from the start of its run of scheme
 * characters (the lookbehind): otherwise every position of a long run is retried, quadratic time (a 1 MB
 * audit value would have held the event loop for about an hour).
 */
const URL_CREDENTIALS = /(?<![a-z0-9+.-])([a-z0-9+.-]+:\/\/[^:/@\s]+):[^@/\s]+@/gi;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function scrubText(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`);
}

/** A copy of `value` with secret-looking keys replaced and URL passwords masked, at any depth. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message), stack: value.stack && scrubText(value.stack), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactDeep(v, depth + 1);
  }
  return out;
}
