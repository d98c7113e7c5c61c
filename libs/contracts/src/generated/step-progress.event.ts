// Generated from proto/step/step-progress.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** An executor reports progress of a running step attempt. */
export interface StepProgressEvent {
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
  /** Attempt the progress belongs to. */
  attempt: number;
  /** Completion estimate 0..100, null when unknown. */
  percent: number | null;
  /** Human-readable progress note. */
  message: string | null;
  /** Running counters, e.g. rowsRead. */
  metrics: Record<string, number> | null;
}

/** io.flowforge.step.StepProgress v1 on flowforge.step.progress. */
export const StepProgress: EventDefinition<StepProgressEvent> = {
  name: 'io.flowforge.step.StepProgress',
  topic: 'flowforge.step.progress',
  subject: 'flowforge.step.progress-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'StepProgress',
    namespace: 'io.flowforge.step',
    doc: 'An executor reports progress of a running step attempt.',
    flowforge: { topic: 'flowforge.step.progress', version: 1 },
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
      { name: 'attempt', type: 'int', doc: 'Attempt the progress belongs to.' },
      {
        name: 'percent',
        type: ['null', 'double'],
        default: null,
        doc: 'Completion estimate 0..100, null when unknown.',
      },
      {
        name: 'message',
        type: ['null', 'string'],
        default: null,
        doc: 'Human-readable progress note.',
      },
      {
        name: 'metrics',
        type: ['null', { type: 'map', values: 'double' }],
        default: null,
        doc: 'Running counters, e.g. rowsRead.',
      },
    ],
  },
};
