import { StaticCredentials, type BearerCredentials } from '../auth/bearer.credentials';
import { ApiProblemError, AuthenticationFailure, CliFailure, GatewayUnreachableError, UsageError } from '../cli.errors';
import type {
  ApiMethod,
  ApiPath,
  ApiPathParams,
  ApiQuery,
  ApiRequestBody,
  ApiResponse,
  ApplyResultDto,
  AssetDto,
  BackfillResultDto,
  BackfillScheduleDto,
  ConnectionBrowseDto,
  ConnectionDto,
  LogPageDto,
  NextFiresDto,
  PreviewDto,
  RunDto,
  RunListDto,
  ScheduleDto,
  ScheduleListDto,
  SnapshotDto,
  SqlResultDto,
  TransformPreviewDto,
  TriggerDto,
  TriggerTestResultDto,
} from '@flowforge/contracts/http-api';
import type { ApiTokenView, AuditEntryPage, AuditFilters, CreatedApiToken, ProblemBody, TokenPair, WhoAmI } from './api.types';
import { readSseStream, type SseMessage } from './sse.parser';

export interface FlowForgeClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 (a path prefix is kept: https://host/flowforge). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`; never printed. */
  credentials?: BearerCredentials;
  /** Shorthand for `credentials` of a fixed token (as --token gives). */
  token?: string;
  fetch?: typeof fetch;
  /** --verbose: one line per request and answer, and why a token is refreshed; never a credential. */
  trace?: (line: string) => void;
  /** Budget until response headers arrive; an event stream then lasts as long as the run. */
  headersTimeoutMs?: number;
}

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: { contentType: string; text: string };
  /** A streamed body (an upload): called for each attempt, so a renewed token can send it again. */
  stream?: () => { contentType: string; body: ReadableStream<Uint8Array>; length: number };
  accept?: string;
  headers?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Sign-in routes: no Authorization header, and their 401s are theirs to explain. */
  anonymous?: boolean;
}

/**
 * What a route takes, typed by the generated document. `path` is required exactly when the route has
 * path parameters; `body` (another media type, e.g. YAML) is sent as given.
 */
type RouteRequest<P extends ApiPath, M extends ApiMethod<P>> = Omit<RequestOptions, 'query' | 'json'> & {
  query?: ApiQuery<P, M>;
  json?: ApiRequestBody<P, M>;
} & (ApiPathParams<P, M> extends Record<string, never> ? { path?: undefined } : { path: ApiPathParams<P, M> });

export type LoginInput = ApiRequestBody<'/api/v1/auth/login', 'post'>;

export interface CreateRunInput {
  workflow: string;
  params?: Record<string, unknown>;
  idempotencyKey?: string;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;

/**
 * The public REST API (/api/v1) as typed methods. A non-2xx answer throws ApiProblemError (the
 * problem+json's title, detail and code); a 401 throws AuthenticationFailure saying how to sign in; no
 * answer at all throws GatewayUnreachableError naming the URL; the caller's signal (Ctrl+C) aborts
 * with its own reason. An access token the gateway calls expired is renewed once and the call
 * retried (bodies are strings, so a request can be sent twice).
 */
export class FlowForgeClient {
  readonly baseUrl: string;
  readonly credentials: BearerCredentials | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly headersTimeoutMs: number;
  private readonly trace: ((line: string) => void) | undefined;

  constructor(options: FlowForgeClientOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.credentials = options.credentials ?? (options.token ? new StaticCredentials(options.token, 'flag') : undefined);
    this.fetchFn = options.fetch ?? fetch;
    this.headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.trace = options.trace;
  }

  // -- sign-in ---------------------------------------------------------------------------------

  login(input: LoginInput, signal?: AbortSignal): Promise<TokenPair> {
    return this.call('post', '/api/v1/auth/login', { json: input, anonymous: true, signal });
  }

