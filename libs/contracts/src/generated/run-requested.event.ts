// Generated from proto/run/run-requested.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A workflow run was requested (API, schedule or trigger); the orchestrator creates the run. */
export interface RunRequestedEvent {
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
  /** Run id, also the ordering key. */
  runId: string;
  /** Workflow to run. */
  workflowId: string;
  /** Pinned workflow version; null runs the latest. */
  workflowVersion: number | null;
  /** Run parameters. */
  params: Record<string, string>;
  /** Client key; a second request with the same key yields the same run. */
  idempotencyKey: string | null;
  /** Principal that asked for the run (user id, "scheduler", "trigger:<id>"). */
  requestedBy: string;
}

/** io.flowforge.run.RunRequested v1 on flowforge.run.requested. */
export const RunRequested: EventDefinition<RunRequestedEvent> = {
  name: 'io.flowforge.run.RunRequested',
  topic: 'flowforge.run.requested',
  subject: 'flowforge.run.requested-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'RunRequested',
    namespace: 'io.flowforge.run',
    doc: 'A workflow run was requested (API, schedule or trigger); the orchestrator creates the run.',
    flowforge: { topic: 'flowforge.run.requested', version: 1 },
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
      { name: 'runId', type: 'string', doc: 'Run id, also the ordering key.' },
      { name: 'workflowId', type: 'string', doc: 'Workflow to run.' },
      {
        name: 'workflowVersion',
        type: ['null', 'int'],
        default: null,
        doc: 'Pinned workflow version; null runs the latest.',
      },
      { name: 'params', type: { type: 'map', values: 'string' }, doc: 'Run parameters.' },
      {
        name: 'idempotencyKey',
        type: ['null', 'string'],
        default: null,
        doc: 'Client key; a second request with the same key yields the same run.',
      },
      {
        name: 'requestedBy',
        type: 'string',
        doc: 'Principal that asked for the run (user id, "scheduler", "trigger:<id>").',
      },
    ],
  },
};
