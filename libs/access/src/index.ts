export * from './rbac/permissions';
export * from './rbac/actor';
export {
  hashPassword,
  verifyPassword,
  verifyAgainstDummy,
  passwordNeedsRehash,
  DUMMY_PASSWORD_HASH,
  PASSWORD_HASH_PARAMS,
  MAX_PASSWORD_INPUT_LENGTH,
} from './password/password-hash';
export {
  checkPassword,
  assertPassword,
  PasswordPolicyError,
  DEFAULT_PASSWORD_POLICY,
  type PasswordPolicy,
  type PasswordIssue,
  type PasswordIssueCode,
  type PasswordCheckContext,
} from './password/password-policy';
export { base32Encode, base32Decode } from './mfa/base32';
export {
  generateTotpSecret,
  hotpCode,
  totpCode,
  verifyTotp,
  otpauthUri,
  type TotpAlgorithm,
  type TotpOptions,
  type TotpVerifyOptions,
  type TotpVerifyResult,
} from './mfa/totp';
export { generateRecoveryCodes, normalizeRecoveryCode, hashRecoveryCode, isRecoveryCodeFormat, RECOVERY_CODE_ALPHABET } from './mfa/recovery-codes';
export {
  generateOpaqueToken,
  parseOpaqueToken,
  hashTokenSecret,
  tokenSecretMatches,
  TOKEN_PREFIXES,
  type TokenPrefix,
  type OpaqueToken,
} from './tokens/opaque-token';
export { canonicalJson } from './audit/canonical-json';
export {
  auditHash,
  chainAuditRecord,
  pickAuditRecord,
  verifyAuditChain,
  AuditChainVerifier,
  GENESIS_HASH,
  FIRST_AUDIT_SEQ,
  AUDIT_RECORD_FIELDS,
  type AuditRecord,
  type ChainedAuditRecord,
  type AuditActorType,
  type AuditOutcome,
  type AuditChainBreak,
  type AuditChainResult,
  type AuditChainOptions,
} from './audit/audit-chain';
export { diffChanges, DEFAULT_REDACTED_KEYS, REDACTED, type AuditChanges, type DiffOptions } from './audit/audit-diff';
export {
  AUDIT_FIELD_LIMITS,
  ESCAPED_NUL,
  REPLACEMENT_CHARACTER,
  storableAuditRecord,
  storableJson,
  storableNullableText,
  storableText,
  truncationMarker,
  type StorableJsonLimits,
} from './audit/audit-storable';
