/**
 * Stable error codes of the Kafka adapter. The codes shared with every adapter (FF_BUS_CLOSED,
 * FF_BUS_INVALID_TOPIC...) stay on BusError; these name failures only a Kafka bus can have.
 */
export type KafkaBusErrorCode =
  /** outboxSchema is not a plain lower-case SQL identifier (it is interpolated into DDL). */
  | 'FF_BUS_KAFKA_INVALID_SCHEMA'
  /** Creating the outbox/inbox tables failed. */
  | 'FF_BUS_KAFKA_MIGRATION'
  /** The admin client could not create or describe a topic. */
  | 'FF_BUS_KAFKA_TOPIC'
  /** A subscription could not join its consumer group (broker unreachable, bad group id...). */
  | 'FF_BUS_KAFKA_SUBSCRIBE'
  /** An encoded event is larger than the broker accepts (maxEventBytes); it is refused before it reaches the outbox. */
  | 'FF_BUS_KAFKA_EVENT_TOO_LARGE'
  /** The bus was crashed (test hook) or its subscription is stopping: the in-flight event is left uncommitted on purpose. */
  | 'FF_BUS_KAFKA_STOPPED';

export class KafkaBusError extends Error {
  constructor(
    readonly code: KafkaBusErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'KafkaBusError';
  }
}
