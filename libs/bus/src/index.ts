export * from './event-bus.port';
export * from './bus.errors';
export * from './bus.logger';
export * from './bus.metrics';
export * from './key.partitioner';
export { completeEnvelope } from './event-envelope';
export { PostgresEventBus, type PostgresEventBusOptions, type RetentionResult } from './postgres/postgres-event-bus';
export type { RawEntry } from './postgres/postgres-group.member';
export { BusTransport, BUS_TRANSPORT } from './nest/bus.transport';
export { BusContext } from './nest/bus.context';
export { OnEvent, BUS_EXTRAS_KEY, type OnEventOptions, type BusSubscriptionExtras } from './nest/on-event.decorator';
export { BusExceptionFilter } from './nest/bus-exception.filter';
export {
  KafkaEventBus,
  KafkaBusError,
  type KafkaBusErrorCode,
  type KafkaEventBusOptions,
  type KafkaConsumerTuning,
  type KafkaRawEntry,
  type OutboxRelayTuning,
} from './kafka/kafka-event-bus';
