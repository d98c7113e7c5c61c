import http, { type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import type { HttpConfig } from '../connection-types';
import { ForbiddenAddressError, pinnedLookup, resolvePublicTarget, type ResolvedTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, succeeded, type ProbeOutcome } from './probe-outcome';

function send(url: URL, method: 'HEAD' | 'GET', headers: Record<string, string>, target: ResolvedTarget, timeoutMs: number): Promise<IncomingMessage> {
  const options: RequestOptions = { method, headers, lookup: pinnedLookup(target), signal: AbortSignal.timeout(timeoutMs) };
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, options, (res) => {
      res.resume(); // the status is all a probe needs; drain and drop the body
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * HEAD (or GET) on baseUrl + testPath, redirects not followed. Refuses private, loopback, link-local and
 * cloud-metadata targets unless the connection allows private networks (network-guard.ts).
 */
export async function probeHttp(c: HttpConfig): Promise<ProbeOutcome> {
  const url = c.testPath ? new URL(c.testPath.replace(/^\//, ''), c.baseUrl.endsWith('/') ? c.baseUrl : `${c.baseUrl}/`) : new URL(c.baseUrl);
  const where = url.origin;
  const headers: Record<string, string> = { 'user-agent': 'FlowForge-connection-test', ...(c.headers ?? {}) };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  try {
    const target = await resolvePublicTarget(url.hostname, c.allowPrivateNetworks);
    let res = await send(url, c.testMethod, headers, target, c.timeoutMs);
    // Some servers do not implement HEAD; a GET (body discarded) answers the same question.
    if (c.testMethod === 'HEAD' && (res.statusCode === 405 || res.statusCode === 501)) res = await send(url, 'GET', headers, target, c.timeoutMs);
    const status = res.statusCode ?? 0;
    const path = `${url.pathname}${url.search}`;
    if (status === 401 || status === 403) {
      return failed('FF_CONN_AUTH', `${where} answered HTTP ${status} for ${path}: the credentials (headers or token) were refused`);
    }
    if (status >= 400) return failed('FF_CONN_HTTP_STATUS', `${where} answered HTTP ${status} for ${path}`);
    const redirect = status >= 300 && res.headers.location ? ` (redirects to ${res.headers.location}, not followed)` : '';
    return succeeded(`${where} answered HTTP ${status} for ${path}${redirect}`);
  } catch (err) {
    if (err instanceof ForbiddenAddressError) return failed('FF_CONN_FORBIDDEN_ADDRESS', err.message);
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
      return failed('FF_CONN_TIMEOUT', `${where} did not answer within ${c.timeoutMs} ms`);
    }
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return describeNetworkError(err, 'HTTP server', `${url.hostname}:${port}`) ?? failed('FF_CONN_FAILED', `${where}: ${(err as Error).message}`);
  }
}
