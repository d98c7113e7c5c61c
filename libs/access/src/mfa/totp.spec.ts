import { base32Decode, base32Encode } from './base32';
import { generateTotpSecret, hotpCode, otpauthUri, totpCode, verifyTotp, type TotpAlgorithm } from './totp';

/** RFC 6238 Appendix B seeds: the ASCII digits repeated to the hash's block-friendly length. */
const SEEDS: Record<TotpAlgorithm, string> = {
  sha1: base32Encode(Buffer.from('12345678901234567890')),
  sha256: base32Encode(Buffer.from('12345678901234567890123456789012')),
  sha512: base32Encode(Buffer.from('1234567890123456789012345678901234567890123456789012345678901234')),
};

describe('RFC 4226 Appendix D (HOTP, SHA-1, secret "12345678901234567890")', () => {
  const key = Buffer.from('12345678901234567890');
  const table: Array<[number, string, string]> = [
    [0, '1284755224', '755224'],
    [1, '1094287082', '287082'],
    [2, '0137359152', '359152'],
    [3, '1726969429', '969429'],
    [4, '1640338314', '338314'],
    [5, '0868254676', '254676'],
    [6, '1918287922', '287922'],
    [7, '0082162583', '162583'],
    [8, '0673399871', '399871'],
    [9, '0645520489', '520489'],
  ];

  it.each(table)('count %i: truncated %s, HOTP %s', (count, truncated, hotp) => {
    expect(hotpCode(key, count)).toBe(hotp);
    // 10 digits keep the whole 31-bit dynamic truncation: the RFC's "Decimal" column.
    expect(hotpCode(key, count, { digits: 10 })).toBe(truncated);
    expect(hotpCode(key, BigInt(count))).toBe(hotp);
  });
});

describe('RFC 6238 Appendix B (TOTP, 8 digits, 30 s steps)', () => {
  const table: Array<[number, string, TotpAlgorithm]> = [
    [59, '94287082', 'sha1'],
    [59, '46119246', 'sha256'],
    [59, '90693936', 'sha512'],
    [1111111109, '07081804', 'sha1'],
    [1111111109, '68084774', 'sha256'],
    [1111111109, '25091201', 'sha512'],
    [1111111111, '14050471', 'sha1'],
    [1111111111, '67062674', 'sha256'],
    [1111111111, '99943326', 'sha512'],
    [1234567890, '89005924', 'sha1'],
    [1234567890, '91819424', 'sha256'],
    [1234567890, '93441116', 'sha512'],
    [2000000000, '69279037', 'sha1'],
    [2000000000, '90698825', 'sha256'],
    [2000000000, '38618901', 'sha512'],
    [20000000000, '65353130', 'sha1'],
    [20000000000, '77737706', 'sha256'],
    [20000000000, '47863826', 'sha512'],
  ];

  it.each(table)('T=%i s gives %s with %s', (seconds, code, algorithm) => {
    expect(totpCode(SEEDS[algorithm], seconds * 1000, { digits: 8, algorithm })).toBe(code);
    const verified = verifyTotp(SEEDS[algorithm], code, { atMs: seconds * 1000, digits: 8, algorithm, window: 0 });
    expect(verified).toEqual({ ok: true, counter: Math.floor(seconds / 30) });
  });
});

describe('generateTotpSecret', () => {
  it('makes 160 random bits as 32 unpadded base32 characters', () => {
    const a = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(a);
  });
});

describe('totpCode', () => {
  const secret = SEEDS.sha1;

  it('defaults to 6 digits, SHA-1, 30 s, and changes at step boundaries only', () => {
    expect(totpCode(secret, 59_000)).toBe('287082'); // counter 1 = RFC 4226 count 1
    expect(totpCode(secret, 30_000)).toBe('287082');
    expect(totpCode(secret, 29_999)).toBe('755224');
    expect(totpCode(secret, 60_000, { stepSeconds: 60 })).toBe('287082');
  });

  it('accepts the secret as people write it (lower case, grouped)', () => {
    const grouped = secret.toLowerCase().replace(/(.{4})/g, '$1 ');
    expect(totpCode(grouped, 59_000)).toBe('287082');
  });

  it('refuses a malformed or too short secret and bad options with clear errors', () => {
    expect(() => totpCode('NOT*BASE32', 0)).toThrow('FF_BASE32_INVALID');
    expect(() => totpCode(base32Encode(Buffer.alloc(10)), 0)).toThrow('FF_TOTP_SECRET_INVALID: the secret has 80 bits; at least 128 are required');
    expect(() => totpCode('', 0)).toThrow('FF_TOTP_SECRET_INVALID: the secret has 0 bits');
    expect(() => totpCode(secret, 0, { digits: 5 })).toThrow('FF_TOTP_OPTIONS_INVALID: digits must be an integer from 6 to 10 (got 5)');
    expect(() => totpCode(secret, 0, { stepSeconds: 0 })).toThrow('FF_TOTP_OPTIONS_INVALID: stepSeconds must be a positive integer (got 0)');
    expect(() => totpCode(secret, 0, { algorithm: 'md5' as TotpAlgorithm })).toThrow('algorithm must be sha1, sha256 or sha512 (got md5)');
    expect(() => totpCode(secret, -1)).toThrow('FF_TOTP_OPTIONS_INVALID: atMs must be a time in milliseconds since 1970 (got -1)');
    expect(() => totpCode(secret, Number.NaN)).toThrow('atMs');
    expect(() => hotpCode(Buffer.alloc(20), -1)).toThrow('FF_TOTP_OPTIONS_INVALID: the HOTP counter must be an integer from 0 to 2^64-1 (got -1)');
    expect(() => hotpCode(Buffer.alloc(20), 1.5)).toThrow('the HOTP counter');
    expect(() => hotpCode(Buffer.alloc(20), 2n ** 64n)).toThrow('the HOTP counter');
  });
});