  /** Spends `refreshToken` (single use): the answer holds the pair to keep. */
  refreshSession(refreshToken: string, signal?: AbortSignal): Promise<TokenPair> {
    return this.call('post', '/api/v1/auth/refresh', { json: { refreshToken }, anonymous: true, signal });
  }

  async logout(signal?: AbortSignal): Promise<void> {
    await this.open('post', '/api/v1/auth/logout', { signal });
  }

  /** Ends the caller's other sessions; a token issued while a change was required stays limited until refreshed. */
  async changePassword(input: ApiRequestBody<'/api/v1/auth/password', 'post'>, signal?: AbortSignal): Promise<void> {
    await this.open('post', '/api/v1/auth/password', { json: input, signal });
  }

  whoami(signal?: AbortSignal): Promise<WhoAmI> {
    return this.call('get', '/api/v1/auth/whoami', { signal });
  }

  // -- API tokens ------------------------------------------------------------------------------

  listTokens(signal?: AbortSignal): Promise<ApiTokenView[]> {
    return this.call('get', '/api/v1/tokens', { signal });
  }

  createToken(input: ApiRequestBody<'/api/v1/tokens', 'post'>, signal?: AbortSignal): Promise<CreatedApiToken> {
    return this.call('post', '/api/v1/tokens', { json: input, signal });
  }

  async revokeToken(id: string, signal?: AbortSignal): Promise<void> {
    await this.open('delete', '/api/v1/tokens/{id}', { path: { id }, signal });
  }

  // -- schedules -------------------------------------------------------------------------------

  listSchedules(signal?: AbortSignal): Promise<ScheduleListDto> {
    return this.call('get', '/api/v1/schedules', { signal });
  }

  nextFires(name: string, count: number, signal?: AbortSignal): Promise<NextFiresDto> {
    return this.call('get', '/api/v1/schedules/{name}/next', { path: { name }, query: { count }, signal });
  }

  pauseSchedule(name: string, note: string | undefined, signal?: AbortSignal): Promise<ScheduleDto> {
    return this.call('post', '/api/v1/schedules/{name}/pause', { path: { name }, json: note === undefined ? {} : { note }, signal });
  }

  resumeSchedule(name: string, signal?: AbortSignal): Promise<ScheduleDto> {
    return this.call('post', '/api/v1/schedules/{name}/resume', { path: { name }, signal });
  }

  backfillSchedule(name: string, range: BackfillScheduleDto, signal?: AbortSignal): Promise<BackfillResultDto> {
    return this.call('post', '/api/v1/schedules/{name}/backfill', { path: { name }, json: range, signal });
  }

  // -- audit -----------------------------------------------------------------------------------

  auditEntries(query: ApiQuery<'/api/v1/audit/entries', 'get'>, signal?: AbortSignal): Promise<AuditEntryPage> {
    return this.call('get', '/api/v1/audit/entries', { query, signal });
  }

  /** The export as the server streams it: read `body` chunk by chunk. */
  auditExport(format: 'csv' | 'json', filters: AuditFilters, signal?: AbortSignal): Promise<Response> {
    return this.open('get', '/api/v1/audit/export', { query: { format, ...filters }, accept: format === 'csv' ? 'text/csv' : 'application/json', signal });
  }

  // -- workflows -------------------------------------------------------------------------------

  applyYaml(text: string, signal?: AbortSignal): Promise<ApplyResultDto> {
    return this.call('post', '/api/v1/workflows/apply', { body: { contentType: 'application/yaml', text }, signal });
  }

  async exportYaml(workflow?: string, signal?: AbortSignal): Promise<string> {
    const res = await this.open('get', '/api/v1/workflows/export', { query: { workflow }, accept: 'application/yaml', signal });
    return res.text();
  }

  // -- runs ------------------------------------------------------------------------------------

