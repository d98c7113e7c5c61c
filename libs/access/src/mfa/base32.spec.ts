import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from './base32';

// RFC 4648 §10 test vectors, written without padding as otpauth secrets are.
const VECTORS: Array<[string, string]> = [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
];

describe('base32', () => {
  it.each(VECTORS)('encodes and decodes the RFC 4648 vector %j', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
  });

  it('round-trips random bytes of every length', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = randomBytes(n);
      expect(base32Decode(base32Encode(bytes)).equals(bytes)).toBe(true);
    }
  });

  it('decodes what people type: any case, spaces, trailing padding', () => {
    expect(base32Decode('mzxw 6ytb oi').toString()).toBe('foobar');
    expect(base32Decode(' MzXw6YtBoI\n').toString()).toBe('foobar');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
  });

  it('refuses characters outside the alphabet, naming the position but not the secret', () => {
    expect(() => base32Decode('MZXW1YTB')).toThrow(
      /^FF_BASE32_INVALID: character 5 \(not counting spaces\) is not base32; only the letters A–Z and the digits 2–7 are allowed$/,
    );
    expect(() => base32Decode('MZ=XW6YTB')).toThrow('character 3');
    expect(() => base32Decode('MZXW-6YTB')).toThrow('FF_BASE32_INVALID');
  });

  it('refuses lengths no byte string encodes to (truncated text)', () => {
    expect(() => base32Decode('M')).toThrow('FF_BASE32_INVALID: 1 characters is not a possible base32 length (the text looks truncated)');
    expect(() => base32Decode('MZX')).toThrow('FF_BASE32_INVALID');
    expect(() => base32Decode('MZXW6Y')).toThrow('FF_BASE32_INVALID');
  });
});
