import { type DynamicModule, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createPgPool } from '@flowforge/db';
import type { Pool } from 'pg';
import { HOST_RUNTIME } from '../tokens';
import type { HostRuntime } from '../bootstrap/host-runtime';

/**
 * A service's own `pg` pool on the host's database, provided under `token` to the whole application
 * and ended at shutdown. For services that write with raw SQL so that a bus handler's transaction
 * (ctx.tx, a pg client TypeORM cannot join) and their HTTP commands share one code path; TypeORM
 * (ServiceDatabaseModule) keeps the migrations.
 */
@Module({})
export class ServicePoolModule {
  static forService(token: symbol, opts: { applicationName: string; max: number }): DynamicModule {
    const lifecycle = Symbol.for(`${String(token.description)}.lifecycle`);
    return {
      module: ServicePoolModule,
      global: true,
      providers: [
        {
          provide: token,
          inject: [HOST_RUNTIME],
          useFactory: (runtime: HostRuntime): Pool => createPgPool({ url: runtime.databaseUrl, max: opts.max, applicationName: opts.applicationName }),
        },
        {
          provide: lifecycle,
          inject: [token],
          useFactory: (pool: Pool): OnApplicationShutdown => ({
            onApplicationShutdown: async () => {
              await pool.end();
            },
          }),
        },
      ],
      exports: [token],
    };
  }
}
