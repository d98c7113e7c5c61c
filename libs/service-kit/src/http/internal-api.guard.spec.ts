import { PROBLEM_CONTENT_TYPE } from '../errors/problem';
import type { HttpRequest, HttpResponse } from './http-types';
import { EXECUTOR_TOKEN_HEADER, generateInternalToken, holdsExecutorToken, INTERNAL_TOKEN_HEADER, internalApiGuard } from './internal-api.guard';

const TOKEN = generateInternalToken();

interface Outcome {
  passed: boolean;
  status?: number;
  contentType?: string;
  body?: Record<string, unknown>;
}

/** Runs the middleware on one request: passed on to the routes, or answered (status, headers, body). */
function guard(url: string, token?: string | string[], expected = TOKEN): Outcome {
  const headers: Record<string, string | string[]> = token === undefined ? {} : { [INTERNAL_TOKEN_HEADER]: token };
  const set: Record<string, string> = {};
  const res = {
    statusCode: 200,
    setHeader: (name: string, value: string) => void (set[name.toLowerCase()] = value),
    end: jest.fn(),
  };
  let passed = false;
  internalApiGuard(expected)({ url, headers } as unknown as HttpRequest, res as unknown as HttpResponse, () => (passed = true));
  if (passed) {
    expect(res.end).not.toHaveBeenCalled();
    return { passed };
  }
  expect(res.end).toHaveBeenCalledTimes(1);
  return { passed, status: res.statusCode, contentType: set['content-type'], body: JSON.parse(String(res.end.mock.calls[0]![0])) as Record<string, unknown> };
}

describe('internalApiGuard', () => {
  it('refuses an internal route without the header: 403 problem+json naming the header, no query in instance', () => {
    expect(guard('/internal/orchestrator/runs?state=failed')).toEqual({
      passed: false,
      status: 403,
      contentType: PROBLEM_CONTENT_TYPE,
      body: {
        type: 'https://flowforge.dev/problems/internal-api-forbidden',
        title: 'Forbidden',
        status: 403,
        detail: expect.stringContaining(INTERNAL_TOKEN_HEADER),
        instance: '/internal/orchestrator/runs',
        code: 'FF_INTERNAL_API_FORBIDDEN',
      },
    });
  });

  it('refuses a wrong token, of the same length or not, and an empty or repeated header', () => {
    const sameLength = generateInternalToken();
    expect(sameLength).toHaveLength(TOKEN.length);
    const lastCharChanged = TOKEN.slice(0, -1) + (TOKEN.endsWith('A') ? 'B' : 'A');
    for (const wrong of [sameLength, lastCharChanged, TOKEN.slice(0, -1), `${TOKEN}x`, '', [TOKEN, TOKEN]]) {
      expect({ wrong, ...guard('/internal/catalog/connections', wrong) }).toMatchObject({
        wrong,
        passed: false,
        status: 403,
        body: { code: 'FF_INTERNAL_API_FORBIDDEN' },
      });
    }
  });

  it('passes the right token on, whatever the query string', () => {
    expect(guard('/internal/catalog/connections', TOKEN)).toEqual({ passed: true });
    expect(guard('/internal/orchestrator/runs?workflow=nightly&limit=5', TOKEN)).toEqual({ passed: true });
    expect(guard('/internal', TOKEN)).toEqual({ passed: true });
  });

  it('guards /internal itself and every path under it, with or without a query', () => {
    for (const url of ['/internal', '/internal/', '/internal?x=1', '/internal/catalog/assets/1/download?format=csv', '/internal/x/']) {
      expect({ url, ...guard(url) }).toMatchObject({ url, passed: false, status: 403 });
    }
  });

  it('lets every other path through without a token: /internalx, /api, /health, a query naming /internal', () => {
    for (const url of [
      '/internalx',
      '/internalx/catalog',
      '/internal-api',
      '/api/v1/runs',
      '/api/internal/x',
      '/health/ready',
      '/metrics',
      '/',
      '/api/v1/runs?next=/internal/x',
    ]) {
      expect({ url, ...guard(url) }).toEqual({ url, passed: true });
    }
  });

  it('guards what the router would match: any letter case, absolute-form targets, a fragment', () => {
    for (const url of [
      '/INTERNAL/orchestrator/job-types',
      '/Internal/catalog/connections',
      'http://example.test/internal/catalog/connections',
      'HTTP://example.test/Internal/x?y=1',
      '/internal/x#frag',
      '/INTERNAL',
    ]) {
      expect({ url, ...guard(url) }).toMatchObject({ url, passed: false, status: 403 });
      expect({ url, ...guard(url, TOKEN) }).toEqual({ url, passed: true });
    }
    // Not routed to /internal by Express either (404 there): no reason to refuse here.
    for (const url of ['//internal/x', '/%69nternal/x']) expect({ url, ...guard(url) }).toEqual({ url, passed: true });
  });

  it('generates tokens of 43 url-safe characters, different each time (≥ 32, as FLOWFORGE_INTERNAL_TOKEN needs)', () => {
    const tokens = new Set(Array.from({ length: 20 }, generateInternalToken));
    expect(tokens.size).toBe(20);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('holdsExecutorToken', () => {
  const executor = generateInternalToken();
  it('matches only the exact executor credential, never the internal token or an empty one', () => {
    expect(holdsExecutorToken({ [EXECUTOR_TOKEN_HEADER]: executor }, executor)).toBe(true);
    expect(holdsExecutorToken({ [EXECUTOR_TOKEN_HEADER]: TOKEN }, executor)).toBe(false);
    expect(holdsExecutorToken({ [EXECUTOR_TOKEN_HEADER]: executor.slice(0, -1) }, executor)).toBe(false);
    expect(holdsExecutorToken({ [EXECUTOR_TOKEN_HEADER]: [executor, executor] }, executor)).toBe(false);
    expect(holdsExecutorToken({ [INTERNAL_TOKEN_HEADER]: executor }, executor)).toBe(false);
    // A process without a credential (empty) trusts nobody, not even a caller sending an empty header.
    expect(holdsExecutorToken({ [EXECUTOR_TOKEN_HEADER]: '' }, '')).toBe(false);
  });
});
