import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Decode, base32Encode } from './base32';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  /** The time step (RFC 6238 "X"); 30 s is what every authenticator app assumes by default. */
  stepSeconds?: number;
  /** 6 to 10; dynamic truncation yields 31 bits, so more than 10 digits would add nothing. */
  digits?: number;
  /** sha1 is the RFC 4226 default and the only one all authenticator apps support. */
  algorithm?: TotpAlgorithm;
}

export interface TotpVerifyOptions extends TotpOptions {
  atMs: number;
  /** Steps accepted either side of the current one, for clock drift and typing time (1 = ±30 s). */
  window?: number;
  /** The counter of the last accepted code: it and anything earlier is refused (no replay). */
  lastUsedCounter?: number;
}

export type TotpVerifyResult =
  | { ok: true; counter: number }
  /** The reason is for logs; tell the user only that the code is wrong. */
  | { ok: false; reason: 'malformed' | 'mismatch' | 'replayed' };

/** RFC 4226 §4 R6: the shared secret MUST be at least 128 bits. */
const MIN_SECRET_BYTES = 16;
const MAX_WINDOW = 10;

/** A new shared secret: 160 random bits (RFC 4226's recommendation), base32 without padding. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** RFC 4226 HOTP: HMAC of the 8-byte big-endian counter, dynamically truncated to `digits` digits. */
export function hotpCode(key: Uint8Array, counter: number | bigint, options: Pick<TotpOptions, 'digits' | 'algorithm'> = {}): string {
  const { digits, algorithm } = checkOptions(options);
  if ((typeof counter === 'number' && !Number.isSafeInteger(counter)) || counter < 0 || BigInt(counter) > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`FF_TOTP_OPTIONS_INVALID: the HOTP counter must be an integer from 0 to 2^64-1 (got ${counter})`);
  }
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code (RFC 6238) for the time step containing `atMs`. */
export function totpCode(secretBase32: string, atMs: number, options: TotpOptions = {}): string {
  const { stepSeconds } = checkOptions(options);
  return hotpCode(secretKey(secretBase32), counterAt(atMs, stepSeconds), options);
}

/**
 * Checks a code typed by the user (spaces allowed) against the steps around `atMs`. Every candidate
 * step is computed and compared in constant time, so timing shows neither whether nor where a code
 * matched. The counter to store as `lastUsedCounter` is returned: a code is accepted once only.
 * A malformed stored secret is a server fault and throws; a malformed code is just `ok: false`.
 */
export function verifyTotp(secretBase32: string, code: string, options: TotpVerifyOptions): TotpVerifyResult {
  const { stepSeconds, digits } = checkOptions(options);
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new RangeError(`FF_TOTP_OPTIONS_INVALID: window must be an integer from 0 to ${MAX_WINDOW} (got ${window})`);
  }
  const key = secretKey(secretBase32);
  const current = counterAt(options.atMs, stepSeconds);
  const typed = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!new RegExp(`^[0-9]{${digits}}$`).test(typed)) return { ok: false, reason: 'malformed' };

  const given = Buffer.from(typed);
  let accepted: number | undefined;
  let replayed = false;
  for (let counter = current - window; counter <= current + window; counter++) {
    if (counter < 0) continue;
    const match = timingSafeEqual(Buffer.from(hotpCode(key, counter, options)), given);
    if (!match) continue;
    if (options.lastUsedCounter !== undefined && counter <= options.lastUsedCounter) replayed = true;
    else accepted ??= counter;
  }
  if (accepted !== undefined) return { ok: true, counter: accepted };
  return { ok: false, reason: replayed ? 'replayed' : 'mismatch' };
}

/**
 * The Key URI an authenticator app scans as a QR code (`otpauth://totp/Issuer:account?secret=…`).
 * Neither the issuer nor the account may contain a colon: it separates them in the label.
 */
export function otpauthUri(secretBase32: string, accountName: string, issuer = 'FlowForge', options: TotpOptions = {}): string {
  const { stepSeconds, digits, algorithm } = checkOptions(options);
  for (const [what, value] of [
    ['account name', accountName],
    ['issuer', issuer],
  ] as const) {
    if (value.trim() === '' || value.includes(':')) {
      throw new Error(`FF_TOTP_LABEL_INVALID: the ${what} must be non-empty and must not contain ":" (it separates issuer and account)`);
    }
  }
  const secret = base32Encode(secretKey(secretBase32));
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = `secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=${algorithm.toUpperCase()}&digits=${digits}&period=${stepSeconds}`;
  return `otpauth://totp/${label}?${query}`;
}

function secretKey(secretBase32: string): Buffer {
  const key = base32Decode(secretBase32);
  if (key.length < MIN_SECRET_BYTES) {
    throw new Error(`FF_TOTP_SECRET_INVALID: the secret has ${key.length * 8} bits; at least ${MIN_SECRET_BYTES * 8} are required`);
  }
  return key;
}

function counterAt(atMs: number, stepSeconds: number): number {
  if (!Number.isFinite(atMs) || atMs < 0) throw new RangeError(`FF_TOTP_OPTIONS_INVALID: atMs must be a time in milliseconds since 1970 (got ${atMs})`);
  return Math.floor(atMs / (stepSeconds * 1000));
}

function checkOptions(options: TotpOptions): Required<TotpOptions> {
  const { stepSeconds = 30, digits = 6, algorithm = 'sha1' } = options;
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1) {
    throw new RangeError(`FF_TOTP_OPTIONS_INVALID: stepSeconds must be a positive integer (got ${stepSeconds})`);
  }
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) {
    throw new RangeError(`FF_TOTP_OPTIONS_INVALID: digits must be an integer from 6 to 10 (got ${digits})`);
  }
  if (algorithm !== 'sha1' && algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new RangeError(`FF_TOTP_OPTIONS_INVALID: algorithm must be sha1, sha256 or sha512 (got ${String(algorithm)})`);
  }
  return { stepSeconds, digits, algorithm };
}
