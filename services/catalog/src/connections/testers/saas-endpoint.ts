import http from 'node:http';
import https from 'node:https';
import { createPrivateKey } from 'node:crypto';
import { ForbiddenAddressError, pinnedLookup, resolvePublicTarget } from '@flowforge/connectors';
import { describeNetworkError, failed, PROBE_TIMEOUT_MS, type ProbeOutcome } from './probe-outcome';

/** What a reached endpoint answered; the probe then says in words what was (and was not) checked. */
export interface EndpointAnswer {
  origin: string;
  status: number;
}

/**
 * One `HEAD` on `url` (redirects not followed, body never read), the host through the outbound address
 * guard and the socket pinned to the checked address: the reachability half of a paid SaaS' test (the
 * snowflake and bigquery testers), where a login would need the service itself. Any HTTP answer counts as
 * reached; a socket failure is the outcome, in the words every tester uses.
 */
export async function reachEndpoint(url: URL, allowPrivateNetworks: boolean, what: string): Promise<EndpointAnswer | ProbeOutcome> {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  try {
    const target = await resolvePublicTarget(url.hostname, allowPrivateNetworks);
    const lib = url.protocol === 'https:' ? https : http;
    const status = await new Promise<number>((resolve, reject) => {
      const req = lib.request(
        url,
        { method: 'HEAD', headers: { 'user-agent': 'FlowForge-connection-test' }, lookup: pinnedLookup(target), signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    return { origin: url.origin, status };
  } catch (err) {
    if (err instanceof ForbiddenAddressError) return failed('FF_CONN_FORBIDDEN_ADDRESS', err.message);
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError')
      return failed('FF_CONN_TIMEOUT', `${what} at ${url.origin} did not answer within ${PROBE_TIMEOUT_MS} ms`);
    return describeNetworkError(err, what, `${url.hostname}:${port}`) ?? failed('FF_CONN_FAILED', `${what} at ${url.origin}: ${(err as Error).message}`);
  }
}

export const isAnswer = (r: EndpointAnswer | ProbeOutcome): r is EndpointAnswer => 'status' in r;

/**
 * Whether a PEM private key can be read (with its passphrase when encrypted), offline: the reason in
 * words when not (never a part of the key), else the key's type ("rsa", "ec"…).
 */
export function readPrivateKey(pem: string, passphrase: string | undefined): { ok: true; type: string } | { ok: false; reason: string } {
  // Without a passphrase OpenSSL answers an encrypted key with "interrupted or cancelled": named here instead.
  if (passphrase === undefined && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem))
    return { ok: false, reason: 'it is encrypted and no passphrase is set' };
  try {
    const key = createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
    return { ok: true, type: key.asymmetricKeyType ?? 'unknown' };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (passphrase !== undefined && (/PASSPHRASE|BAD_DECRYPT/i.test(code) || /passphrase|bad decrypt/i.test((err as Error).message)))
      return { ok: false, reason: 'the passphrase does not open it' };
    return { ok: false, reason: 'it is not a readable PEM private key' };
  }
}
