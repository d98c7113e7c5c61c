// Generated from proto/executor/executor-registered.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** An executor replica started and announces the job types it runs with their configuration schemas. */
export interface ExecutorRegisteredEvent {
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
  /** Executor service, also the ordering key (e.g. "ingestion", "builtin"). */
  executor: string;
  /** The announcing replica. */
  instanceId: string;
  /** Job types this executor runs. */
  jobTypes: JobTypeSpec[];
}

export interface JobTypeSpec {
  /** Job type name, e.g. "noop", "ingest.file". */
  type: string;
  /** Version of the configuration schema. */
  version: number;
  /** JSON Schema (draft 2020-12) of the job configuration, as JSON text. */
  configSchema: string;
  description: string | null;
}

/** io.flowforge.executor.ExecutorRegistered v1 on flowforge.executor.registered. */
export const ExecutorRegistered: EventDefinition<ExecutorRegisteredEvent> = {
  name: 'io.flowforge.executor.ExecutorRegistered',
  topic: 'flowforge.executor.registered',
  subject: 'flowforge.executor.registered-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'ExecutorRegistered',
    namespace: 'io.flowforge.executor',
    doc: 'An executor replica started and announces the job types it runs with their configuration schemas.',
    flowforge: { topic: 'flowforge.executor.registered', version: 1 },
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
        name: 'executor',
        type: 'string',
        doc: 'Executor service, also the ordering key (e.g. "ingestion", "builtin").',
      },
      { name: 'instanceId', type: 'string', doc: 'The announcing replica.' },
      {
        name: 'jobTypes',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'JobTypeSpec',
            fields: [
              { name: 'type', type: 'string', doc: 'Job type name, e.g. "noop", "ingest.file".' },
              { name: 'version', type: 'int', doc: 'Version of the configuration schema.' },
              {
                name: 'configSchema',
                type: 'string',
                doc: 'JSON Schema (draft 2020-12) of the job configuration, as JSON text.',
              },
              { name: 'description', type: ['null', 'string'], default: null },
            ],
          },
        },
        doc: 'Job types this executor runs.',
      },
    ],
  },
};
