// Generated from proto/audit/audit-recorded.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A security-relevant action was recorded: every mutating API call, logins and logouts, downloads, secret reads. The auth service appends each to its hash-chained audit log. */
export interface AuditRecordedEvent {
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
  /** Principal that acted: a user id, an API token id, a service name, or "anonymous". */
  actor: string;
  /** What was done: the permission exercised (e.g. "workflow:edit") or an auth action (e.g. "auth:login"). */
  action: string;
  /** Kind of resource acted on, e.g. "workflow". */
  resourceType: string;
  /** Resource acted on, null for collection-level actions. */
  resourceId: string | null;
  /** "success", "denied" (refused by authentication or RBAC) or "error" (the call failed). */
  outcome: string;
  /** Client IP address. */
  ip: string | null;
  /** Client user agent. */
  userAgent: string | null;
  /** Trace id of the request, to find its spans. */
  traceId: string | null;
  /** Change as a JSON document ({"before": ..., "after": ...} or {"request": ...}), secrets redacted by the producer. */
  diff: string | null;
  /** "user", "token", "system" or "anonymous"; null from v1 producers (read as user). */
  actorType: string | null;
  /** Readable name of the actor (username, token name), as it was at the time. */
  actorName: string | null;
  /** HTTP status answered, for API calls. */
  httpStatus: number | null;
}

/** io.flowforge.audit.AuditRecorded v2 on flowforge.audit.recorded. */
export const AuditRecorded: EventDefinition<AuditRecordedEvent> = {
  name: 'io.flowforge.audit.AuditRecorded',
  topic: 'flowforge.audit.recorded',
  subject: 'flowforge.audit.recorded-value',
  version: 2,
  schema: {
    type: 'record',
    name: 'AuditRecorded',
    namespace: 'io.flowforge.audit',
    doc: 'A security-relevant action was recorded: every mutating API call, logins and logouts, downloads, secret reads. The auth service appends each to its hash-chained audit log.',
    flowforge: { topic: 'flowforge.audit.recorded', version: 2 },
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
        name: 'actor',
        type: 'string',
        doc: 'Principal that acted: a user id, an API token id, a service name, or "anonymous".',
      },
      {
        name: 'action',
        type: 'string',
        doc: 'What was done: the permission exercised (e.g. "workflow:edit") or an auth action (e.g. "auth:login").',
      },
      { name: 'resourceType', type: 'string', doc: 'Kind of resource acted on, e.g. "workflow".' },
      {
        name: 'resourceId',
        type: ['null', 'string'],
        default: null,
        doc: 'Resource acted on, null for collection-level actions.',
      },
      {
        name: 'outcome',
        type: 'string',
        doc: '"success", "denied" (refused by authentication or RBAC) or "error" (the call failed).',
      },
      { name: 'ip', type: ['null', 'string'], default: null, doc: 'Client IP address.' },
      { name: 'userAgent', type: ['null', 'string'], default: null, doc: 'Client user agent.' },
      {
        name: 'traceId',
        type: ['null', 'string'],
        default: null,
        doc: 'Trace id of the request, to find its spans.',
      },
      {
        name: 'diff',
        type: ['null', 'string'],
        default: null,
        doc: 'Change as a JSON document ({"before": ..., "after": ...} or {"request": ...}), secrets redacted by the producer.',
      },
      {
        name: 'actorType',
        type: ['null', 'string'],
        default: null,
        doc: '"user", "token", "system" or "anonymous"; null from v1 producers (read as user).',
      },
      {
        name: 'actorName',
        type: ['null', 'string'],
        default: null,
        doc: 'Readable name of the actor (username, token name), as it was at the time.',
      },
      {
        name: 'httpStatus',
        type: ['null', 'int'],
        default: null,
        doc: 'HTTP status answered, for API calls.',
      },
    ],
  },
};
