// Generated from proto/auth/auth-access-changed.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** Roles, their permissions, a user's roles or an API token changed: gateways drop what they cached about it. */
export interface AuthAccessChangedEvent {
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
  /** "role", "user" or "token". */
  kind: string;
  /** The role name, user id or token id that changed. */
  subject: string;
}

/** io.flowforge.auth.AuthAccessChanged v1 on flowforge.auth.access-changed. */
export const AuthAccessChanged: EventDefinition<AuthAccessChangedEvent> = {
  name: 'io.flowforge.auth.AuthAccessChanged',
  topic: 'flowforge.auth.access-changed',
  subject: 'flowforge.auth.access-changed-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'AuthAccessChanged',
    namespace: 'io.flowforge.auth',
    doc: "Roles, their permissions, a user's roles or an API token changed: gateways drop what they cached about it.",
    flowforge: { topic: 'flowforge.auth.access-changed', version: 1 },
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
      { name: 'kind', type: 'string', doc: '"role", "user" or "token".' },
      { name: 'subject', type: 'string', doc: 'The role name, user id or token id that changed.' },
    ],
  },
};
