import { createHash, randomInt } from 'node:crypto';

/**
 * Crockford's base32 alphabet in lower case: no i, l, o or u is ever printed, and `normalizeRecoveryCode`
 * reads a typed o as 0 and i or l as 1, so a code copied from paper by eye still works. 32 symbols
 * make each character exactly 5 bits: 12 characters = 60 bits, far beyond online guessing.
 */
export const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 4;
const CODE_LENGTH = GROUPS * GROUP_LENGTH;
const CANONICAL = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** `n` distinct single-use codes shaped like `7kq2-mx0d-p9ta`, to show the user once and store hashed. */
export function generateRecoveryCodes(n = 10): string[] {
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new RangeError(`FF_RECOVERY_CODES_INVALID: the number of recovery codes must be an integer from 1 to 100 (got ${n})`);
  }
  const codes = new Set<string>();
  while (codes.size < n) {
    let raw = '';
    for (let i = 0; i < CODE_LENGTH; i++) raw += RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)];
    codes.add(raw.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))?.join('-') ?? raw);
  }
  return [...codes];
}

/**
 * The form that is hashed and compared: lower case, without spaces or dashes, with the look-alikes
 * o → 0 and i/l → 1 folded. Any text normalises to something; whether it is a code is `isRecoveryCodeFormat`.
 */
export function normalizeRecoveryCode(input: string): string {
  return input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
}

/** Whether `input` could be a recovery code at all: a cheap check before touching the store. */
export function isRecoveryCodeFormat(input: string): boolean {
  return CANONICAL.test(normalizeRecoveryCode(input));
}

/**
 * sha256 hex of the normalised code. A fast hash is enough here: 60 random bits cannot be guessed
 * offline from the hash the way a human-chosen password can, and lookups stay cheap.
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex');
}
