import { commonPasswordReadings, commonPasswords, unleet } from './common-passwords';
import { hashPassword } from './password-hash';
import { DEFAULT_PASSWORD_POLICY, PasswordPolicyError, assertPassword, checkPassword, type PasswordIssueCode } from './password-policy';

const codes = async (candidate: string, context?: Parameters<typeof checkPassword>[1]): Promise<PasswordIssueCode[]> =>
  (await checkPassword(candidate, context)).map((i) => i.code);

describe('the common-password list', () => {
  it('loads once, lazily, as a lower-case Set of the zxcvbn list', async () => {
    const a = await commonPasswords();
    const b = await commonPasswords();
    expect(a).toBe(b);
    expect(a.size).toBeGreaterThan(40_000);
    expect(a.has('password')).toBe(true);
    expect(a.has('qwerty123456')).toBe(true);
  });

  it('reads leetspeak both ways for an ambiguous 1, and caps the combinations', () => {
    expect(unleet('p@55w0rd')).toEqual(['password']);
    expect(unleet('1ce')).toEqual(['ice', 'lce']);
    expect(unleet('abc')).toEqual(['abc']);
    expect(unleet('1111111')).toEqual(['iiiiiii', 'lllllll']);
    expect(unleet('111111')).toHaveLength(64);
  });

  it('strips a trailing run of digits and symbols, one character at a time', () => {
    const r = commonPasswordReadings('hell0123!');
    expect(r.has('hell0123!')).toBe(true);
    expect(r.has('hello')).toBe(true);
    expect(r.has('hell')).toBe(true);
    // Bases under 4 characters are not looked up once something was stripped...
    expect(commonPasswordReadings('abc1234567890').has('abc')).toBe(false);
    // ...but the whole candidate always is.
    expect(commonPasswordReadings('123').has('123')).toBe(true);
  });
});

