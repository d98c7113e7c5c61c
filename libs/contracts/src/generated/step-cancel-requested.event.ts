// Generated from proto/step/step-cancel-requested.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** The orchestrator asks the executor running a step attempt to stop (run cancelled, timed out, or lease re-dispatched). */
export interface StepCancelRequestedEvent {
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
  /** Why, e.g. "run cancelled by alice" or "step timed out after 30s". */
  reason: string;
}

/** io.flowforge.step.StepCancelRequested v1 on flowforge.step.cancel-requested. */
export const StepCancelRequested: EventDefinition<StepCancelRequestedEvent> = {
  name: 'io.flowforge.step.StepCancelRequested',
  topic: 'flowforge.step.cancel-requested',
  subject: 'flowforge.step.cancel-requested-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'StepCancelRequested',
    namespace: 'io.flowforge.step',
    doc: 'The orchestrator asks the executor running a step attempt to stop (run cancelled, timed out, or lease re-dispatched).',
    flowforge: { topic: 'flowforge.step.cancel-requested', version: 1 },
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
        name: 'reason',
        type: 'string',
        doc: 'Why, e.g. "run cancelled by alice" or "step timed out after 30s".',
      },
    ],
  },
};
