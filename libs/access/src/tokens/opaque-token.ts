import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * What kind of secret a bearer string is, readable at a glance and by secret scanners:
 * `ffp_` personal API token, `ffr_` refresh token, `ffx_` password-reset token.
 */
export const TOKEN_PREFIXES = { apiToken: 'ffp_', refreshToken: 'ffr_', passwordReset: 'ffx_' } as const;
export type TokenPrefix = (typeof TOKEN_PREFIXES)[keyof typeof TOKEN_PREFIXES];

const KNOWN_PREFIXES = new Set<string>(Object.values(TOKEN_PREFIXES));

/** A freshly minted token: show `token` once, store `id` and `hash`, never `secret`. */
export interface OpaqueToken {
  /** The row key: lets the server find the token without searching by secret. */
  id: string;
  secret: string;
  /** `${prefix}${id}.${secret}`, what the client sends as `Authorization: Bearer …`. */
  token: string;
  /** sha256 hex of `secret`. */
  hash: string;
}

const UUID_V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
/** 32 bytes in unpadded base64url are exactly 43 characters. */
const SECRET = '[A-Za-z0-9_-]{43}';
const SHA256_HEX = /^[0-9a-f]{64}$/;
const FORMATS = new Map([...KNOWN_PREFIXES].map((p) => [p, new RegExp(`^${p}(${UUID_V4})\\.(${SECRET})$`)]));

/** A new token: a random v4 id and 256 random bits of secret. */
export function generateOpaqueToken(prefix: TokenPrefix): OpaqueToken {
  assertPrefix(prefix);
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${prefix}${id}.${secret}`, hash: hashTokenSecret(secret) };
}

/**
 * The id and secret of a token of kind `prefix`, or null when `text` is anything else (another kind,
 * a truncated paste, a JWT). Strict and non-throwing: bearer text is attacker input, and a null leads
 * to one uniform 401.
 */
export function parseOpaqueToken(prefix: TokenPrefix, text: string): { id: string; secret: string } | null {
  assertPrefix(prefix);
  if (typeof text !== 'string') return null;
  const m = FORMATS.get(prefix)?.exec(text);
  const id = m?.[1];
  const secret = m?.[2];
  return id !== undefined && secret !== undefined ? { id, secret } : null;
}

/**
 * sha256 hex. A fast hash is right for these secrets, unlike passwords: 256 random bits cannot be
 * brute-forced from a leaked hash, and every API request verifies one, so argon2 would only cost
 * latency and make the token endpoint a DoS target.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `hashHex`, compared in constant time; false for a malformed stored hash. */
export function tokenSecretMatches(secret: string, hashHex: string): boolean {
  if (typeof secret !== 'string' || typeof hashHex !== 'string' || !SHA256_HEX.test(hashHex)) return false;
  return timingSafeEqual(createHash('sha256').update(secret, 'utf8').digest(), Buffer.from(hashHex, 'hex'));
}

function assertPrefix(prefix: string): void {
  if (!KNOWN_PREFIXES.has(prefix)) {
    throw new Error(`FF_TOKEN_PREFIX_UNKNOWN: "${prefix}" is not a token prefix; use one of ${[...KNOWN_PREFIXES].join(', ')}`);
  }
}
