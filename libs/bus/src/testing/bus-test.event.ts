import type { EventDefinition, EventEnvelope } from '@flowforge/contracts';

/** Test-only event used by the bus contract suite (not a platform contract; lives beside the suite). */
export interface BusTestEvent extends EventEnvelope {
  seq: number;
  key: string;
}

export const BusTestEventDef: EventDefinition<BusTestEvent> = {
  name: 'io.flowforge.test.BusTestEvent',
  topic: 'flowforge.test.bus',
  subject: 'flowforge.test.bus-value',
  version: 1,
  schema: {
    type: 'record',
    name: 'BusTestEvent',
    namespace: 'io.flowforge.test',
    fields: [
      { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'producer', type: 'string' },
      { name: 'traceparent', type: ['null', 'string'], default: null },
      { name: 'schemaVersion', type: 'int' },
      { name: 'seq', type: 'int' },
      { name: 'key', type: 'string' },
    ],
  },
};
