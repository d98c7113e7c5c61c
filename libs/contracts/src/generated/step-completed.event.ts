// Generated from proto/step/step-completed.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A step attempt finished successfully. */
export interface StepCompletedEvent {
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
  /** Attempt that succeeded. */
  attempt: number;
  /** Step outputs as a JSON document, passed to downstream steps. */
  outputs: string | null;
  /** Final counters, e.g. rowsWritten. */
  metrics: Record<string, number> | null;
}

/** io.flowforge.step.StepCompleted v1 on flowforge.step.completed. */
export const StepCompleted: EventDefinition<StepCompletedEvent> = {
  name: 'io.flowforge.step.StepCompleted',
  topic: 'flowforge.step.completed',
  subject: 'flowforge.step.completed-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'StepCompleted',
    namespace: 'io.flowforge.step',
    doc: 'A step attempt finished successfully.',
    flowforge: { topic: 'flowforge.step.completed', version: 1 },
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
      { name: 'attempt', type: 'int', doc: 'Attempt that succeeded.' },
      {
        name: 'outputs',
        type: ['null', 'string'],
        default: null,
        doc: 'Step outputs as a JSON document, passed to downstream steps.',
      },
      {
        name: 'metrics',
        type: ['null', { type: 'map', values: 'double' }],
        default: null,
        doc: 'Final counters, e.g. rowsWritten.',
      },
    ],
  },
};
