import { ALL_PERMISSIONS } from '@flowforge/access';
import { z } from 'zod';
import { requestSchema } from '../openapi/zod-openapi';

const text = (max: number) => z.string().min(1).max(max);
/** Passwords are bounded before they reach argon2 (a megabyte password is a denial of service). */
const password = z.string().min(1).max(1024);

export const loginRequest = requestSchema(
  'LoginDto',
  z.strictObject({
    username: text(256),
    password,
    otp: z.string().max(16).optional(),
    recoveryCode: z.string().max(64).optional(),
  }),
);

export const refreshRequest = requestSchema('RefreshDto', z.strictObject({ refreshToken: text(512) }));
export const changePasswordRequest = requestSchema('ChangePasswordDto', z.strictObject({ currentPassword: password, newPassword: password }));
export const resetRequest = requestSchema('PasswordResetRequestDto', z.strictObject({ email: z.string().email().max(320) }));
export const resetPassword = requestSchema('PasswordResetDto', z.strictObject({ token: text(512), newPassword: password }));
export const mfaCode = requestSchema('TotpCodeDto', z.strictObject({ code: z.string().min(6).max(10) }));

export const createUserRequest = requestSchema(
  'CreateUserDto',
  z.strictObject({
    username: text(64),
    email: z.string().email().max(320).nullable().optional(),
    displayName: z.string().max(200).nullable().optional(),
    password,
    roles: z.array(text(40)).max(50).default([]),
    mustChangePassword: z.boolean().optional(),
  }),
);

export const updateUserRequest = requestSchema(
  'UpdateUserDto',
  z.strictObject({
    email: z.string().email().max(320).nullable().optional(),
    displayName: z.string().max(200).nullable().optional(),
    roles: z.array(text(40)).max(50).optional(),
    disabled: z.boolean().optional(),
  }),
);

export const setPasswordRequest = requestSchema(
  'SetPasswordDto',
  z.strictObject({
    password,
    temporary: z.boolean().default(true).describe('true (default): the user must change it at the next sign-in'),
  }),
);

export const putRoleRequest = requestSchema(
  'PutRoleDto',
  z.strictObject({
    description: z.string().max(500).optional(),
    permissions: z.array(z.string().max(80)).max(ALL_PERMISSIONS.length),
  }),
);

export const createTokenRequest = requestSchema(
  'CreateTokenDto',
  z.strictObject({
    name: text(100),
    permissions: z.array(z.string().max(80)).min(1).max(ALL_PERMISSIONS.length),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .optional()
      .describe('Unset or null: never expires (discouraged; the console defaults to 90 days)'),
  }),
);

/** The gateway's own call (services/gateway/src/auth/token-verifier.ts): not part of the public API. */
export const verifyTokenRequest = z.strictObject({ token: text(512) });

export const auditQuery = z.strictObject({
  actor: z.string().max(200).optional().describe('user id, token id, or username'),
  action: z.string().max(100).optional().describe('e.g. workflow:edit, or a prefix ending in * (auth:*)'),
  resourceType: z.string().max(100).optional(),
  resourceId: z.string().max(300).optional(),
  outcome: z.enum(['success', 'denied', 'error']).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 date-time, inclusive'),
  until: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 date-time, exclusive'),
  afterSeq: z.coerce.number().int().min(0).optional().describe('page after this sequence number'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(['json', 'csv']).optional().describe('export only'),
});
export type AuditQueryInput = z.infer<typeof auditQuery>;
