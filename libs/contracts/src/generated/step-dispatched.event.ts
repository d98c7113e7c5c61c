// Generated from proto/step/step-dispatched.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** The orchestrator handed one attempt of a step to an executor. Published on flowforge.step.dispatched.<executor>. */
export interface StepDispatchedEvent {
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
  /** 1 for the first attempt, incremented on each retry. */
  attempt: number;
  /** Job implementation the executor must run, e.g. "ingest.jdbc". */
  jobType: string;
  /** Version of the job implementation. */
  jobVersion: string;
  /** Executor that must run the step; selects the topic. */
  executor: StepExecutor;
  /** Job configuration as a JSON document. */
  config: string;
  /** Epoch milliseconds after which the attempt counts as timed out. */
  deadlineAt: number | null;
}

/** Executor services; each listens on its own dispatch topic. builtin = the noop/sleep/fail job types of libs/executor, hosted by the orchestrator. */
export const StepExecutorSymbols = [
  'ingestion',
  'transformation',
  'quality',
  'reconciliation',
  'builtin',
] as const;
export type StepExecutor = (typeof StepExecutorSymbols)[number];

/** io.flowforge.step.StepDispatched v2 on flowforge.step.dispatched.<executor>. */
export const StepDispatched: EventDefinition<StepDispatchedEvent> = {
  name: 'io.flowforge.step.StepDispatched',
  topic: 'flowforge.step.dispatched',
  subject: 'flowforge.step.dispatched-value',
  version: 2,
  schema: {
    type: 'record',
    name: 'StepDispatched',
    namespace: 'io.flowforge.step',
    doc: 'The orchestrator handed one attempt of a step to an executor. Published on flowforge.step.dispatched.<executor>.',
    flowforge: { topic: 'flowforge.step.dispatched', version: 2, topicSuffixField: 'executor' },
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
      { name: 'attempt', type: 'int', doc: '1 for the first attempt, incremented on each retry.' },
      {
        name: 'jobType',
        type: 'string',
        doc: 'Job implementation the executor must run, e.g. "ingest.jdbc".',
      },
      { name: 'jobVersion', type: 'string', doc: 'Version of the job implementation.' },
      {
        name: 'executor',
        type: {
          type: 'enum',
          name: 'StepExecutor',
          doc: 'Executor services; each listens on its own dispatch topic. builtin = the noop/sleep/fail job types of libs/executor, hosted by the orchestrator.',
          symbols: ['ingestion', 'transformation', 'quality', 'reconciliation', 'builtin'],
        },
        doc: 'Executor that must run the step; selects the topic.',
      },
      { name: 'config', type: 'string', doc: 'Job configuration as a JSON document.' },
      {
        name: 'deadlineAt',
        type: ['null', { type: 'long', logicalType: 'timestamp-millis' }],
        default: null,
        doc: 'Epoch milliseconds after which the attempt counts as timed out.',
      },
    ],
  },
};

/** One topic per executor; all share the subject flowforge.step.dispatched-value. */
export const StepDispatchedTopics = {
  ingestion: 'flowforge.step.dispatched.ingestion',
  transformation: 'flowforge.step.dispatched.transformation',
  quality: 'flowforge.step.dispatched.quality',
  reconciliation: 'flowforge.step.dispatched.reconciliation',
  builtin: 'flowforge.step.dispatched.builtin',
} as const;

export const StepDispatchedExecutors: readonly StepExecutor[] = StepExecutorSymbols;

export function stepDispatchedTopic<K extends StepExecutor>(executor: K): (typeof StepDispatchedTopics)[K] {
  const topic = StepDispatchedTopics[executor];
  // Guards callers that pass an unchecked string (config, HTTP input) past the type system.
  if (topic === undefined) {
    throw new Error(`FF_CONTRACTS_UNKNOWN_EXECUTOR: "${executor}" is not one of ${StepExecutorSymbols.join(', ')}`);
  }
  return topic;
}
