/** One request as the fake gateway received it. */
export interface FakeRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/runs?limit=20`. */
  path: string;
  /** Path without the query. */
  route: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** The bearer token sent, if any. */
  bearer: string | undefined;
  body: unknown;
}

export type FakeHandler = (req: FakeRequest) => Response | Promise<Response>;

export const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** An RFC 9457 answer as the gateway sends it. */
export const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ type: 'about:blank', title: status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error', status, detail, code }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

/**
 * A fetch that routes by `METHOD /path` (no query) to handlers and records every request: the CLI's
 * side of the HTTP contract, in-process. An unrouted request answers 404, so a test sees what it missed.
 */
export function fakeGateway(routes: Record<string, FakeHandler>): { fetch: typeof fetch; requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(Object.entries((init?.headers as Record<string, string>) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const req: FakeRequest = {
      method: init?.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      route: url.pathname,
      query: url.searchParams,
      headers,
      bearer: /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1],
      body: text === undefined ? undefined : (JSON.parse(text) as unknown),
    };
    requests.push(req);
    const handler = routes[`${req.method} ${url.pathname}`];
    return handler ? handler(req) : problem(404, 'FF_NOT_FOUND', `no route ${req.method} ${url.pathname}`);
  };
  return { fetch: fake as typeof fetch, requests };
}
