import { commonPasswordReadings, commonPasswords, unleet } from './common-passwords';
import { verifyPassword } from './password-hash';

/** What a new password must satisfy. Lengths count characters (Unicode code points), not bytes. */
export interface PasswordPolicy {
  minLength: number;
  /** An upper bound keeps argon2 work per request bounded (a DoS guard), not a strength rule. */
  maxLength: number;
  /** How many of lower case, upper case, digits and other characters must appear (0–4). */
  minCharacterClasses: number;
  /** Refuse passwords from the common-password list, also behind case, leetspeak and a trailing `123!`. */
  rejectCommon: boolean;
  /** How many previous passwords may not be reused (0 turns the check off). */
  historySize: number;
}

export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  minLength: 12,
  maxLength: 128,
  minCharacterClasses: 3,
  rejectCommon: true,
  historySize: 5,
});

export type PasswordIssueCode =
  | 'FF_PASSWORD_TOO_SHORT'
  | 'FF_PASSWORD_TOO_LONG'
  | 'FF_PASSWORD_CHARACTER_CLASSES'
  | 'FF_PASSWORD_COMMON'
  | 'FF_PASSWORD_CONTAINS_USERNAME'
  | 'FF_PASSWORD_REUSED';

/** One rule the candidate breaks. The message explains the rule and never repeats the password. */
export interface PasswordIssue {
  code: PasswordIssueCode;
  message: string;
}

export interface PasswordCheckContext {
  /** Partial: the rest comes from DEFAULT_PASSWORD_POLICY. */
  policy?: Partial<PasswordPolicy>;
  username?: string;
  email?: string;
  /**
   * Stored hashes of the user's current and earlier passwords, most recent first; only the first
   * `historySize` are checked (each check is an argon2 verification).
   */
  previousHashes?: readonly string[];
}

/** A user name or e-mail local part shorter than this is too likely to occur by chance to refuse. */
const MIN_IDENTITY_LENGTH = 3;

const CLASSES: ReadonlyArray<readonly [string, RegExp]> = [
  ['lower-case letters', /\p{Ll}/u],
  ['upper-case letters', /\p{Lu}/u],
  ['digits', /\p{Nd}/u],
  // Anything else counts as "other": punctuation, spaces, and letters without case (CJK, Arabic…),
  // so that people writing in those scripts can meet the rule at all.
  ['other characters', /[^\p{Ll}\p{Lu}\p{Nd}]/u],
];

/**
 * Every issue with `candidate` at once, so a form can show them together; an empty list means it
 * is acceptable. Async because the reuse check verifies argon2 hashes and the common list loads lazily.
 */
export async function checkPassword(candidate: string, context: PasswordCheckContext = {}): Promise<PasswordIssue[]> {
  const policy: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, ...context.policy };
  const issues: PasswordIssue[] = [];
  const length = [...candidate].length;
  const lowered = candidate.toLowerCase();

  if (length < policy.minLength) {
    issues.push({ code: 'FF_PASSWORD_TOO_SHORT', message: `use at least ${policy.minLength} characters (a passphrase of a few words is easiest)` });
  }
  if (length > policy.maxLength) {
    issues.push({ code: 'FF_PASSWORD_TOO_LONG', message: `use at most ${policy.maxLength} characters` });
  }
  const present = CLASSES.filter(([, re]) => re.test(candidate)).length;
  if (present < policy.minCharacterClasses) {
    issues.push({
      code: 'FF_PASSWORD_CHARACTER_CLASSES',
      message: `mix at least ${policy.minCharacterClasses} of: ${CLASSES.map(([name]) => name).join(', ')} (found ${present})`,
    });
  }
  // The reading-based checks are skipped for absurd input: it is refused as too long anyway.
  const bounded = length <= policy.maxLength;
  if (policy.rejectCommon && bounded && (await isCommon(lowered))) {
    issues.push({
      code: 'FF_PASSWORD_COMMON',
      message:
        'this password (or the word it is built on) is on a list of commonly used passwords; capitals, digit-for-letter swaps and a trailing number do not make it safer',
    });
  }
  const identity = bounded ? containedIdentity(lowered, context) : undefined;
  if (identity) {
    issues.push({ code: 'FF_PASSWORD_CONTAINS_USERNAME', message: `the password must not contain your ${identity}` });
  }
  if (bounded && (await isReused(candidate, context.previousHashes ?? [], policy.historySize))) {
    issues.push({
      code: 'FF_PASSWORD_REUSED',
      message: `choose a password you have not used before (the last ${policy.historySize} cannot be reused)`,
    });
  }
  return issues;
}

/** A password refused by the policy; `issues` lists every rule it breaks. */
export class PasswordPolicyError extends Error {
  readonly code = 'FF_PASSWORD_POLICY' as const;

  constructor(readonly issues: PasswordIssue[]) {
    super(`FF_PASSWORD_POLICY: the password is not accepted: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'PasswordPolicyError';
  }
}

/** `checkPassword`, throwing a PasswordPolicyError when there is any issue. */
export async function assertPassword(candidate: string, context: PasswordCheckContext = {}): Promise<void> {
  const issues = await checkPassword(candidate, context);
  if (issues.length > 0) throw new PasswordPolicyError(issues);
}

async function isCommon(lowered: string): Promise<boolean> {
  const common = await commonPasswords();
  for (const reading of commonPasswordReadings(lowered)) if (common.has(reading)) return true;
  return false;
}

/** Which identity the password contains ('user name' or 'e-mail address'), read also through leetspeak. */
function containedIdentity(lowered: string, context: PasswordCheckContext): string | undefined {
  const readings = [lowered, ...unleet(lowered)];
  const contains = (part: string | undefined) => part !== undefined && part.length >= MIN_IDENTITY_LENGTH && readings.some((r) => r.includes(part));
  if (contains(context.username?.trim().toLowerCase())) return 'user name';
  const email = context.email?.trim().toLowerCase();
  const at = email?.lastIndexOf('@') ?? -1;
  if (contains(at >= 0 ? email?.slice(0, at) : email)) return 'e-mail address';
  return undefined;
}

async function isReused(candidate: string, previousHashes: readonly string[], historySize: number): Promise<boolean> {
  const recent = previousHashes.slice(0, Math.max(0, historySize));
  const matches = await Promise.all(recent.map((h) => verifyPassword(h, candidate)));
  return matches.includes(true);
}
