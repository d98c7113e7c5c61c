import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createPgPool } from '@flowforge/db';
import { HOST_RUNTIME, type HostRuntime } from '@flowforge/service-kit';
import type { Pool } from 'pg';

/** The orchestrator's own pg pool (schema ff_orchestrator). */
export const ORCHESTRATOR_POOL = Symbol.for('flowforge.orchestrator.pool');

/**
 * The run engine writes with raw SQL on a `Queryable`, because its bus handlers must write through the
 * bus's transaction (ctx.tx, a pg client TypeORM cannot join). HTTP commands and the sweeper open their
 * own transactions on this pool, so both paths share one code path. TypeORM keeps the migrations.
 */
@Global()
@Module({
  providers: [
    {
      provide: ORCHESTRATOR_POOL,
      inject: [HOST_RUNTIME],
      useFactory: (runtime: HostRuntime): Pool => createPgPool({ url: runtime.databaseUrl, max: 8, applicationName: 'flowforge-orchestrator-engine' }),
    },
    {
      provide: 'flowforge.orchestrator.pool.lifecycle',
      inject: [ORCHESTRATOR_POOL],
      useFactory: (pool: Pool): OnApplicationShutdown => ({
        onApplicationShutdown: async () => {
          await pool.end();
        },
      }),
    },
  ],
  exports: [ORCHESTRATOR_POOL],
})
export class OrchestratorPoolModule {}
