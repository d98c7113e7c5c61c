// Generated from proto/step/step-started.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** An executor replica took a dispatched step attempt and holds its lease; progress events renew the lease. */
export interface StepStartedEvent {
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
  /** Step id within the workflow. */
  stepId: string;
  /** Attempt number; events of an attempt other than the current one are ignored by the orchestrator. */
  attempt: number;
  /** Executor service that took the attempt (e.g. "ingestion"). */
  executor: string;
  /** The replica holding the lease. */
  instanceId: string;
  /** The lease lasts this long after each started/progress event; the kit heartbeats at a third of it. */
  leaseMs: number;
}

/** io.flowforge.step.StepStarted v1 on flowforge.step.started. */
export const StepStarted: EventDefinition<StepStartedEvent> = {
  name: 'io.flowforge.step.StepStarted',
  topic: 'flowforge.step.started',
  subject: 'flowforge.step.started-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'StepStarted',
    namespace: 'io.flowforge.step',
    doc: 'An executor replica took a dispatched step attempt and holds its lease; progress events renew the lease.',
    flowforge: { topic: 'flowforge.step.started', version: 1 },
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
      { name: 'stepId', type: 'string', doc: 'Step id within the workflow.' },
      {
        name: 'attempt',
        type: 'int',
        doc: 'Attempt number; events of an attempt other than the current one are ignored by the orchestrator.',
      },
      {
        name: 'executor',
        type: 'string',
        doc: 'Executor service that took the attempt (e.g. "ingestion").',
      },
      { name: 'instanceId', type: 'string', doc: 'The replica holding the lease.' },
      {
        name: 'leaseMs',
        type: 'int',
        doc: 'The lease lasts this long after each started/progress event; the kit heartbeats at a third of it.',
      },
    ],
  },
};
