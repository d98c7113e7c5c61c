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

/** Budget until the orchestrator's response headers arrive; a run's event stream then lasts as long as the run. */
const HEADERS_TIMEOUT_MS = 30_000;
/** Headers of the orchestrator's answer the client gets too. */
const RELAYED_HEADERS = ['content-type', 'cache-control', 'content-length'];

export interface OrchestratorCall {
  method: 'GET' | 'POST' | 'PUT';
  /** Path under /internal/orchestrator, e.g. `/runs/<id>/cancel`. */
  path: string;
  query?: object;
  /** JSON body. */
  body?: unknown;
  /** A body sent as is (YAML), with its content type. */
  raw?: { contentType: string; text: string };
  headers?: Record<string, string | undefined>;
}

/**
 * The orchestrator's internal HTTP API as the gateway's orchestration routes see it: requests are
 * forwarded and the answer — status (201 vs 200 matters: created vs unchanged), problem+json, YAML, or
 * a Server-Sent Events stream — is relayed unchanged, except that a problem's `instance` names the
 * public URL the client called.
 */
@Injectable()
export class OrchestrationClient {
  constructor(
    @Inject(serviceConfigToken('gateway')) private readonly config: GatewayConfig,
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
  ) {}

  /** Read per call: when embedded the peer is this process, whose port is known only once it listens (tests listen on 0). */
  get baseUrl(): string {
    return (this.config.FLOWFORGE_ORCHESTRATOR_URL ?? this.runtime.defaultServiceUrl('orchestrator')).replace(/\/$/, '');
  }

  async forward(call: OrchestratorCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    // The client leaving (an SSE viewer closing its tab) cancels the upstream request too.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const upstream = await this.send(call, gone.signal);
    await this.relay(upstream, req, res);
  }

  private async send(call: OrchestratorCall, gone: AbortSignal): Promise<Response> {
    const url = `${this.baseUrl}/internal/orchestrator${call.path}${queryString(call.query)}`;
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new Error(`no answer within ${HEADERS_TIMEOUT_MS} ms`)), HEADERS_TIMEOUT_MS);
    const headers: Record<string, string> = { accept: 'application/json', ...currentTraceHeaders() };
    for (const [k, v] of Object.entries(call.headers ?? {})) if (v !== undefined) headers[k] = v;
    let body: string | undefined;
    if (call.raw) {
      headers['content-type'] = call.raw.contentType;
      body = call.raw.text;
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    try {
      return await fetch(url, { method: call.method, headers, body, signal: AbortSignal.any([headersTimeout.signal, gone]) });
    } catch (err) {
      const reason = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamProblem(
        'FF_ORCHESTRATOR_UNREACHABLE',
        `orchestrator at ${this.baseUrl} did not answer ${call.method} ${call.path}: ${reason?.code ?? reason?.message ?? (err as Error).message}`,
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
    await pipeline(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>), res).catch(() => res.destroy());
  }
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
