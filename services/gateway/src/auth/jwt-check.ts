import { constants, KeyObject, verify as verifySignature } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

/**
 * JWS signature check with node:crypto's synchronous verify (OpenSSL): about 0.1 ms for ES256 where
 * WebCrypto's asynchronous verify (what jose uses) costs 0.2 ms at the median and over 1 ms at p99 on
 * this machine — the gateway's first sight of each token pays it (bench/authz.bench.ts). jose still
 * resolves the key from the issuer's JWKS (cache, refetch on an unknown kid, kty/alg matching).
 *
 * Only asymmetric algorithms are accepted: `none` and HS* (an attacker using the public key as an
 * HMAC secret) are refused before any key is looked up.
 */
const ALGORITHMS: Record<string, { hash: string | null; kind: 'ec' | 'rsa' | 'rsa-pss' | 'ed'; curve?: string }> = {
  ES256: { hash: 'sha256', kind: 'ec', curve: 'prime256v1' },
  ES384: { hash: 'sha384', kind: 'ec', curve: 'secp384r1' },
  ES512: { hash: 'sha512', kind: 'ec', curve: 'secp521r1' },
  RS256: { hash: 'sha256', kind: 'rsa' },
  RS384: { hash: 'sha384', kind: 'rsa' },
  RS512: { hash: 'sha512', kind: 'rsa' },
  PS256: { hash: 'sha256', kind: 'rsa-pss' },
  PS384: { hash: 'sha384', kind: 'rsa-pss' },
  PS512: { hash: 'sha512', kind: 'rsa-pss' },
  EdDSA: { hash: null, kind: 'ed' },
};

export class JwtRejected extends Error {
  constructor(
    readonly reason: 'malformed' | 'algorithm' | 'key' | 'signature' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid' | 'claims',
    message: string,
  ) {
    super(message);
  }
}

function part(text: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new JwtRejected('malformed', `the ${what} is not a base64url JSON object`);
}

function signatureMatches(alg: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const spec = ALGORITHMS[alg]!;
  const type = key.asymmetricKeyType;
  switch (spec.kind) {
    case 'ec':
      if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== spec.curve) throw new JwtRejected('key', `the key does not fit ${alg}`);
      return verifySignature(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'rsa':
      if (type !== 'rsa') throw new JwtRejected('key', `the key does not fit ${alg}`);
      return verifySignature(spec.hash, data, key, signature);
    case 'rsa-pss':
      if (type !== 'rsa' && type !== 'rsa-pss') throw new JwtRejected('key', `the key does not fit ${alg}`);
      return verifySignature(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    case 'ed':
      if (type !== 'ed25519' && type !== 'ed448') throw new JwtRejected('key', `the key does not fit ${alg}`);
      return verifySignature(null, data, key, signature);
  }
}

export interface JwtCheckOptions {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  nowSeconds?: number;
}

/** Verifies a compact JWS JWT: signature against the issuer's keys, then iss, aud, exp, nbf and sub. */
export async function checkJwt(token: string, keys: JWTVerifyGetKey, opts: JwtCheckOptions): Promise<JWTPayload> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[2]) throw new JwtRejected('malformed', 'not a signed compact JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = part(h, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg)) throw new JwtRejected('algorithm', `algorithm ${String(alg)} is not accepted`);
  if (header.crit !== undefined) throw new JwtRejected('malformed', 'critical header parameters are not supported');
  const payload = part(p, 'payload') as JWTPayload;
  let key: KeyObject;
  try {
    const resolved = await keys({ alg, kid: typeof header.kid === 'string' ? header.kid : undefined }, { payload: p, signature: s });
    key = resolved instanceof KeyObject ? resolved : KeyObject.from(resolved as Parameters<typeof KeyObject.from>[0]);
  } catch (err) {
    if (err instanceof JwtRejected) throw err;
    throw new JwtRejected('key', `no key of the issuer matches: ${(err as Error).message}`);
  }
  if (!signatureMatches(alg, key, Buffer.from(`${h}.${p}`), Buffer.from(s, 'base64url'))) throw new JwtRejected('signature', 'the signature does not verify');

  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (payload.iss !== opts.issuer) throw new JwtRejected('issuer', 'unexpected issuer');
  const aud = payload.aud;
  if (!(aud === opts.audience || (Array.isArray(aud) && aud.includes(opts.audience)))) throw new JwtRejected('audience', 'unexpected audience');
  if (typeof payload.exp !== 'number') throw new JwtRejected('claims', 'exp is missing');
  if (payload.exp <= now - opts.clockToleranceSeconds) throw new JwtRejected('expired', 'the token has expired');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + opts.clockToleranceSeconds))
    throw new JwtRejected('not-yet-valid', 'the token is not valid yet');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new JwtRejected('claims', 'sub is missing');
  return payload;
}
