// Generated from proto/step/step-log.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** Structured log lines of one step attempt, batched by the executor kit. */
export interface StepLogEvent {
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
  /** Lines in the order they were written. */
  lines: StepLogLine[];
}

export const StepLogLevelSymbols = ['debug', 'info', 'warn', 'error'] as const;
export type StepLogLevel = (typeof StepLogLevelSymbols)[number];

export interface StepLogLine {
  /** When the line was written. */
  at: number;
  level: StepLogLevel;
  message: string;
  /** Structured fields as a JSON object. */
  fields: string | null;
}

/** io.flowforge.step.StepLog v1 on flowforge.step.log. */
export const StepLog: EventDefinition<StepLogEvent> = {
  name: 'io.flowforge.step.StepLog',
  topic: 'flowforge.step.log',
  subject: 'flowforge.step.log-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'StepLog',
    namespace: 'io.flowforge.step',
    doc: 'Structured log lines of one step attempt, batched by the executor kit.',
    flowforge: { topic: 'flowforge.step.log', version: 1 },
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
        name: 'lines',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'StepLogLine',
            fields: [
              {
                name: 'at',
                type: { type: 'long', logicalType: 'timestamp-millis' },
                doc: 'When the line was written.',
              },
              {
                name: 'level',
                type: {
                  type: 'enum',
                  name: 'StepLogLevel',
                  symbols: ['debug', 'info', 'warn', 'error'],
                },
              },
              { name: 'message', type: 'string' },
              {
                name: 'fields',
                type: ['null', 'string'],
                default: null,
                doc: 'Structured fields as a JSON object.',
              },
            ],
          },
        },
        doc: 'Lines in the order they were written.',
      },
    ],
  },
};