describe('checkPassword', () => {
  it('accepts a long mixed password that is not common and reports nothing', async () => {
    await expect(checkPassword('Tangerine-Volcano-42')).resolves.toEqual([]);
    await expect(checkPassword('ocean Lantern 7 marble')).resolves.toEqual([]);
  });

  it('uses the documented defaults', () => {
    expect(DEFAULT_PASSWORD_POLICY).toEqual({ minLength: 12, maxLength: 128, minCharacterClasses: 3, rejectCommon: true, historySize: 5 });
    expect(Object.isFrozen(DEFAULT_PASSWORD_POLICY)).toBe(true);
  });

  it('counts length in characters (code points), not UTF-16 units', async () => {
    expect(await codes('Ab1-😀😀😀😀😀😀😀😀')).toEqual([]); // 12 characters, 20 UTF-16 units
    expect(await codes('Ab1-😀😀😀😀😀😀😀')).toEqual(['FF_PASSWORD_TOO_SHORT']); // 11 characters, 18 units
  });

  it('reports too short and too long with the limits in the message', async () => {
    const short = await checkPassword('Ab1!xyz');
    expect(short).toContainEqual({ code: 'FF_PASSWORD_TOO_SHORT', message: 'use at least 12 characters (a passphrase of a few words is easiest)' });
    const long = await checkPassword(`Ab1!${'x'.repeat(125)}`);
    expect(long).toEqual([{ code: 'FF_PASSWORD_TOO_LONG', message: 'use at most 128 characters' }]);
    expect(await codes(`Ab1!${'x'.repeat(124)}`)).toEqual([]);
  });

  it('requires the configured number of character classes', async () => {
    expect(await codes('onlylowercaseletters')).toEqual(['FF_PASSWORD_CHARACTER_CLASSES']);
    expect(await codes('Lowercase and spaces')).toEqual([]);
    expect(await codes('lowercase1234567')).toEqual(['FF_PASSWORD_CHARACTER_CLASSES']);
    expect(await codes('lowercase1234567', { policy: { minCharacterClasses: 2 } })).toEqual([]);
    const [issue] = await checkPassword('onlylowercaseletters');
    expect(issue?.message).toBe('mix at least 3 of: lower-case letters, upper-case letters, digits, other characters (found 1)');
    // Letters without case count as "other", so non-Latin scripts can satisfy the rule.
    expect(await codes('パスワードは長いです123a')).toEqual([]);
  });

  it.each([
    ['exact, any case', 'QwErTy123456'],
    ['a common word with a trailing number and symbol', 'Password2024!'],
    ['leetspeak', 'P@$$w0rd12345!'],
    ['leetspeak with an ambiguous 1 read as l', 'Footba11#2024!!'],
    ['leetspeak with a trailing leet digit', 'M0nkey9876543!'],
    ['a long common entry', '1qaz2wsx3edc'],
  ])('refuses a common password: %s', async (_label, candidate) => {
    expect(await codes(candidate, { policy: { minCharacterClasses: 0 } })).toEqual(['FF_PASSWORD_COMMON']);
  });

  it('does not refuse a strong password whose pieces happen to be words, and can be turned off', async () => {
    expect(await codes('Sunshine-Tractor-Pebble-9', { policy: { minCharacterClasses: 0 } })).toEqual([]);
    expect(await codes('Password2024!', { policy: { rejectCommon: false } })).toEqual([]);
  });

  it('never echoes the password in any message', async () => {
    const candidate = 'Sunshine2024!';
    const issues = await checkPassword(candidate, { username: 'sunshine', previousHashes: [await hashPassword(candidate)] });
    expect(issues.map((i) => i.code)).toEqual(['FF_PASSWORD_COMMON', 'FF_PASSWORD_CONTAINS_USERNAME', 'FF_PASSWORD_REUSED']);
    for (const i of issues) expect(i.message.toLowerCase()).not.toMatch(/sunshine|2024/);
  });

  it('refuses the user name or e-mail local part, case-insensitively and through leetspeak', async () => {
    expect(await codes('Extra-Long-JDoe-99', { username: 'jdoe' })).toEqual(['FF_PASSWORD_CONTAINS_USERNAME']);
    expect(await codes('Extra-Long-JD0e-99', { username: 'jdoe' })).toEqual(['FF_PASSWORD_CONTAINS_USERNAME']);
    expect(await codes('Marvellous-Margaret-7', { email: 'Margaret@example.com' })).toEqual(['FF_PASSWORD_CONTAINS_USERNAME']);
    const [issue] = await checkPassword('Marvellous-Margaret-7', { email: 'margaret@example.com' });
    expect(issue?.message).toBe('the password must not contain your e-mail address');
    const [u] = await checkPassword('Extra-Long-JDoe-99', { username: 'JDOE' });
    expect(u?.message).toBe('the password must not contain your user name');
  });

  it('ignores identities shorter than 3 characters', async () => {
    expect(await codes('Tangerine-Volcano-42', { username: 'ta', email: 'vo@example.com' })).toEqual([]);
    expect(await codes('Tangerine-Volcano-42', { username: 'tan' })).toEqual(['FF_PASSWORD_CONTAINS_USERNAME']);
  });

  it('refuses a password among the last historySize hashes, and only those', async () => {
    const reused = 'Old-But-Gold-Phrase-1';
    const hashes = await Promise.all(['Other-Phrase-Aaaa-1', 'Other-Phrase-Bbbb-2', reused].map((p) => hashPassword(p)));
    expect(await codes(reused, { previousHashes: hashes })).toEqual(['FF_PASSWORD_REUSED']);
    expect(await codes(reused, { previousHashes: hashes, policy: { historySize: 2 } })).toEqual([]);
    expect(await codes(reused, { previousHashes: hashes, policy: { historySize: 0 } })).toEqual([]);
    // A corrupted stored hash is not a match and does not throw.
    expect(await codes(reused, { previousHashes: ['garbage'] })).toEqual([]);
    const [issue] = await checkPassword(reused, { previousHashes: hashes });
    expect(issue?.message).toBe('choose a password you have not used before (the last 5 cannot be reused)');
  });

  it('returns every issue at once', async () => {
    expect(await codes('bob', { username: 'bob' })).toEqual([
      'FF_PASSWORD_TOO_SHORT',
      'FF_PASSWORD_CHARACTER_CLASSES',
      'FF_PASSWORD_COMMON',
      'FF_PASSWORD_CONTAINS_USERNAME',
    ]);
  });
});

describe('assertPassword', () => {
  it('resolves for a good password and throws PasswordPolicyError with every issue otherwise', async () => {
    await expect(assertPassword('Tangerine-Volcano-42')).resolves.toBeUndefined();
    const error = await assertPassword('zqxjv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasswordPolicyError);
    const e = error as PasswordPolicyError;
    expect(e.code).toBe('FF_PASSWORD_POLICY');
    expect(e.issues.map((i) => i.code)).toEqual(['FF_PASSWORD_TOO_SHORT', 'FF_PASSWORD_CHARACTER_CLASSES']);
    expect(e.message).toBe(
      'FF_PASSWORD_POLICY: the password is not accepted: use at least 12 characters (a passphrase of a few words is easiest); mix at least 3 of: lower-case letters, upper-case letters, digits, other characters (found 1)',
    );
  });
});
