// Generated from proto/system/system-echo-requested.avsc by npm run contracts:gen — do not edit.
import type { EventDefinition } from '../event-definition';

/** Asks every service to echo a message; the end-to-end proof that the bus, codec and registry work. */
export interface EchoRequestedEvent {
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
  /** Id the echo replies refer to. */
  echoId: string;
  /** Text to echo. */
  message: string;
}

/** io.flowforge.system.EchoRequested v1 on flowforge.system.echo-requested. */
export const EchoRequested: EventDefinition<EchoRequestedEvent> = {
  name: 'io.flowforge.system.EchoRequested',
  topic: 'flowforge.system.echo-requested',
  subject: 'flowforge.system.echo-requested-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'EchoRequested',
    namespace: 'io.flowforge.system',
    doc: 'Asks every service to echo a message; the end-to-end proof that the bus, codec and registry work.',
    flowforge: { topic: 'flowforge.system.echo-requested', version: 1 },
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
      { name: 'echoId', type: 'string', doc: 'Id the echo replies refer to.' },
      { name: 'message', type: 'string', doc: 'Text to echo.' },
    ],
  },
};
