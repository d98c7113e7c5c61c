import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { EventBus } from '@flowforge/bus';
import { createPgPool } from '@flowforge/db';
import type { Pool } from 'pg';
import { ReadinessRegistry } from '../health/readiness.registry';
import type { FlowForgeLogger } from '../logging/logger';
import { HostRuntime } from '../bootstrap/host-runtime';
import { EVENT_BUS, HOST_RUNTIME, LOGGER } from '../tokens';
import { createPostgresBus } from './postgres-bus.factory';

const BUS_POOL = Symbol.for('flowforge.bus-pool');

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
          provide: EVENT_BUS,
          inject: [BUS_POOL, LOGGER, ReadinessRegistry],
          useFactory: async (pool: Pool, logger: FlowForgeLogger, readiness: ReadinessRegistry): Promise<EventBus> => {
            const started = Date.now();
            const bus = await createPostgresBus({ pool, logger: logger.child({ component: 'bus' }), producer: opts.producer });
            logger.info({ ms: Date.now() - started }, 'bus ready (postgres)');
            readiness.register('bus', () => pool.query('SELECT 1 FROM ff_bus.topics LIMIT 1'));
            return bus;
          },
        },
        {
          provide: 'flowforge.bus.lifecycle',
          inject: [EVENT_BUS, BUS_POOL],
          useFactory: (bus: EventBus, pool: Pool): OnApplicationShutdown => ({
            // Runs after Nest closed the HTTP server and the BusTransport: drain in-flight handlers,
            // then release the connections.
            onApplicationShutdown: async () => {
              await bus.close();
              await pool.end();
            },
          }),
        },
      ],
      exports: [EVENT_BUS],
    };
  }
}
