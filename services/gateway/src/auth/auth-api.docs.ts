import { ApiResponse } from '@nestjs/swagger';
import { AUDIT_RECORD_FIELDS } from '@flowforge/access';

type Schema = Record<string, unknown>;
const str = { type: 'string' };
const strOrNull = { type: 'string', nullable: true };
const strings = { type: 'array', items: str };

export const schemas = {
  tokenPair: {
    type: 'object',
    properties: {
      tokenType: { type: 'string', enum: ['Bearer'] },
      accessToken: str,
      expiresIn: { type: 'integer', description: 'seconds' },
      refreshToken: { type: 'string', description: 'single use: each refresh returns a new one' },
      refreshExpiresIn: { type: 'integer' },
      sessionId: { type: 'string', format: 'uuid' },
      user: {
        type: 'object',
        properties: { id: str, username: str, roles: strings, mustChangePassword: { type: 'boolean' } },
        required: ['id', 'username', 'roles', 'mustChangePassword'],
      },
    },
    required: ['tokenType', 'accessToken', 'expiresIn', 'refreshToken', 'refreshExpiresIn', 'sessionId', 'user'],
  },
  user: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      username: str,
      email: strOrNull,
      displayName: strOrNull,
      roles: strings,
      disabled: { type: 'boolean' },
      mfaEnabled: { type: 'boolean' },
      mustChangePassword: { type: 'boolean' },
      lockedUntil: { type: 'string', format: 'date-time', nullable: true },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
    required: ['id', 'username', 'email', 'displayName', 'roles', 'disabled', 'mfaEnabled', 'mustChangePassword', 'lockedUntil', 'createdAt', 'updatedAt'],
  },
  session: {
    type: 'object',
    properties: {
      id: str,
      createdAt: str,
      lastUsedAt: str,
      expiresAt: str,
      ip: strOrNull,
      userAgent: strOrNull,
      mfa: { type: 'boolean' },
      current: { type: 'boolean' },
    },
    required: ['id', 'createdAt', 'lastUsedAt', 'expiresAt', 'ip', 'userAgent', 'mfa', 'current'],
  },
  role: {
    type: 'object',
    properties: { name: str, description: str, builtin: { type: 'boolean' }, permissions: strings },
    required: ['name', 'description', 'builtin', 'permissions'],
  },
  apiToken: {
    type: 'object',
    properties: { id: str, name: str, ownerId: str, permissions: strings, createdAt: str, expiresAt: strOrNull, lastUsedAt: strOrNull, revokedAt: strOrNull },
    required: ['id', 'name', 'ownerId', 'permissions', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'],
  },
  auditEntry: {
    type: 'object',
    properties: {
      seq: { type: 'integer' },
      id: str,
      at: { type: 'string', format: 'date-time' },
      service: str,
      actorType: { type: 'string', enum: ['user', 'token', 'system', 'anonymous'] },
      actorId: strOrNull,
      actorName: strOrNull,
      action: str,
      resourceType: strOrNull,
      resourceId: strOrNull,
      outcome: { type: 'string', enum: ['success', 'denied', 'error'] },
      status: { type: 'integer', nullable: true },
      ip: strOrNull,
      userAgent: strOrNull,
      traceId: strOrNull,
      changes: { description: 'before/after or the request, secrets redacted' },
      prevHash: str,
      hash: { type: 'string', description: 'sha256(prevHash + "\\n" + canonical JSON of the entry without prevHash/hash)' },
    },
    // Every field, `changes` too (null when there are none): clients re-hash entries as they came.
    required: [...AUDIT_RECORD_FIELDS, 'prevHash', 'hash'],
  },
} satisfies Record<string, Schema>;

export const listOf = (item: Schema): Schema => ({ type: 'array', items: item });

/** A JSON answer described inline (the identity shapes are owned by the auth service). */
export const ApiJson = (status: number, schema: Schema, description = 'OK') => ApiResponse({ status, description, schema });
export const ApiNoContent = (description: string) => ApiResponse({ status: 204, description });
export { str, strings, strOrNull };