describe('verifyTotp', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_015_000; // counter 56666667, 15 s into the step
  const counter = Math.floor(now / 30_000);
  const codeAt = (steps: number) => totpCode(secret, now + steps * 30_000);

  it('accepts the current code and returns its counter', () => {
    expect(verifyTotp(secret, codeAt(0), { atMs: now })).toEqual({ ok: true, counter });
  });

  it('accepts one step either side by default, and not two', () => {
    expect(verifyTotp(secret, codeAt(-1), { atMs: now })).toEqual({ ok: true, counter: counter - 1 });
    expect(verifyTotp(secret, codeAt(1), { atMs: now })).toEqual({ ok: true, counter: counter + 1 });
    expect(verifyTotp(secret, codeAt(-2), { atMs: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp(secret, codeAt(2), { atMs: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp(secret, codeAt(-2), { atMs: now, window: 2 })).toEqual({ ok: true, counter: counter - 2 });
    expect(verifyTotp(secret, codeAt(-1), { atMs: now, window: 0 })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a replay: the counter of the last accepted code, or anything earlier', () => {
    const first = verifyTotp(secret, codeAt(0), { atMs: now });
    expect(first.ok).toBe(true);
    const lastUsedCounter = first.ok ? first.counter : -1;
    expect(verifyTotp(secret, codeAt(0), { atMs: now, lastUsedCounter })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(secret, codeAt(-1), { atMs: now, lastUsedCounter })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(secret, codeAt(1), { atMs: now + 30_000, lastUsedCounter })).toEqual({ ok: true, counter: counter + 1 });
  });

  it('accepts spaces in the typed code', () => {
    const code = codeAt(0);
    expect(verifyTotp(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, { atMs: now })).toEqual({ ok: true, counter });
  });

  it('treats a malformed code as a plain failure, not an error', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', '12345x', null as unknown as string]) {
      expect(verifyTotp(secret, bad, { atMs: now })).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verifyTotp(secret, '12345678', { atMs: now, digits: 8 }).ok).toBe(false);
  });

  it('does not look before time zero', () => {
    expect(verifyTotp(SEEDS.sha1, '755224', { atMs: 0 })).toEqual({ ok: true, counter: 0 });
    expect(verifyTotp(SEEDS.sha1, '287082', { atMs: 0 })).toEqual({ ok: true, counter: 1 });
  });

  it('refuses an unreasonable window and a malformed secret with clear errors', () => {
    expect(() => verifyTotp(secret, '123456', { atMs: now, window: 11 })).toThrow('FF_TOTP_OPTIONS_INVALID: window must be an integer from 0 to 10 (got 11)');
    expect(() => verifyTotp(secret, '123456', { atMs: now, window: -1 })).toThrow('window');
    expect(() => verifyTotp('0000', '123456', { atMs: now })).toThrow('FF_BASE32_INVALID');
  });
});

describe('otpauthUri', () => {
  it('builds the Key URI authenticator apps scan', () => {
    expect(otpauthUri('jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp', 'ada@example.com')).toBe(
      'otpauth://totp/FlowForge:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=FlowForge&algorithm=SHA1&digits=6&period=30',
    );
    expect(otpauthUri(SEEDS.sha256, 'Ada Lovelace', 'ACME Data', { algorithm: 'sha256', digits: 8, stepSeconds: 60 })).toBe(
      `otpauth://totp/ACME%20Data:Ada%20Lovelace?secret=${SEEDS.sha256}&issuer=ACME%20Data&algorithm=SHA256&digits=8&period=60`,
    );
  });

  it('refuses a colon or an empty label part, and a bad secret', () => {
    expect(() => otpauthUri(SEEDS.sha1, 'a:b')).toThrow('FF_TOTP_LABEL_INVALID: the account name must be non-empty and must not contain ":"');
    expect(() => otpauthUri(SEEDS.sha1, 'ada', 'Evil:Corp')).toThrow('FF_TOTP_LABEL_INVALID: the issuer');
    expect(() => otpauthUri(SEEDS.sha1, ' ')).toThrow('FF_TOTP_LABEL_INVALID');
    expect(() => otpauthUri('short', 'ada')).toThrow(/FF_BASE32_INVALID|FF_TOTP_SECRET_INVALID/);
  });
});
