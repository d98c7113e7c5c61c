import { FlowForgeError, ValidationProblem } from '../errors/problem';
import type { HttpRequest, HttpResponse } from './http-types';

/**
 * How deep a JSON body may nest. Every FlowForge document (workflow specs, job configs, run params) fits
 * in far fewer levels; the bound keeps every later walk over a body (validation, audit, canonical JSON)
 * from running out of stack.
 */
export const MAX_JSON_DEPTH = 64;
/** Strings and keys a walk over request data looks at, at most: a body within the parser's size limit stays well below. */
const MAX_CHECKED_NODES = 200_000;

export class JsonTooDeepProblem extends FlowForgeError {
  constructor(limit: number) {
    super('FF_JSON_TOO_DEEP', 400, 'Request body nested too deeply', `the JSON body nests deeper than ${limit} levels of objects and arrays; flatten it`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * The deepest nesting of a JSON text, counted over its bytes before it is parsed (a linear scan that
 * skips strings), stopping as soon as `limit` is passed: a body of 8,000 nested objects is refused
 * without ever building it.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return false;
}

/** body-parser's `verify` hook: runs on the raw body before JSON.parse; what it throws is the answer (a 400 here). */
export function jsonDepthVerifier(limit = MAX_JSON_DEPTH): (req: unknown, res: unknown, body: Buffer) => void {
  return (_req, _res, body) => {
    if (jsonDepthExceeds(body, limit)) throw new JsonTooDeepProblem(limit);
  };
}

// A lone UTF-16 surrogate cannot be encoded as UTF-8 (PostgreSQL, Avro and most clients refuse it); a
// NUL cannot be stored in a PostgreSQL text value at all. Both are refused at the door.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be accepted, or null. */
export function unsafeTextReason(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `params.a.b`, `items[2]`, `params["my key"]`: the path of a value, as field errors name it. */
export function fieldPath(prefix: string, key: string | number): string {
  if (typeof key === 'number') return `${prefix}[${key}]`;
  // JSON.stringify escapes a NUL and a lone surrogate, so the name itself is safe to answer and log.
  if (!IDENTIFIER.test(key)) return `${prefix}[${JSON.stringify(key)}]`;
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * The fields of `value` (any parsed JSON, query object or string) whose text — value or key — holds a
 * NUL or a lone surrogate, named by path under `prefix`. Iterative and bounded: no input exhausts the
 * stack, none makes it walk forever; at most `maxErrors` are reported.
 */
export function unsafeTextFields(value: unknown, prefix: string, maxErrors = 20): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  const stack: [unknown, string][] = [[value, prefix]];
  let visited = 0;
  while (stack.length && errors.length < maxErrors && visited++ < MAX_CHECKED_NODES) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current);
      if (reason) errors.push({ field: path || '(body)', message: reason });
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], fieldPath(path, i)]);
      continue;
    }
    const entries = Object.entries(current as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const childPath = fieldPath(path, key);
      const keyReason = unsafeTextReason(key);
      if (keyReason) errors.push({ field: childPath, message: `(the field name) ${keyReason}` });
      stack.push([child, childPath]);
    }
  }
  return errors;
}

/** Throws 400 FF_VALIDATION naming each field of `value` that holds a NUL or a lone surrogate. */
export function assertSafeText(value: unknown, prefix: string): void {
  const errors = unsafeTextFields(value, prefix);
  if (errors.length) throw new ValidationProblem(errors);
}

/**
 * Express middleware after the body parsers: the query and the parsed body hold no NUL and no lone
 * surrogate, before any guard, interceptor or handler reads them (path parameters, known only once a
 * route matched, are checked by SafeParamPipe). A body field is named by its path (`params.a.b`),
 * a query parameter by its name.
 */
export function requestInputCheck() {
  return (req: HttpRequest & { query?: unknown }, _res: HttpResponse, next: (err?: unknown) => void): void => {
    try {
      const rawQuery = (req.url ?? '').split('?')[1];
      if (rawQuery) assertSafeText(req.query, '');
      if (req.body !== undefined && typeof req.body !== 'function') assertSafeText(req.body, '');
      next();
    } catch (err) {
      next(err);
    }
  };
}
