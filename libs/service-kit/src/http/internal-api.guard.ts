import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse } from 'node:url';
import { PROBLEM_CONTENT_TYPE, problemType } from '../errors/problem';
import type { HttpRequest, HttpResponse } from './http-types';

/** Header carrying the shared secret of the services' internal APIs. */
export const INTERNAL_TOKEN_HEADER = 'x-flowforge-internal-token';

/** Header carrying the executors' credential (FLOWFORGE_EXECUTOR_TOKEN) on executor-only routes. */
export const EXECUTOR_TOKEN_HEADER = 'x-flowforge-executor-token';

/** A fresh token for one process (embedded host, tests): nobody outside the process knows it. */
export function generateInternalToken(): string {
  return randomBytes(32).toString('base64url');
}

function same(given: string, expected: Buffer): boolean {
  const g = Buffer.from(given);
  return g.length === expected.length && timingSafeEqual(g, expected);
}

/**
 * The path Express's router matches the request by, in lower case (its routes ignore case): like its
 * parseurl, a plain `/path?query` target as is, anything else (an absolute-form `http://host/internal/...`,
 * whitespace, `#`) through the legacy URL parser. Reading `req.url` as a path let `/INTERNAL/...` and
 * `GET http://host/internal/...` reach the routes without a token.
 */
function routedPath(url: string): string {
  const plain = url.startsWith('/') && !/[\t\n\f\r #\u00a0\ufeff]/.test(url);
  return ((plain ? url.split('?')[0] : parse(url).pathname) ?? '').toLowerCase();
}

/**
 * Express middleware in front of every `/internal/...` route. Services trust the actor headers the
 * gateway forwards and answer without RBAC of their own, so only a caller holding the platform's
 * internal token (FLOWFORGE_INTERNAL_TOKEN; a per-process random one when unset) may reach them. This
 * matters most when embedded: the internal routes are served on the public port.
 */
export function internalApiGuard(token: string) {
  const expected = Buffer.from(token);
  return (req: HttpRequest, res: HttpResponse, next: () => void): void => {
    const path = req.url ?? '';
    const routed = routedPath(path);
    if (!routed.startsWith('/internal/') && routed !== '/internal') return next();
    const given = req.headers[INTERNAL_TOKEN_HEADER];
    if (typeof given === 'string' && same(given, expected)) return next();
    const code = 'FF_INTERNAL_API_FORBIDDEN';
    res.statusCode = 403;
    res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    res.end(
      JSON.stringify({
        type: problemType(code),
        title: 'Forbidden',
        status: 403,
        detail: `internal APIs answer only callers holding the platform's internal token (${INTERNAL_TOKEN_HEADER}); use the public API under /api`,
        instance: path.split('?')[0],
        code,
      }),
    );
  };
}

/**
 * Whether a request holds the executor credential: executor-only routes (connection secrets) check it on
 * top of the internal token, which the gateway holds too. Constant-time; an empty expected token (no
 * executor credential in this process) matches nothing.
 */
export function holdsExecutorToken(headers: Record<string, string | string[] | undefined>, token: string): boolean {
  const given = headers[EXECUTOR_TOKEN_HEADER];
  return token !== '' && typeof given === 'string' && same(given, Buffer.from(token));
}
