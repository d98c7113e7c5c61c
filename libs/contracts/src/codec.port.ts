import type { EventDefinition, EventEnvelope } from './event-definition';

/**
 * Encodes events as Confluent-framed Avro (magic byte 0, 4-byte big-endian schema id, Avro binary)
 * and decodes them back using the writer schema fetched by id from the SchemaRegistry.
 */
export interface EventCodec {
  encode<T extends EventEnvelope>(def: EventDefinition<T>, value: T): Promise<Buffer>;
  /**
   * Decodes a frame written with any registered schema, resolved to the reader schema `def`.
   * Throws EventDecodeError (code FF_EVENT_DECODE) for a bad magic byte, unknown schema id or bad Avro.
   */
  decode<T extends EventEnvelope>(def: EventDefinition<T>, frame: Buffer): Promise<T>;
}

export class EventDecodeError extends Error {
  readonly code = 'FF_EVENT_DECODE';
  constructor(reason: string) {
    super(`FF_EVENT_DECODE: ${reason}`);
    this.name = 'EventDecodeError';
  }
}

/** A value that does not match its event's schema; names every offending field path. */
export class EventEncodeError extends Error {
  readonly code = 'FF_EVENT_ENCODE';
  constructor(
    readonly eventName: string,
    readonly problems: readonly string[],
  ) {
    super(`FF_EVENT_ENCODE: ${eventName} does not match its schema: ${problems.join('; ')}`);
    this.name = 'EventEncodeError';
  }
}
