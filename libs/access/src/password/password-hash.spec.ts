import { parseOptions } from '@node-rs/argon2';
import {
  DUMMY_PASSWORD_HASH,
  MAX_PASSWORD_INPUT_LENGTH,
  PASSWORD_HASH_PARAMS,
  hashPassword,
  passwordNeedsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from './password-hash';

describe('hashPassword / verifyPassword', () => {
  it('makes an argon2id PHC string with the OWASP parameters and a fresh salt', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('S3cure-enough pass');
    await expect(verifyPassword(stored, 'S3cure-enough pass')).resolves.toBe(true);
    await expect(verifyPassword(stored, 's3cure-enough pass')).resolves.toBe(false);
    await expect(verifyPassword(stored, '')).resolves.toBe(false);
  });

  it('treats Unicode-equivalent spellings as the same password (NFKC)', async () => {
    const composed = 'caf\u00e9-au-lait-42';
    const decomposed = 'cafe\u0301-au-lait-42';
    const stored = await hashPassword(composed);
    await expect(verifyPassword(stored, decomposed)).resolves.toBe(true);
  });

  it('answers false, never throws, for a malformed or empty stored hash', async () => {
    for (const bad of ['', 'garbage', '$argon2id$v=19$m=19456,t=2,p=1$abc', '$2b$10$abcdefghijklmnopqrstuv', null as unknown as string]) {
      await expect(verifyPassword(bad, 'whatever')).resolves.toBe(false);
    }
  });

  it('refuses input beyond the hard ceiling', async () => {
    const long = 'a'.repeat(MAX_PASSWORD_INPUT_LENGTH + 1);
    await expect(hashPassword(long)).rejects.toThrow(/^FF_PASSWORD_TOO_LONG: a password may have at most 1024 characters$/);
    await expect(verifyPassword(DUMMY_PASSWORD_HASH, long)).resolves.toBe(false);
    await expect(hashPassword(42 as unknown as string)).rejects.toThrow('FF_PASSWORD_INVALID');
  });
});

describe('the dummy hash (no user enumeration by timing)', () => {
  it('is made with the current parameters, so it costs what a real verification costs', () => {
    const o = parseOptions(DUMMY_PASSWORD_HASH);
    expect({ algorithm: o.algorithm, memoryCost: o.memoryCost, timeCost: o.timeCost, parallelism: o.parallelism }).toEqual({
      algorithm: 2,
      ...PASSWORD_HASH_PARAMS,
    });
    expect(passwordNeedsRehash(DUMMY_PASSWORD_HASH)).toBe(false);
  });

  it('always answers false, even for odd input', async () => {
    await expect(verifyAgainstDummy('anything')).resolves.toBe(false);
    await expect(verifyAgainstDummy('')).resolves.toBe(false);
    await expect(verifyAgainstDummy('x'.repeat(5000))).resolves.toBe(false);
  });

  it('actually runs argon2 (takes about as long as a real verification)', async () => {
    const stored = await hashPassword('a real password here');
    const time = async (f: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 3; i++) await f();
      return Number(process.hrtime.bigint() - t);
    };
    const real = await time(() => verifyPassword(stored, 'wrong password'));
    const dummy = await time(() => verifyAgainstDummy('wrong password'));
    // Generous bounds: the point is that the dummy path is not an early return (~0 ms).
    expect(dummy).toBeGreaterThan(real / 4);
  });
});

describe('passwordNeedsRehash', () => {
  it('is false for a current hash and true for other parameters, algorithms or garbage', async () => {
    expect(passwordNeedsRehash(await hashPassword('abc'))).toBe(false);
    expect(passwordNeedsRehash('$argon2id$v=19$m=4096,t=3,p=1$cuLe5tK93c9OAPIt/q1QjQ$zsXvbqEFtN9IUVA3v89BjrNcZKGOfPl/kPpdV0ljuis')).toBe(true);
    expect(passwordNeedsRehash('$argon2i$v=19$m=19456,t=2,p=1$cuLe5tK93c9OAPIt/q1QjQ$zsXvbqEFtN9IUVA3v89BjrNcZKGOfPl/kPpdV0ljuis')).toBe(true);
    expect(passwordNeedsRehash('not a hash')).toBe(true);
  });
});
