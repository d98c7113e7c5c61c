import { PostgresEventBus, type BusLogger, type EventBus } from '@flowforge/bus';
import { AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import type { Pool } from 'pg';
import type { FlowForgeLogger } from '../logging/logger';
import { metricsRegistry } from '../metrics/metrics.registry';

export interface PostgresBusDeps {
  pool: Pool;
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
  const registry = new PostgresSchemaRegistry({ pool: deps.pool });
  await registry.migrate();
  const codec = new AvroCodec(registry);
  const bus = new PostgresEventBus({
    pool: deps.pool,
    codec,
    producer: deps.producer,
    logger: toBusLogger(deps.logger),
    metrics: metricsRegistry(),
  });
  await bus.migrate();
  return bus;
}
