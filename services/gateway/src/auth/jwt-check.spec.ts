import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { SignJWT, type JWTVerifyGetKey } from 'jose';
import { checkJwt, JwtRejected } from './jwt-check';

const opts = { issuer: 'https://issuer.test', audience: 'flowforge-gateway', clockToleranceSeconds: 30 };
const keyring = (key: KeyObject): JWTVerifyGetKey => (async () => key) as unknown as JWTVerifyGetKey;

function pair(alg: string): { priv: KeyObject; pub: KeyObject } {
  const k = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'prime256v1' : alg === 'ES384' ? 'secp384r1' : 'secp521r1' })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: k.privateKey, pub: k.publicKey };
}

async function token(alg: string, priv: KeyObject, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: opts.issuer, aud: opts.audience, sub: 'user-1', iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg, ...header })
    .sign(priv);
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JwtRejected) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('checkJwt (node:crypto signature check, then claims)', () => {
  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'])('accepts a valid %s token', async (alg) => {
    const { priv, pub } = pair(alg);
    const payload = await checkJwt(await token(alg, priv), keyring(pub), opts);
    expect(payload.sub).toBe('user-1');
  });

  it('accepts an audience array that contains ours', async () => {
    const { priv, pub } = pair('ES256');
    expect(await reason(checkJwt(await token('ES256', priv, { aud: ['account', opts.audience] }), keyring(pub), opts))).toBe('accepted');
  });

  it('refuses a signature by another key, or a key of another type than the algorithm', async () => {
    const a = pair('ES256');
    const b = pair('ES256');
    expect(await reason(checkJwt(await token('ES256', a.priv), keyring(b.pub), opts))).toBe('signature');
    const rsa = pair('RS256');
    expect(await reason(checkJwt(await token('ES256', a.priv), keyring(rsa.pub), opts))).toBe('key');
    const p384 = pair('ES384');
    expect(await reason(checkJwt(await token('ES256', a.priv), keyring(p384.pub), opts))).toBe('key');
  });

  it('refuses none, HS256 and unknown algorithms before looking up a key', async () => {
    const { pub } = pair('ES256');
    let looked = false;
    const spy = (async () => {
      looked = true;
      return pub;
    }) as unknown as JWTVerifyGetKey;
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = b64({ iss: opts.issuer, aud: opts.audience, sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 });
    for (const alg of ['none', 'HS256', 'XS999']) {
      expect(await reason(checkJwt(`${b64({ alg })}.${body}.c2ln`, spy, opts))).toBe('algorithm');
    }
    expect(await reason(checkJwt(`${b64({ alg: 'none' })}.${body}.`, spy, opts))).toBe('malformed');
    expect(looked).toBe(false);
  });

  it('checks issuer, audience, expiry with skew, not-before and subject', async () => {
    const { priv, pub } = pair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const check = async (claims: Record<string, unknown>) => reason(checkJwt(await token('ES256', priv, claims), keyring(pub), opts));
    expect(await check({ iss: 'https://other.test' })).toBe('issuer');
    expect(await check({ aud: 'other' })).toBe('audience');
    expect(await check({ exp: now - 31 })).toBe('expired');
    expect(await check({ exp: now - 10 })).toBe('accepted');
    expect(await check({ nbf: now + 120 })).toBe('not-yet-valid');
    expect(await check({ sub: undefined })).toBe('claims');
    expect(await check({ exp: undefined })).toBe('claims');
  });

  it('refuses malformed tokens and critical headers', async () => {
    const { priv, pub } = pair('ES256');
    expect(await reason(checkJwt('a.b', keyring(pub), opts))).toBe('malformed');
    expect(await reason(checkJwt('!!.??.##', keyring(pub), opts))).toBe('malformed');
    expect(await reason(checkJwt(await token('ES256', priv, {}, { crit: ['b64'], b64: true }), keyring(pub), opts))).toBe('malformed');
  });
});
