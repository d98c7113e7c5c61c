import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { S3Config } from '../connection-types';
import { forbiddenAddressIn, guardedSocket } from './network-guard';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

/** Agents whose every socket passes the address guard (the SDK derives host names from bucket and region). */
export function guardedAgents(allowPrivateNetworks: boolean): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const open = (options: http.ClientRequestArgs & { servername?: string }, secure: boolean): Duplex =>
    guardedSocket({
      host: String(options.host ?? options.hostname ?? 'localhost'),
      port: Number(options.port ?? (secure ? 443 : 80)),
      allowPrivateNetworks,
      tls: secure ? { ...(options.servername ? { servername: options.servername } : {}), rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] } : null,
    });
  class GuardedHttpAgent extends http.Agent {
    override createConnection(options: http.ClientRequestArgs): Duplex {
      return open(options, false);
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(options: http.ClientRequestArgs): Duplex {
      return open(options, true);
    }
  }
  return { httpAgent: new GuardedHttpAgent(), httpsAgent: new GuardedHttpsAgent() };
}

/** HeadBucket: proves the endpoint answers, the credentials are accepted and the bucket exists. */
export function probeS3(c: S3Config): Promise<ProbeOutcome> {
  const where = c.endpoint ?? `s3.${c.region}.amazonaws.com`;
  const host = c.endpoint ? new URL(c.endpoint).hostname : `s3.${c.region}.amazonaws.com`;
  return probeGuarded(host, c.allowPrivateNetworks, 'S3 endpoint', where, () => headBucket(c, where));
}

async function headBucket(c: S3Config, where: string): Promise<ProbeOutcome> {
  const agents = guardedAgents(c.allowPrivateNetworks);
  const client = new S3Client({
    region: c.region,
    endpoint: c.endpoint,
    forcePathStyle: c.forcePathStyle,
    credentials: c.accessKeyId && c.secretAccessKey ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined,
    maxAttempts: 1,
    requestHandler: { ...agents, connectionTimeout: PROBE_TIMEOUT_MS, requestTimeout: PROBE_TIMEOUT_MS },
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: c.bucket }), { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS * 2) });
    return succeeded(`bucket "${c.bucket}" is reachable at ${where}`);
  } catch (err) {
    const refused = forbiddenAddressIn(err);
    if (refused) return failed('FF_CONN_FORBIDDEN_ADDRESS', refused.message);
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (err as { name?: string }).name ?? '';
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') {
      return failed('FF_CONN_NOT_FOUND', `bucket "${c.bucket}" does not exist at ${where}`);
    }
    if (status === 403 || status === 401 || /AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden/.test(name)) {
      return failed(
        'FF_CONN_AUTH',
        `${where} refused access to bucket "${c.bucket}" (HTTP ${status ?? '403'}): check accessKeyId, secretAccessKey and the bucket policy`,
      );
    }
    if (status === 301 || name === 'PermanentRedirect') {
      return failed('FF_CONN_FAILED', `bucket "${c.bucket}" lives in another region than "${c.region}"`);
    }
    return (
      describeNetworkError(err, 'S3 endpoint', where) ??
      failed('FF_CONN_FAILED', `S3 endpoint ${where}: ${name || (err instanceof Error ? err.message : String(err))}${status ? ` (HTTP ${status})` : ''}`)
    );
  } finally {
    client.destroy();
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  }
}
