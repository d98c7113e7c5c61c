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

/** Objects nested deeper than this are not walked: they are logged as a marker, never unredacted. */
const MAX_REDACT_DEPTH = 8;

/** A copy of `value` with secret-looking keys replaced and URL passwords masked, at any depth. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_REDACT_DEPTH) return `[nested deeper than ${MAX_REDACT_DEPTH} levels]`;
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

/** Shorter secret values are not searched for in text: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 3;
/** An encoded form shorter than this is not searched for either (a few base64 letters match anything). */
const MIN_VARIANT_LENGTH = 4;

/**
 * The base64 letters that only `bytes` determine, wherever the bytes start in a longer encoded stream
 * (`Basic base64(user:password)` holds the password at some offset): for each of the three offsets the
 * letters shared with neighbouring bytes are dropped, so the core matches whatever surrounds it.
 */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    out.push(b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6)));
  }
  return out;
}

/**
 * The forms a secret value takes when echoed back: itself (matched case-insensitively by the caller),
 * upper- and lower-cased, URL-encoded (also with `+` for spaces), hex, base64 and base64url (at any
 * offset of a longer encoded text).
 */
export function secretVariants(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([
    secret,
    secret.toUpperCase(),
    secret.toLowerCase(),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    bytes.toString('hex'),
  ]);
  for (const core of base64Cores(bytes)) {
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((f) => f.length >= MIN_VARIANT_LENGTH || f === secret);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every echo of the given secret values in `text` with `[redacted]`: the exact value, any
 * letter case, and the common encodings (secretVariants). A server or driver may echo what it was sent
 * in any of these forms into an error message that would otherwise reach a response or a log.
 */
export function redactSecretValues(text: string, secrets: readonly string[]): string {
  const variants = [...new Set(secrets.flatMap(secretVariants))].sort((a, b) => b.length - a.length);
  if (variants.length === 0) return text;
  return text.replace(new RegExp(variants.map(escapeRegExp).join('|'), 'giu'), REDACTED);
}
