import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../connection-types';
import { forbiddenAddressIn, guardedAgents } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, probeGuarded, succeeded, type ProbeOutcome } from './probe-outcome';

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
    // Without keys the request is anonymous, as the s3 location's (libs/connectors s3.location.ts): never the
    // platform's own identity (environment, instance role).
    ...(c.accessKeyId && c.secretAccessKey
      ? { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } }
      : { credentials: { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' }, signer: { sign: <T>(request: T) => Promise.resolve(request) } }),
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