  /** `created` is false when the idempotency key names a run made before (200 instead of 201). */
  async createRun(input: CreateRunInput, signal?: AbortSignal): Promise<{ run: RunDto; created: boolean }> {
    const res = await this.open('post', '/api/v1/runs', {
      json: { workflow: input.workflow, params: input.params ?? {} },
      headers: { 'idempotency-key': input.idempotencyKey },
      signal,
    });
    return { run: await readJson<ApiResponse<'/api/v1/runs', 'post'>>(res), created: res.status === 201 };
  }

  listRuns(query: ApiQuery<'/api/v1/runs', 'get'>, signal?: AbortSignal): Promise<RunListDto> {
    return this.call('get', '/api/v1/runs', { query, signal });
  }

  getRun(id: string, signal?: AbortSignal): Promise<RunDto> {
    return this.call('get', '/api/v1/runs/{id}', { path: { id }, signal });
  }

  cancelRun(id: string, reason?: string, signal?: AbortSignal): Promise<RunDto> {
    return this.call('post', '/api/v1/runs/{id}/cancel', { path: { id }, json: reason === undefined ? {} : { reason }, signal });
  }

  rerunRun(id: string, fromStep?: string, signal?: AbortSignal): Promise<RunDto> {
    return this.call('post', '/api/v1/runs/{id}/rerun', { path: { id }, json: fromStep === undefined ? {} : { fromStep }, signal });
  }

  runLogs(id: string, query: ApiQuery<'/api/v1/runs/{id}/logs', 'get'>, signal?: AbortSignal): Promise<LogPageDto> {
    return this.call('get', '/api/v1/runs/{id}/logs', { path: { id }, query, signal });
  }

  /**
   * The run's live event stream (SSE), raw. `after` is a stream cursor (an event id): the stream
   * resumes after it. Ends when the server ends the stream (after its `end` event) or `signal` aborts.
   */
  async *runEvents(id: string, options: { after?: string; signal?: AbortSignal } = {}): AsyncGenerator<SseMessage> {
    const res = await this.open('get', '/api/v1/runs/{id}/events', {
      path: { id },
      accept: 'text/event-stream',
      headers: { 'last-event-id': options.after },
      signal: options.signal,
    });
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream')) {
      throw new CliFailure(`the gateway answered GET /api/v1/runs/${id}/events with "${type}", not an event stream`);
    }
    if (!res.body) return;
    yield* readSseStream(res.body as unknown as AsyncIterable<Uint8Array>);
  }

  // -- assets ----------------------------------------------------------------------------------

  listAssets(query: ApiQuery<'/api/v1/assets', 'get'>, signal?: AbortSignal): Promise<AssetDto[]> {
    return this.call('get', '/api/v1/assets', { query, signal });
  }

  getAsset(id: string, signal?: AbortSignal): Promise<AssetDto> {
    return this.call('get', '/api/v1/assets/{id}', { path: { id }, signal });
  }

  assetSnapshots(id: string, query: ApiQuery<'/api/v1/assets/{id}/snapshots', 'get'> = {}, signal?: AbortSignal): Promise<SnapshotDto[]> {
    return this.call('get', '/api/v1/assets/{id}/snapshots', { path: { id }, query, signal });
  }

  previewAsset(id: string, query: ApiQuery<'/api/v1/assets/{id}/preview', 'get'>, signal?: AbortSignal): Promise<PreviewDto> {
    return this.call('get', '/api/v1/assets/{id}/preview', { path: { id }, query, signal });
  }

  // -- transformation --------------------------------------------------------------------------

  previewTransform(body: ApiRequestBody<'/api/v1/transform/preview', 'post'>, signal?: AbortSignal): Promise<TransformPreviewDto> {
    return this.call('post', '/api/v1/transform/preview', { json: body, signal });
  }

  sqlQuery(body: ApiRequestBody<'/api/v1/sql/query', 'post'>, signal?: AbortSignal): Promise<SqlResultDto> {
    return this.call('post', '/api/v1/sql/query', { json: body, signal });
  }

  // -- connections -----------------------------------------------------------------------------

