import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { EventBus } from '@flowforge/bus';
import { createPgPool } from '@flowforge/db';
import type { Pool } from 'pg';
import { ReadinessRegistry } from '../health/readiness.registry';
import type { FlowForgeLogger } from '../logging/logger';
import { HostRuntime } from '../bootstrap/host-runtime';
import { COMMON_CONFIG, EVENT_BUS, HOST_RUNTIME, LOGGER } from '../tokens';
import { createKafkaBus, createPostgresBus } from './bus.factory';
import type { CommonConfig } from '../config/common-config';

const BUS_POOL = Symbol.for('flowforge.bus-pool');
/** Schema registry and topic metadata, looked up on first use inside transactions (bus.factory.ts, metadataPool). */
const BUS_METADATA_POOL = Symbol.for('flowforge.bus-metadata-pool');

export interface BusModuleOptions {
  /** Process name stamped as `producer` on published events ("embedded" or the service). */
  producer: string;
  /** Connections for the bus (publishers without a tx, consumers, LISTEN). */
  poolSize?: number;
}

/**
 * One bus per process (global): every service module in the process publishes and subscribes through
 * the same EventBus; its schema (ff_bus + registry tables) is migrated before the app starts.
 */
@Global()
@Module({})
export class BusModule {
  static forRoot(opts: BusModuleOptions): DynamicModule {
    return {
      module: BusModule,
      providers: [
        {
          provide: BUS_POOL,
          inject: [HOST_RUNTIME],
          useFactory: (runtime: HostRuntime) =>
            createPgPool({ url: runtime.databaseUrl, max: opts.poolSize ?? 8, applicationName: `flowforge-bus-${opts.producer}` }),
        },
        {
          provide: BUS_METADATA_POOL,
          inject: [HOST_RUNTIME],
          useFactory: (runtime: HostRuntime) => createPgPool({ url: runtime.databaseUrl, max: 2, applicationName: `flowforge-bus-meta-${opts.producer}` }),
        },
        {
          provide: EVENT_BUS,
          inject: [BUS_POOL, BUS_METADATA_POOL, LOGGER, ReadinessRegistry, COMMON_CONFIG],
          useFactory: async (
            pool: Pool,
            metadataPool: Pool,
            logger: FlowForgeLogger,
            readiness: ReadinessRegistry,
            common: CommonConfig,
          ): Promise<EventBus> => {
            const started = Date.now();
            const busLogger = logger.child({ component: 'bus' });
            let bus: EventBus;
            if (common.FLOWFORGE_BUS === 'kafka') {
              const schemaRegistryUrl = common.FLOWFORGE_SCHEMA_REGISTRY_URL;
              if (!schemaRegistryUrl) {
                throw new Error('FF_CONFIG: FLOWFORGE_SCHEMA_REGISTRY_URL is required when FLOWFORGE_BUS=kafka (e.g. http://localhost:8081/apis/ccompat/v7)');
              }
              bus = await createKafkaBus({
                pool,
                logger: busLogger,
                producer: opts.producer,
                brokers: common.FLOWFORGE_KAFKA_BROKERS.split(','),
                schemaRegistryUrl,
              });
              readiness.register('bus', () => pool.query('SELECT 1'));
            } else {
              bus = await createPostgresBus({ pool, metadataPool, logger: busLogger, producer: opts.producer });
              readiness.register('bus', () => pool.query('SELECT 1 FROM ff_bus.topics LIMIT 1'));
            }
            logger.info({ ms: Date.now() - started }, `bus ready (${common.FLOWFORGE_BUS})`);
            return bus;
          },
        },
        {
          provide: 'flowforge.bus.lifecycle',
          inject: [EVENT_BUS, BUS_POOL, BUS_METADATA_POOL],
          useFactory: (bus: EventBus, pool: Pool, metadataPool: Pool): OnApplicationShutdown => ({
            // Runs after Nest closed the HTTP server and the BusTransport: drain in-flight handlers,
            // then release the connections.
            onApplicationShutdown: async () => {
              await bus.close();
              await Promise.all([pool.end(), metadataPool.end()]);
            },
          }),
        },
      ],
      exports: [EVENT_BUS],
    };
  }
}
