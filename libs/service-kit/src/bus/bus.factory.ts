import { KafkaEventBus, PostgresEventBus, type BusLogger, type EventBus } from '@flowforge/bus';
import { AvroCodec, ConfluentSchemaRegistry, PostgresSchemaRegistry } from '@flowforge/contracts';
import type { Pool } from 'pg';
import type { FlowForgeLogger } from '../logging/logger';
import { metricsRegistry } from '../metrics/metrics.registry';

export interface PostgresBusDeps {
  pool: Pool;
  /**
   * For what the bus looks up on first use inside a caller's transaction — schemas in the registry, a
   * topic's metadata — so that it never waits for a connection of `pool` held by transactions (each
   * waiting for it in turn: a hang the database cannot see). Default: `pool`.
   */
  metadataPool?: Pool;
  logger: FlowForgeLogger;
  producer: string;
}

/** pino takes (fields, message); the bus logs (message, fields). */
export function toBusLogger(logger: FlowForgeLogger): BusLogger {
  return {
    info: (message, context) => logger.info(context ?? {}, message),
    warn: (message, context) => logger.warn(context ?? {}, message),
    error: (message, context) => logger.error(context ?? {}, message),
  };
}

/** Registry + Avro codec + Postgres bus on one pool, each migrated (idempotent, advisory-locked). */
export async function createPostgresBus(deps: PostgresBusDeps): Promise<EventBus> {
  const registry = new PostgresSchemaRegistry({ pool: deps.metadataPool ?? deps.pool });
  await registry.migrate();
  const codec = new AvroCodec(registry);
  const bus = new PostgresEventBus({
    pool: deps.pool,
    metadataPool: deps.metadataPool,
    codec,
    producer: deps.producer,
    logger: toBusLogger(deps.logger),
    metrics: metricsRegistry(),
  });
  await bus.migrate();
  return bus;
}

export interface KafkaBusDeps extends PostgresBusDeps {
  brokers: string[];
  schemaRegistryUrl: string;
}

/**
 * Distributed mode (FLOWFORGE_BUS=kafka): Confluent-compatible registry + Avro codec + Kafka bus whose
 * outbox and inbox live in the process's own schema (`ff_<producer>`), so a publish still commits with
 * the caller's state change.
 */
export async function createKafkaBus(deps: KafkaBusDeps): Promise<EventBus> {
  const codec = new AvroCodec(new ConfluentSchemaRegistry({ url: deps.schemaRegistryUrl }));
  const bus = new KafkaEventBus({
    brokers: deps.brokers,
    clientId: `flowforge-${deps.producer}`,
    producer: deps.producer,
    pool: deps.pool,
    outboxSchema: `ff_${deps.producer.replace(/[^a-z0-9_]/g, '_')}`,
    codec,
    logger: toBusLogger(deps.logger),
    metrics: metricsRegistry(),
  });
  await bus.migrate();
  return bus;
}