  listConnections(query: ApiQuery<'/api/v1/connections', 'get'>, signal?: AbortSignal): Promise<ConnectionDto[]> {
    return this.call('get', '/api/v1/connections', { query, signal });
  }

  browseConnection(id: string, path: string, signal?: AbortSignal): Promise<ConnectionBrowseDto> {
    return this.call('get', '/api/v1/connections/{id}/browse', { path: { id }, query: { path }, signal });
  }

  listTriggers(signal?: AbortSignal): Promise<TriggerDto[]> {
    return this.call('get', '/api/v1/triggers', { signal });
  }

  testTrigger(name: string, input: ApiRequestBody<'/api/v1/triggers/{name}/test', 'post'>, signal?: AbortSignal): Promise<TriggerTestResultDto> {
    return this.call('post', '/api/v1/triggers/{name}/test', { path: { name }, json: input, signal });
  }

  // -- uploads ---------------------------------------------------------------------------------

  /**
   * Streams a file to POST /api/v1/uploads (never read whole). `open` gives a fresh stream of the file for
   * each attempt; the answer names its path in the `uploads` location.
   */
  async upload(
    name: string,
    open: () => { body: ReadableStream<Uint8Array>; length: number },
    signal?: AbortSignal,
  ): Promise<ApiResponse<'/api/v1/uploads', 'post'>> {
    const res = await this.send('POST', '/api/v1/uploads', {
      query: { name },
      stream: () => ({ contentType: 'application/octet-stream', ...open() }),
      signal,
    });
    return readJson<ApiResponse<'/api/v1/uploads', 'post'>>(res);
  }

  // -- transport -------------------------------------------------------------------------------

  /** A route of the generated ApiPaths: its path parameters, query and JSON body are checked against the document, and so is the answer's type. */
  private async call<P extends ApiPath, M extends ApiMethod<P>>(method: M, route: P, request: RouteRequest<P, M>): Promise<ApiResponse<P, M>> {
    return readJson<ApiResponse<P, M>>(await this.open(method, route, request));
  }

  /** Like call, for answers read as they come (a stream, text, or none). */
  private open<P extends ApiPath, M extends ApiMethod<P>>(method: M, route: P, request: RouteRequest<P, M>): Promise<Response> {
    const { path, query, ...options } = request;
    return this.send(method.toUpperCase(), expandRoute(route, path as Record<string, string | number> | undefined), {
      ...options,
      query: query as RequestOptions['query'],
    });
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const credentials = options.anonymous ? undefined : this.credentials;
    let token = await credentials?.token(options.signal);
    let res = await this.attempt(method, path, options, token);
    if (res.ok) return res;
    let problem = await problemOf(res);
    if (problem.status === 401 && problem.code === 'FF_AUTH_TOKEN_EXPIRED' && credentials && token) {
      const renewed = await credentials.renew(token, options.signal);
      if (renewed) {
        token = renewed;
        res = await this.attempt(method, path, options, token);
        if (res.ok) return res;
        problem = await problemOf(res);
      }
    }
    // FF_AUTH_INVALID_CREDENTIALS (a wrong current password) is about the request's body, not the caller.
    if (problem.status === 401 && !options.anonymous && problem.code !== 'FF_AUTH_INVALID_CREDENTIALS') throw this.unauthenticated(problem, credentials);
    throw problem;
  }

