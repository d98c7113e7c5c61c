/** RFC 4648 §6 base32: the alphabet authenticator apps expect for TOTP secrets. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Base32 without `=` padding (the form otpauth URIs and authenticator apps use). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet written, so the shift never overflows
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes what a person may have typed or pasted: any case, spaces (secrets are often shown in
 * groups of four) and trailing `=` padding are accepted. Anything else is an error naming the first
 * bad character's position, because a silently mis-decoded secret yields codes that never match.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/\s+/g, '').toUpperCase().replace(/=+$/, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < clean.length; i++) {
    const value = VALUE.get(clean[i] ?? '');
    if (value === undefined) {
      throw new Error(`FF_BASE32_INVALID: character ${i + 1} (not counting spaces) is not base32; only the letters A–Z and the digits 2–7 are allowed`);
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // 8 characters carry 5 bytes; a remainder of 1, 3 or 6 characters cannot come from any byte string.
  if ([1, 3, 6].includes(clean.length % 8)) {
    throw new Error(`FF_BASE32_INVALID: ${clean.length} characters is not a possible base32 length (the text looks truncated)`);
  }
  return Buffer.from(bytes);
}
