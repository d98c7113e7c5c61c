import { hash, parseOptions, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet minimum (19 MiB, 2 passes, 1 lane): about
 * 10–50 ms per hash, slow enough to make offline guessing expensive, cheap enough for a login path.
 */
export const PASSWORD_HASH_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// `Algorithm` is an ambient const enum, which isolatedModules cannot read at runtime: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const OPTIONS: Options = { algorithm: ARGON2ID, ...PASSWORD_HASH_PARAMS };

/**
 * A hard ceiling (UTF-16 units) for anything we hash, independent of the configurable policy:
 * argon2 pre-hashes its input, but a megabyte password on every login request is still free work
 * handed to an attacker.
 */
export const MAX_PASSWORD_INPUT_LENGTH = 1024;

/**
 * A hash of a random password nobody knows, made with PASSWORD_HASH_PARAMS (a test keeps the two in
 * step). Verifying against it costs what a real verification costs, so "unknown user" and "wrong
 * password" take the same time and a login endpoint does not reveal which accounts exist.
 */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$cuLe5tK93c9OAPIt/q1QjQ$zsXvbqEFtN9IUVA3v89BjrNcZKGOfPl/kPpdV0ljuis';

/**
 * NIST SP 800-63B §5.1.1.2: normalise Unicode before hashing so that the same password typed on two
 * keyboards (composed "é" vs "e" + combining accent) verifies. Hash and verify must agree on this.
 */
function normalize(plain: string): string {
  return plain.normalize('NFKC');
}

/** The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) to store; a fresh random salt each time. */
export async function hashPassword(plain: string): Promise<string> {
  if (typeof plain !== 'string') throw new TypeError('FF_PASSWORD_INVALID: a password must be a string');
  if (plain.length > MAX_PASSWORD_INPUT_LENGTH) {
    throw new RangeError(`FF_PASSWORD_TOO_LONG: a password may have at most ${MAX_PASSWORD_INPUT_LENGTH} characters`);
  }
  return hash(normalize(plain), OPTIONS);
}

/**
 * Whether `plain` matches `stored`. Never throws: a malformed or empty stored hash (a corrupted row,
 * an account without a password) is simply "no match", so a caller cannot turn it into a 500 or an
 * oracle. Parameters are read from the stored string, so older hashes keep verifying after a change.
 */
export async function verifyPassword(stored: string, plain: string): Promise<boolean> {
  if (typeof stored !== 'string' || typeof plain !== 'string' || plain.length > MAX_PASSWORD_INPUT_LENGTH) return false;
  try {
    return await verify(stored, normalize(plain));
  } catch {
    return false;
  }
}

/**
 * Spend a verification's worth of time and answer `false`: call it when the account does not exist
 * (or has no password) instead of returning early.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  await verifyPassword(DUMMY_PASSWORD_HASH, typeof plain === 'string' ? plain.slice(0, MAX_PASSWORD_INPUT_LENGTH) : '');
  return false;
}

/**
 * Whether a stored hash was made with other parameters (or another algorithm) than today's: after a
 * successful login, re-hash the password the user just typed and store the new hash.
 */
export function passwordNeedsRehash(stored: string): boolean {
  try {
    const o = parseOptions(stored);
    return (
      o.algorithm !== ARGON2ID ||
      o.memoryCost !== PASSWORD_HASH_PARAMS.memoryCost ||
      o.timeCost !== PASSWORD_HASH_PARAMS.timeCost ||
      o.parallelism !== PASSWORD_HASH_PARAMS.parallelism
    );
  } catch {
    return true;
  }
}
