import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  currentTraceHeaders,
  HOST_RUNTIME,
  HostRuntime,
  PROBLEM_CONTENT_TYPE,
  serviceConfigToken,
  UpstreamProblem,
  type HttpRequest,
  type HttpResponse,
} from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';

/** Budget until the catalog's response headers arrive (a connection test may take its own 10 s). */
const HEADERS_TIMEOUT_MS = 30_000;
/** Headers of the catalog's answer the client gets too; everything else is the gateway's own. */
const RELAYED_HEADERS = ['content-type', 'content-disposition', 'content-length', 'cache-control'];

export interface CatalogCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path under /internal/catalog, e.g. `/connections/<id>/test`. */
  path: string;
  query?: object;
  body?: unknown;
}

/**
 * The catalog's internal HTTP API as the gateway sees it: requests are forwarded, and the catalog's
 * answer — status, problem+json, or a streamed download — is relayed unchanged, except that a problem's
 * `instance` names the public URL the client called.
 */
@Injectable()
export class CatalogClient {
  constructor(
    @Inject(serviceConfigToken('gateway')) private readonly config: GatewayConfig,
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
  ) {}

  /** Read per call: when embedded the peer is this process, whose port is known only once it listens (tests listen on 0). */
  get baseUrl(): string {
    return (this.config.FLOWFORGE_CATALOG_URL ?? this.runtime.defaultServiceUrl('catalog')).replace(/\/$/, '');
  }

  /** Sends `call` and relays the answer into `res`. */
  async forward(call: CatalogCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    const upstream = await this.send(call);
    await this.relay(upstream, req, res);
  }

  async send(call: CatalogCall): Promise<Response> {
    const url = `${this.baseUrl}/internal/catalog${call.path}${queryString(call.query)}`;
    const abort = new AbortController();
    // Bounds the wait for headers only: a large download may stream for longer than any fixed timeout.
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${HEADERS_TIMEOUT_MS} ms`)), HEADERS_TIMEOUT_MS);
    try {
      return await fetch(url, {
        method: call.method,
        headers: { accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...currentTraceHeaders() },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: abort.signal,
      });
    } catch (err) {
      const reason = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamProblem('FF_CATALOG_UNREACHABLE', `catalog at ${this.baseUrl} did not answer ${call.method} ${call.path}: ${reason?.code ?? reason?.message ?? (err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async relay(upstream: Response, req: HttpRequest, res: HttpResponse): Promise<void> {
    res.statusCode = upstream.status;
    const type = upstream.headers.get('content-type') ?? '';
    if (type.startsWith(PROBLEM_CONTENT_TYPE)) {
      const problem = (await upstream.json()) as Record<string, unknown>;
      res.setHeader('Content-Type', type);
      res.end(JSON.stringify({ ...problem, instance: req.originalUrl ?? req.url }));
      return;
    }
    for (const name of RELAYED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    if (!upstream.body) {
      res.end();
      return;
    }
    // A client that goes away mid-download destroys the response; pipeline then cancels the upstream body.
    await pipeline(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>), res).catch(() => res.destroy());
  }
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
