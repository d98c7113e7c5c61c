// Generated from proto/run/run-state-changed.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** A run moved from one state to another. */
export interface RunStateChangedEvent {
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
  /** Workflow of the run. */
  workflowId: string;
  /** Previous state; null for the first transition. */
  from: RunState | null;
  /** New state. */
  to: RunState;
  /** Why the run changed state (error summary, who cancelled). */
  reason: string | null;
}

/** Lifecycle states of a run. */
export const RunStateSymbols = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type RunState = (typeof RunStateSymbols)[number];

/** io.flowforge.run.RunStateChanged v1 on flowforge.run.state-changed. */
export const RunStateChanged: EventDefinition<RunStateChangedEvent> = {
  name: 'io.flowforge.run.RunStateChanged',
  topic: 'flowforge.run.state-changed',
  subject: 'flowforge.run.state-changed-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'RunStateChanged',
    namespace: 'io.flowforge.run',
    doc: 'A run moved from one state to another.',
    flowforge: { topic: 'flowforge.run.state-changed', version: 1 },
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
      { name: 'workflowId', type: 'string', doc: 'Workflow of the run.' },
      {
        name: 'from',
        type: [
          'null',
          {
            type: 'enum',
            name: 'RunState',
            doc: 'Lifecycle states of a run.',
            symbols: ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'],
          },
        ],
        default: null,
        doc: 'Previous state; null for the first transition.',
      },
      { name: 'to', type: 'RunState', doc: 'New state.' },
      {
        name: 'reason',
        type: ['null', 'string'],
        default: null,
        doc: 'Why the run changed state (error summary, who cancelled).',
      },
    ],
  },
};
