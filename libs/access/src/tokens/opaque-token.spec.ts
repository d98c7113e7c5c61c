import { createHash } from 'node:crypto';
import { TOKEN_PREFIXES, generateOpaqueToken, hashTokenSecret, parseOpaqueToken, tokenSecretMatches, type TokenPrefix } from './opaque-token';

describe('generateOpaqueToken', () => {
  it.each(Object.values(TOKEN_PREFIXES))('makes a %s token: uuid v4 id, 43-char base64url secret, sha256 hash', (prefix) => {
    const t = generateOpaqueToken(prefix);
    expect(t.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(t.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t.secret, 'base64url')).toHaveLength(32);
    expect(t.token).toBe(`${prefix}${t.id}.${t.secret}`);
    expect(t.hash).toBe(createHash('sha256').update(t.secret).digest('hex'));
    expect(parseOpaqueToken(prefix, t.token)).toEqual({ id: t.id, secret: t.secret });
  });

  it('never repeats', () => {
    const a = generateOpaqueToken('ffp_');
    const b = generateOpaqueToken('ffp_');
    expect(a.id).not.toBe(b.id);
    expect(a.secret).not.toBe(b.secret);
  });

  it('refuses an unknown prefix', () => {
    expect(() => generateOpaqueToken('ghp_' as TokenPrefix)).toThrow('FF_TOKEN_PREFIX_UNKNOWN: "ghp_" is not a token prefix; use one of ffp_, ffr_, ffx_');
    expect(() => parseOpaqueToken('x' as TokenPrefix, 'x')).toThrow('FF_TOKEN_PREFIX_UNKNOWN');
  });
});

describe('parseOpaqueToken', () => {
  const { token, id, secret } = generateOpaqueToken('ffp_');

  it('returns null, never throws, for anything but a well-formed token of that kind', () => {
    const bad = [
      '',
      token.replace('ffp_', 'ffr_'), // another kind
      token.slice(0, -1), // truncated secret
      `${token}A`, // secret too long
      ` ${token}`,
      `${token}\n`,
      token.replace('.', ':'),
      token.toUpperCase(),
      `ffp_${id.replace(/-/g, '')}.${secret}`, // id without dashes
      `ffp_${id.slice(0, 14)}1${id.slice(15)}.${secret}`, // uuid v1
      `ffp_${id}.${secret.slice(0, 42)}=`, // padding / foreign character
      `ffp_${id}.${secret.slice(0, 42)}+`,
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      null as unknown as string,
    ];
    for (const text of bad) expect(parseOpaqueToken('ffp_', text)).toBeNull();
  });

  it('parses refresh and reset tokens with their own prefix only', () => {
    const r = generateOpaqueToken('ffr_');
    const x = generateOpaqueToken('ffx_');
    expect(parseOpaqueToken('ffr_', r.token)).toEqual({ id: r.id, secret: r.secret });
    expect(parseOpaqueToken('ffx_', x.token)).toEqual({ id: x.id, secret: x.secret });
    expect(parseOpaqueToken('ffx_', r.token)).toBeNull();
  });
});

describe('hashTokenSecret / tokenSecretMatches', () => {
  it('matches the secret against its stored hash only', () => {
    const t = generateOpaqueToken('ffr_');
    expect(hashTokenSecret(t.secret)).toBe(t.hash);
    expect(tokenSecretMatches(t.secret, t.hash)).toBe(true);
    expect(tokenSecretMatches(t.secret, t.hash.toUpperCase())).toBe(false);
    expect(tokenSecretMatches(`${t.secret}x`, t.hash)).toBe(false);
    expect(tokenSecretMatches(generateOpaqueToken('ffr_').secret, t.hash)).toBe(false);
  });

  it('answers false, never throws, for a malformed stored hash', () => {
    const t = generateOpaqueToken('ffp_');
    for (const bad of ['', 'abc', t.hash.slice(0, 63), `${t.hash}00`, 'z'.repeat(64), null as unknown as string]) {
      expect(tokenSecretMatches(t.secret, bad)).toBe(false);
    }
  });
});