  /** One HTTP exchange; a non-2xx answer is returned, not thrown. */
  private async attempt(method: string, path: string, options: RequestOptions, token: string | undefined): Promise<Response> {
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json', 'user-agent': 'flowforge-cli' };
    if (token) headers.authorization = `Bearer ${token}`;
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined && value !== '') headers[name] = value;
    let body: string | ReadableStream<Uint8Array> | undefined;
    if (options.stream) {
      const stream = options.stream();
      headers['content-type'] = stream.contentType;
      headers['content-length'] = String(stream.length);
      body = stream.body;
    } else if (options.body) {
      headers['content-type'] = options.body.contentType;
      body = options.body.text;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    this.trace?.(`> ${method} ${url}${token ? ` (Bearer: ${this.credentials?.description ?? 'a token'})` : ' (no credential)'}`);
    const started = Date.now();
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(), this.headersTimeoutMs);
    const signal = options.signal ? AbortSignal.any([headersTimeout.signal, options.signal]) : headersTimeout.signal;
    let res: Response;
    try {
      // A streamed upload may take longer than the headers budget: only the caller's signal stops it.
      const init = options.stream ? { method, headers, body, signal: options.signal, duplex: 'half' } : { method, headers, body, signal };
      res = await this.fetchFn(url, init as RequestInit);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const reason = headersTimeout.signal.aborted ? `no answer within ${this.headersTimeoutMs / 1000} s` : networkReason(err);
      throw new GatewayUnreachableError(this.baseUrl, reason);
    } finally {
      clearTimeout(timer);
    }
    this.trace?.(`< ${res.status}${res.statusText ? ` ${res.statusText}` : ''} (${Date.now() - started} ms)`);
    return res;
  }

  /** A 401 as the person can act on it, by what was (or was not) sent. */
  private unauthenticated(problem: ApiProblemError, credentials: BearerCredentials | undefined): AuthenticationFailure {
    const code = problem.code ?? 'FF_AUTH_REQUIRED';
    if (!credentials) {
      return new AuthenticationFailure(code, `not signed in to ${this.baseUrl} (${code})`, [
        'sign in: flowforge login',
        'or, for scripts and CI, set FLOWFORGE_TOKEN to an API token (flowforge tokens create)',
      ]);
    }
    const why = `${code}${problem.detail ? `: ${problem.detail}` : ''}`;
    if (credentials.source === 'stored') {
      return new AuthenticationFailure(code, `your sign-in to ${this.baseUrl} is no longer accepted (${why})`, ['sign in again: flowforge login']);
    }
    const from = credentials.source === 'flag' ? '--token' : 'FLOWFORGE_TOKEN';
    return new AuthenticationFailure(code, `the gateway refused the ${credentials.description} (${why})`, [
      `use a valid API token (flowforge tokens create), or leave ${from} unset to use the sign-in of flowforge login`,
    ]);
  }
}

/** `--url` as typed: http(s) only, no query or fragment, no trailing slash. */
export function normaliseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be an http:// or https:// URL (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http:// or https:// URL (got "${text}")`);
  if (url.search || url.hash) throw new UsageError(`--url must not have a query or fragment (got "${text}")`);
  if (url.username || url.password) throw new UsageError('--url must not carry credentials; pass a token with --token or FLOWFORGE_TOKEN');
  return url.toString().replace(/\/+$/, '');
}

async function problemOf(res: Response): Promise<ApiProblemError> {
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text().catch(() => '');
  if (type.includes('json')) {
    try {
      const p = JSON.parse(text) as ProblemBody;
      return new ApiProblemError(res.status, p.title ?? `HTTP ${res.status}`, p.detail ?? '', p.code, p.errors, retryAfterOf(res));
    } catch {
      // not JSON after all: told as text below
    }
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return new ApiProblemError(res.status, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, snippet, undefined, undefined, retryAfterOf(res));
}

/** Retry-After in seconds (the delta form; an HTTP date is turned into seconds from now). */
function retryAfterOf(res: Response): number | undefined {
  const value = res.headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function readJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliFailure(`the gateway answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** What fetch's "fetch failed" hides: ECONNREFUSED, ENOTFOUND, a TLS error... */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** `/api/v1/runs/{id}` with `{ id }` → `/api/v1/runs/<id, percent-encoded>`. */
export function expandRoute(route: string, params: Record<string, string | number> | undefined): string {
  return route.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    // Unreachable from typed callers (RouteRequest requires `path`): a bug, so no error code, but never a wrong URL.
    if (value === undefined) throw new Error(`${route} needs the path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
}
