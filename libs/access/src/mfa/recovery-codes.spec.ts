import { createHash } from 'node:crypto';
import { RECOVERY_CODE_ALPHABET, generateRecoveryCodes, hashRecoveryCode, isRecoveryCodeFormat, normalizeRecoveryCode } from './recovery-codes';

describe('generateRecoveryCodes', () => {
  it('makes 10 distinct codes shaped xxxx-xxxx-xxxx from the unambiguous alphabet', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) {
      expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
      expect(c).not.toMatch(/[ilou]/);
      expect(isRecoveryCodeFormat(c)).toBe(true);
    }
  });

  it('carries at least 60 bits per code', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    expect(12 * Math.log2(RECOVERY_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(60);
  });

  it('uses the whole alphabet (no bias towards a few characters)', () => {
    const seen = new Set(generateRecoveryCodes(100).join('').replace(/-/g, ''));
    expect(seen.size).toBe(32);
  });

  it('honours n and refuses nonsense', () => {
    expect(generateRecoveryCodes(1)).toHaveLength(1);
    expect(generateRecoveryCodes(16)).toHaveLength(16);
    expect(() => generateRecoveryCodes(0)).toThrow('FF_RECOVERY_CODES_INVALID: the number of recovery codes must be an integer from 1 to 100 (got 0)');
    expect(() => generateRecoveryCodes(2.5)).toThrow('FF_RECOVERY_CODES_INVALID');
    expect(() => generateRecoveryCodes(1000)).toThrow('FF_RECOVERY_CODES_INVALID');
  });
});

describe('normalizeRecoveryCode / hashRecoveryCode', () => {
  it('lower-cases, strips spaces and dashes, and folds look-alikes', () => {
    expect(normalizeRecoveryCode(' 7KQ2-MX0D - P9TA ')).toBe('7kq2mx0dp9ta');
    expect(normalizeRecoveryCode('7kq2 mxOd p9ta')).toBe('7kq2mx0dp9ta');
    expect(normalizeRecoveryCode('1ab2-Iab2-lab2')).toBe('1ab21ab21ab2');
  });

  it('hashes the normalised form with sha256, so every way of typing a code matches', () => {
    const expected = createHash('sha256').update('7kq2mx0dp9ta').digest('hex');
    expect(hashRecoveryCode('7kq2-mx0d-p9ta')).toBe(expected);
    expect(hashRecoveryCode('7KQ2 MXOD P9TA')).toBe(expected);
    expect(hashRecoveryCode('7kq2-mx0d-p9tb')).not.toBe(expected);
    expect(hashRecoveryCode('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells a possible code from garbage', () => {
    expect(isRecoveryCodeFormat('7kq2-mx0d-p9ta')).toBe(true);
    expect(isRecoveryCodeFormat('7kq2-mx0d-p9t')).toBe(false);
    expect(isRecoveryCodeFormat('7kq2-mx0d-p9tau')).toBe(false);
    expect(isRecoveryCodeFormat('7kq2-mx0d-p9t!')).toBe(false);
    expect(isRecoveryCodeFormat('')).toBe(false);
  });
});
