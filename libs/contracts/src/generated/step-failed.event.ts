// Generated from proto/step/step-failed.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A step attempt failed; the orchestrator decides whether to retry. */
export interface StepFailedEvent {
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
  /** Attempt that failed. */
  attempt: number;
  /** Stable error code, e.g. FF_CONN_AUTH. */
  errorCode: string;
  /** Message a user can act on. */
  errorMessage: string;
  /** False when retrying cannot help (bad config, permission denied). */
  retryable: boolean;
}

/** io.flowforge.step.StepFailed v1 on flowforge.step.failed. */
export const StepFailed: EventDefinition<StepFailedEvent> = {
  name: 'io.flowforge.step.StepFailed',
  topic: 'flowforge.step.failed',
  subject: 'flowforge.step.failed-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'StepFailed',
    namespace: 'io.flowforge.step',
    doc: 'A step attempt failed; the orchestrator decides whether to retry.',
    flowforge: { topic: 'flowforge.step.failed', version: 1 },
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
      { name: 'attempt', type: 'int', doc: 'Attempt that failed.' },
      { name: 'errorCode', type: 'string', doc: 'Stable error code, e.g. FF_CONN_AUTH.' },
      { name: 'errorMessage', type: 'string', doc: 'Message a user can act on.' },
      {
        name: 'retryable',
        type: 'boolean',
        doc: 'False when retrying cannot help (bad config, permission denied).',
      },
    ],
  },
};
