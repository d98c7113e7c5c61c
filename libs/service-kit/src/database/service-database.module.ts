import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createServiceDataSource, dataSourcePool, runMigrations, type ServiceDataSourceOptions } from '@flowforge/db';
import type { DataSource } from 'typeorm';
import type { FlowForgeLogger } from '../logging/logger';
import { ReadinessRegistry } from '../health/readiness.registry';
import { HostRuntime } from '../bootstrap/host-runtime';
import { dataSourceToken, HOST_RUNTIME, LOGGER, servicePoolToken } from '../tokens';
import type { ServiceName } from '../config/common-config';

export interface ServiceDatabaseOptions {
  service: ServiceName;
  entities: ServiceDataSourceOptions['entities'];
  migrations: ServiceDataSourceOptions['migrations'];
  /**
   * The service's connections, all of them (its one pool). Default 2: twelve services share one
   * PostgreSQL in embedded mode; a service with a hot path sizes it (docs/architecture.md, Connections).
   */
  poolSize?: number;
}

/**
 * The service's own DataSource on schema `ff_<service>`, migrated before the module is ready, with
 * a `<service>.db` readiness check, and the `pg` Pool under it. The stores run their SQL on that pool
 * (`@Inject(servicePoolToken('<service>'))`, transactions with withTransaction), the same kind of client
 * a bus handler gets as ctx.tx, so one code path serves both; TypeORM keeps the migrations. One token
 * per service so several services can share a process without named-connection globals.
 */
@Module({})
export class ServiceDatabaseModule {
  static forService(opts: ServiceDatabaseOptions): DynamicModule {
    const token = dataSourceToken(opts.service);
    const poolToken = servicePoolToken(opts.service);
    return {
      module: ServiceDatabaseModule,
      providers: [
        {
          provide: token,
          inject: [HOST_RUNTIME, LOGGER, ReadinessRegistry],
          useFactory: async (runtime: HostRuntime, logger: FlowForgeLogger, readiness: ReadinessRegistry) => {
            const dataSource = createServiceDataSource({
              url: runtime.databaseUrl,
              schema: `ff_${opts.service}`,
              entities: opts.entities,
              migrations: opts.migrations,
              poolSize: opts.poolSize ?? 2,
              applicationName: `flowforge-${opts.service}`,
            });
            const report = await runMigrations(dataSource);
            logger.info(
              { module: opts.service, schema: report.schema, applied: report.applied, ms: report.ms },
              report.applied.length ? `migrated ${report.schema}` : `${report.schema} is up to date`,
            );
            readiness.register(`${opts.service}.db`, () => dataSource.query('SELECT 1'));
            return dataSource;
          },
        },
        {
          provide: poolToken,
          inject: [token],
          // Ended by dataSource.destroy() below; nothing else may end it.
          useFactory: (dataSource: DataSource) => dataSourcePool(dataSource),
        },
        {
          provide: `${token}.lifecycle`,
          inject: [token],
          useFactory: (dataSource: DataSource): OnApplicationShutdown => ({
            // After the HTTP server and the bus transport stopped (Nest's shutdown order).
            onApplicationShutdown: async () => {
              if (dataSource.isInitialized) await dataSource.destroy();
            },
          }),
        },
      ],
      exports: [token, poolToken],
    };
  }
}
