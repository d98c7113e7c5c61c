import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { actorHeaders } from '@flowforge/access';
import {
  currentTraceHeaders,
  FlowForgeError,
  PROBLEM_CONTENT_TYPE,
  UpstreamProblem,
  type HostRuntime,
  type HttpRequest,
  type HttpResponse,
  type ServiceName,
} from '@flowforge/service-kit';
import { actorOf } from '../auth/principal';

/** Budget until the upstream's response headers arrive; a body (download, event stream) may then flow for as long as it lasts. */
const HEADERS_TIMEOUT_MS = 30_000;
/** Headers of the upstream's answer the client gets too; everything else is the gateway's own. */
const RELAYED_HEADERS = ['content-type', 'content-disposition', 'content-length', 'cache-control'];
/** Headers of an upstream problem the client needs to act on it (when to retry a locked login). */
const PROBLEM_RELAYED_HEADERS = ['retry-after'];

export interface UpstreamCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under the service's internal prefix, e.g. `/runs/<id>/cancel`. */
  path: string;
  query?: object;
  /** JSON body. */
  body?: unknown;
  /** A body sent as is (e.g. YAML), with its content type. */
  raw?: { contentType: string; text: string };
  /** A body streamed through as it arrives (an upload), never buffered; `length` is the client's Content-Length. */
  stream?: { contentType: string; body: Readable; length?: string };
  headers?: Record<string, string | undefined>;
}

export interface UpstreamService {
  /** e.g. 'catalog': named in errors (`FF_CATALOG_UNREACHABLE`). */
  name: string;
  /** e.g. '/internal/catalog'. */
  prefix: string;
  /** Read per call: when embedded the peer is this process, whose port is known only once it listens. */
  baseUrl(): string;
  /** Headers every call carries: the internal token (HostRuntime.internalHeaders). */
  headers(): Record<string, string>;
}

/**
 * A service's internal HTTP API as the gateway's public routes see it: a request is forwarded and the
 * answer — status (201 vs 200 matters), problem+json, a streamed download or a Server-Sent Events
 * stream — is relayed unchanged, except that a problem's `instance` names the public URL the client
 * called. The client going away (a closed tab, an aborted download) cancels the upstream request.
 */
export class UpstreamForwarder {
  constructor(private readonly service: UpstreamService) {}

  /**
   * The internal API of a peer service: `/internal/<service>` at `configuredUrl` (its
   * FLOWFORGE_<SERVICE>_URL), else this process when embedded or the peer's standalone port; every call
   * carries the internal token.
   */
  static forService(service: ServiceName, configuredUrl: string | undefined, runtime: HostRuntime): UpstreamForwarder {
    return new UpstreamForwarder({
      name: service,
      prefix: `/internal/${service}`,
      baseUrl: () => configuredUrl ?? runtime.defaultServiceUrl(service),
      headers: () => runtime.internalHeaders(),
    });
  }

  get baseUrl(): string {
    return this.service.baseUrl().replace(/\/$/, '');
  }

  /**
   * Forwards with the caller (the authenticated principal, or the anonymous client) in the actor headers, for the upstream's audit entries.
   * `beforeRelay` runs once the upstream answered and before the client sees anything: what the change
   * means for this gateway (a revoked session) is applied before the client can send its next request.
   */
  async forward(call: UpstreamCall, req: HttpRequest, res: HttpResponse, beforeRelay?: (upstream: Response) => Promise<void>): Promise<void> {
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const upstream = await this.send({ ...call, headers: { ...actorHeaders(actorOf(req)), ...call.headers } }, gone.signal);
    if (beforeRelay) await beforeRelay(upstream);
    await this.relay(upstream, req, res);
  }

  async send(call: UpstreamCall, gone?: AbortSignal): Promise<Response> {
    const base = this.baseUrl;
    const path = `${this.service.prefix}${safePath(call.path)}`;
    const url = `${base}${path}${queryString(call.query)}`;
    // Defence in depth: the URL parser resolves dot segments (also `%2e`) and reads a backslash as `/`; if it
    // changed the path, a value did, and the call would reach another route than the one named.
    if (!new URL(url).pathname.endsWith(path)) {
      throw new UnsafePathProblem(call.path);
    }
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new Error(`no answer within ${HEADERS_TIMEOUT_MS} ms`)), HEADERS_TIMEOUT_MS);
    const headers: Record<string, string> = { accept: 'application/json', ...currentTraceHeaders(), ...this.service.headers() };
    for (const [k, v] of Object.entries(call.headers ?? {})) if (v !== undefined) headers[k] = v;
    let body: string | WebReadableStream | undefined;
    if (call.stream) {
      headers['content-type'] = call.stream.contentType;
      if (call.stream.length) headers['content-length'] = call.stream.length;
      body = Readable.toWeb(call.stream.body);
    } else if (call.raw) {
      headers['content-type'] = call.raw.contentType;
      body = call.raw.text;
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    try {
      // A streamed body may take longer than the headers budget: the upstream answers once it has it all.
      const signal = call.stream ? gone : gone ? AbortSignal.any([headersTimeout.signal, gone]) : headersTimeout.signal;
      // `duplex: 'half'` is what fetch requires to send a stream (the request body ends before the response starts).
      return await fetch(url, {
        method: call.method,
        headers,
        body: body as string | undefined,
        signal,
        ...(call.stream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      const reason = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamProblem(
        `FF_${this.service.name.toUpperCase()}_UNREACHABLE`,
        `${this.service.name} at ${base} did not answer ${call.method} ${call.path}: ${reason?.code ?? reason?.message ?? (err as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private async relay(upstream: Response, req: HttpRequest, res: HttpResponse): Promise<void> {
    res.statusCode = upstream.status;
    const type = upstream.headers.get('content-type') ?? '';
    if (type.startsWith(PROBLEM_CONTENT_TYPE)) {
      const problem = (await upstream.json()) as Record<string, unknown>;
      res.setHeader('Content-Type', type);
      for (const name of PROBLEM_RELAYED_HEADERS) {
        const value = upstream.headers.get(name);
        if (value) res.setHeader(name, value);
      }
      res.end(JSON.stringify({ ...problem, instance: req.originalUrl ?? req.url }));
      return;
    }
    for (const name of RELAYED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    if (type.startsWith('text/event-stream')) {
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
    }
    if (!upstream.body) {
      res.end();
      return;
    }
    // A client that goes away mid-stream destroys the response; pipeline then cancels the upstream body.
    await pipeline(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>), res).catch(() => res.destroy());
  }
}

export class UnsafePathProblem extends FlowForgeError {
  constructor(path: string) {
    super(
      'FF_PATH_INVALID',
      400,
      'Invalid path',
      `a path parameter would change the route it is forwarded to (${JSON.stringify(path)}): names may not be "." or ".."`,
    );
  }
}

/**
 * Each segment of `path` percent-encoded once, whether its caller encoded it (`encodeURIComponent(name)`)
 * or interpolated a raw value: no value can add a segment, a query or a fragment. A `.` or `..`
 * segment is refused: no encoding keeps the URL parser from resolving it.
 */
export function safePath(path: string): string {
  return path
    .split('/')
    .map((segment, i) => {
      if (i === 0) return segment;
      let value = segment;
      try {
        value = decodeURIComponent(segment);
      } catch {
        // Not an encoded segment: encode it as it is.
      }
      if (value === '.' || value === '..') throw new UnsafePathProblem(path);
      return encodeURIComponent(value);
    })
    .join('/');
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
