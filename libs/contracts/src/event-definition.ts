/**
 * One constant per event ties topic, registry subject, Avro schema and TypeScript type together
 * (generated from proto/*.avsc by `npm run contracts:gen`; never written by hand).
 */

/** Fields every FlowForge event carries (docs/architecture.md, Events and topics). */
export interface EventEnvelope {
  /** uuid v4, the idempotency key consumers record in their inbox. */
  eventId: string;
  /** Epoch milliseconds (Avro long, logicalType timestamp-millis). */
  occurredAt: number;
  /** The service that produced the event, e.g. "gateway". */
  producer: string;
  /** W3C trace context of the producing span, or null. */
  traceparent: string | null;
  /** The schema version the producer wrote with (the `version` in the .avsc doc header). */
  schemaVersion: number;
}

export interface EventDefinition<T extends EventEnvelope = EventEnvelope> {
  /** Avro full name, e.g. "io.flowforge.run.RunRequested". */
  readonly name: string;
  /** Default topic, e.g. "flowforge.run.requested". */
  readonly topic: string;
  /** Registry subject (TopicNameStrategy: "<topic>-value"). */
  readonly subject: string;
  /** Schema version declared in proto/ (bumped on every backward-compatible change). */
  readonly version: number;
  /** Parsed Avro schema (JSON). */
  readonly schema: Record<string, unknown>;
  /** Phantom field carrying the payload type; never set at runtime. */
  readonly __type?: T;
}

export type EventOf<D> = D extends EventDefinition<infer T> ? T : never;

/** What a producer supplies; the envelope fields are filled in by the bus if absent. */
export type EventInput<T extends EventEnvelope> = Omit<T, keyof EventEnvelope> & Partial<EventEnvelope>;
