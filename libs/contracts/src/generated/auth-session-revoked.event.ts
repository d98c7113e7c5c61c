// Generated from proto/auth/auth-session-revoked.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A sign-in session ended before its time (logout, revocation by the user or an admin, refresh-token reuse, password change, disabled account). Gateways refuse its access tokens from now on. */
export interface AuthSessionRevokedEvent {
  /** uuid v4; consumers record it in their inbox to drop redeliveries. */
  eventId: string;
  /** When the fact happened, epoch milliseconds. */
  occurredAt: number;
  /** Service that produced the event, e.g. "gateway". */
  producer: string;
  /** W3C trace context of the producing span. */
  traceparent: string | null;
  /** Version of this schema the producer wrote with (flowforge.version). */
  schemaVersion: number;
  /** The session (the `sid` claim of its access tokens). */
  sessionId: string;
  /** Whose session it was. */
  userId: string;
  /** "logout", "revoked", "refresh-reuse", "password-changed", "user-disabled" or "user-deleted". */
  reason: string;
  /** After this no access token of the session is valid anyway: the revocation may be forgotten. */
  expiresAt: number;
}

/** io.flowforge.auth.AuthSessionRevoked v1 on flowforge.auth.session-revoked. */
export const AuthSessionRevoked: EventDefinition<AuthSessionRevokedEvent> = {
  name: 'io.flowforge.auth.AuthSessionRevoked',
  topic: 'flowforge.auth.session-revoked',
  subject: 'flowforge.auth.session-revoked-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'AuthSessionRevoked',
    namespace: 'io.flowforge.auth',
    doc: 'A sign-in session ended before its time (logout, revocation by the user or an admin, refresh-token reuse, password change, disabled account). Gateways refuse its access tokens from now on.',
    flowforge: { topic: 'flowforge.auth.session-revoked', version: 1 },
    fields: [
      {
        name: 'eventId',
        type: { type: 'string', logicalType: 'uuid' },
        doc: 'uuid v4; consumers record it in their inbox to drop redeliveries.',
      },
      {
        name: 'occurredAt',
        type: { type: 'long', logicalType: 'timestamp-millis' },
        doc: 'When the fact happened, epoch milliseconds.',
      },
      { name: 'producer', type: 'string', doc: 'Service that produced the event, e.g. "gateway".' },
      {
        name: 'traceparent',
        type: ['null', 'string'],
        default: null,
        doc: 'W3C trace context of the producing span.',
      },
      {
        name: 'schemaVersion',
        type: 'int',
        doc: 'Version of this schema the producer wrote with (flowforge.version).',
      },
      {
        name: 'sessionId',
        type: { type: 'string', logicalType: 'uuid' },
        doc: 'The session (the `sid` claim of its access tokens).',
      },
      {
        name: 'userId',
        type: { type: 'string', logicalType: 'uuid' },
        doc: 'Whose session it was.',
      },
      {
        name: 'reason',
        type: 'string',
        doc: '"logout", "revoked", "refresh-reuse", "password-changed", "user-disabled" or "user-deleted".',
      },
      {
        name: 'expiresAt',
        type: { type: 'long', logicalType: 'timestamp-millis' },
        doc: 'After this no access token of the session is valid anyway: the revocation may be forgotten.',
      },
    ],
  },
};
