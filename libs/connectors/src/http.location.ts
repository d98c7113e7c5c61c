import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { LocationError } from './location.errors';
import { networkLocationError } from './location-network';
import { baseName, checkRelativePath } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { beginWrite, type WriteOptions, type WriteResult } from './location-write';
import { pinnedLookup, resolvePublicTarget, type ResolvedTarget } from './network-guard';

/** The catalog's `http` config (the fields a location uses). */
export interface HttpLocationConfig {
  baseUrl: string;
  headers?: Record<string, string>;
  token?: string;
  allowPrivateNetworks?: boolean;
  /** Connect and idle budget of one request (not of a whole download). Default 10 s. */
  timeoutMs?: number;
  testPath?: string;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Files served over HTTP(S) below `baseUrl`: `open` streams a GET of baseUrl + path, `stat` is a HEAD
 * (size from Content-Length, ETag, Last-Modified). HTTP has no listing, archive or delete:
 * FF_LOCATION_UNSUPPORTED (select such files by `path`). Every hop, redirects included (at most 5), is
 * resolved and judged by the outbound address guard and connected to the address judged; the credentials
 * (headers, token) go to the base URL's origin only, never to another origin a redirect points at.
 */
export class HttpLocation implements FileLocation {
  readonly type = 'http';
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(private readonly config: HttpLocationConfig) {
    this.base = new URL(config.baseUrl);
    if (!this.base.pathname.endsWith('/')) this.base.pathname += '/';
    this.timeoutMs = config.timeoutMs ?? 10_000;
  }

  async test(signal?: AbortSignal): Promise<void> {
    const rel = checkRelativePath(this.config.testPath ?? '', 'testPath');
    const res = await this.request('HEAD', rel, signal);
    res.resume();
    const status = res.statusCode ?? 0;
    if (status === 401 || status === 403 || status >= 500 || (rel !== '' && status >= 400)) throw this.statusError(status, rel);
  }

  async list(): Promise<Listing> {
    throw new LocationError(
      'FF_LOCATION_UNSUPPORTED',
      `an http location cannot list ${this.base.origin}: HTTP has no directory listing; select files by path`,
      false,
    );
  }

  async stat(p: string, signal?: AbortSignal): Promise<FileEntry | null> {
    const rel = checkRelativePath(p);
    if (rel === '') return null;
    let res = await this.request('HEAD', rel, signal);
    res.resume();
    // Some servers do not implement HEAD: the headers of a GET answer the same (its body is not read).
    if (res.statusCode === 405 || res.statusCode === 501) {
      res = await this.request('GET', rel, signal);
      res.destroy();
    }
    const status = res.statusCode ?? 0;
    if (status === 404 || status === 410) return null;
    if (status >= 400) throw this.statusError(status, rel);
    const length = Number(res.headers['content-length']);
    const modified = res.headers['last-modified'] ? new Date(res.headers['last-modified']) : null;
    return {
      path: rel,
      name: baseName(rel),
      kind: 'file',
      size: res.headers['content-length'] !== undefined && Number.isSafeInteger(length) && length >= 0 ? length : null,
      modifiedAt: modified && !Number.isNaN(modified.getTime()) ? modified.toISOString() : null,
      etag: typeof res.headers.etag === 'string' ? res.headers.etag.replace(/^(W\/)?"(.*)"$/, '$1$2') : null,
    };
  }

  async open(p: string, signal?: AbortSignal): Promise<Readable> {
    const rel = checkRelativePath(p);
    if (rel === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the base URL');
    const res = await this.request('GET', rel, signal);
    const status = res.statusCode ?? 0;
    if (status >= 300) {
      res.destroy();
      throw this.statusError(status, rel);
    }
    return res;
  }

  async archive(): Promise<void> {
    throw new LocationError('FF_LOCATION_UNSUPPORTED', 'an http location cannot archive files (read-only); use afterSuccess "none"', false);
  }

  async delete(): Promise<void> {
    throw new LocationError('FF_LOCATION_UNSUPPORTED', 'an http location cannot delete files (read-only); use afterSuccess "none"', false);
  }

  /** HTTP is read-only here (no PUT to someone's web server): FF_LOCATION_READ_ONLY; the body is destroyed. */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    return attempt.run(
      () =>
        Promise.reject(
          new LocationError('FF_LOCATION_READ_ONLY', `an http location is read-only: cannot write ${rel}; export to another file connection`, false),
        ),
      (err) => err as LocationError,
    );
  }

  async close(): Promise<void> {}

  /** baseUrl + the path (each segment percent-encoded), the base URL's query kept (signed URLs). */
  private url(rel: string): URL {
    const u = new URL(this.base);
    u.pathname = this.base.pathname + rel.split('/').map(encodeURIComponent).join('/');
    return u;
  }

  private headers(sameOrigin: boolean): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': 'FlowForge' };
    if (!sameOrigin) return h;
    Object.assign(h, this.config.headers ?? {});
    if (this.config.token) h.authorization = `Bearer ${this.config.token}`;
    return h;
  }

  /** One request, redirects followed (each hop judged by the guard); the caller reads or drains the answer. */
  private async request(method: 'HEAD' | 'GET', rel: string, signal?: AbortSignal): Promise<IncomingMessage> {
    let url = this.url(rel);
    for (let hop = 0; ; hop++) {
      let res: IncomingMessage;
      try {
        const target = await resolvePublicTarget(url.hostname, this.config.allowPrivateNetworks === true);
        res = await this.send(url, method, this.headers(url.origin === this.base.origin), target, signal);
      } catch (err) {
        throw networkLocationError(err, 'HTTP server', url.host) ?? new LocationError('FF_LOCATION_FAILED', `${url.origin}: ${(err as Error).message}`);
      }
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return res;
      res.resume();
      if (hop >= MAX_REDIRECTS)
        throw new LocationError('FF_LOCATION_FAILED', `${rel || '/'}: more than ${MAX_REDIRECTS} redirects from ${this.base.origin}`, false);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new LocationError('FF_LOCATION_REFUSED', `${rel || '/'}: ${this.base.origin} redirects to a ${next.protocol} URL, which is not followed`);
      }
      url = next;
    }
  }

  private send(url: URL, method: 'HEAD' | 'GET', headers: Record<string, string>, target: ResolvedTarget, signal?: AbortSignal): Promise<IncomingMessage> {
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, lookup: pinnedLookup(target), signal, agent: false }, resolve);
      // Idle budget, not a total one: a large download may take long but must keep moving.
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error(`no data for ${this.timeoutMs} ms`), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end();
    });
  }

  private statusError(status: number, rel: string): LocationError {
    const what = `${this.base.origin} answered HTTP ${status} for ${rel || '/'}`;
    if (status === 404 || status === 410) return new LocationError('FF_LOCATION_NOT_FOUND', `${what}: no such file`);
    if (status === 401 || status === 403) return new LocationError('FF_LOCATION_AUTH', `${what}: the credentials (headers or token) were refused`);
    return new LocationError('FF_LOCATION_FAILED', what, status >= 500 || status === 429 || status === 408);
  }
}
