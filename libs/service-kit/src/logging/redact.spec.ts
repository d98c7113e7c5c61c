import { redactDeep, redactSecretValues, secretVariants } from './redact';

describe('redactSecretValues', () => {
  const secret = 'x-Api-Key/value+42';

  it.each([
    ['the exact value', `server said ${secret}`],
    ['upper-cased', `server said ${secret.toUpperCase()}`],
    ['lower-cased', `server said ${secret.toLowerCase()}`],
    ['URL-encoded', `redirect to /login?k=${encodeURIComponent(secret)}`],
    ['URL-encoded with lower-case escapes', `redirect to /login?k=${encodeURIComponent(secret).toLowerCase()}`],
    ['hex', `digest ${Buffer.from(secret).toString('hex')}`],
    ['hex upper-cased', `digest ${Buffer.from(secret).toString('hex').toUpperCase()}`],
    ['base64', `token ${Buffer.from(secret).toString('base64')}`],
    ['base64url', `token ${Buffer.from(secret).toString('base64url')}`],
    ['base64 inside Basic credentials (offset 1)', `Basic ${Buffer.from(`u:${secret}`).toString('base64')}`],
    ['base64 inside Basic credentials (offset 2)', `Basic ${Buffer.from(`us:${secret}`).toString('base64')}`],
    ['base64 inside Basic credentials (offset 0)', `Basic ${Buffer.from(`usr:${secret}`).toString('base64')}`],
  ])('catches %s', (_what, text) => {
    const out = redactSecretValues(text, [secret]);
    expect(out).toContain('[redacted]');
    for (const v of secretVariants(secret)) expect(out.toLowerCase()).not.toContain(v.toLowerCase());
  });

  it('leaves text without the secret alone, and ignores values too short to search for', () => {
    expect(redactSecretValues('HTTP 302 to /login', [secret])).toBe('HTTP 302 to /login');
    expect(redactSecretValues('a b c', ['a'])).toBe('a b c');
    expect(redactSecretValues('anything', [])).toBe('anything');
  });

  it('catches several secrets, the longest first (one containing another leaves no tail)', () => {
    expect(redactSecretValues('p=hunter22 q=HUNTER2', ['hunter2', 'hunter22'])).toBe('p=[redacted] q=[redacted]');
  });

  it('treats regular-expression characters in a secret literally', () => {
    expect(redactSecretValues('a.b.c and a?b*c', ['a?b*c'])).toBe('a.b.c and [redacted]');
  });

  it('redactDeep still replaces secret-looking keys and URL passwords', () => {
    expect(redactDeep({ token: 't', url: 'postgres://u:pw@h/db' })).toEqual({ token: '[redacted]', url: 'postgres://u:[redacted]@h/db' });
  });
});
