import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createPgPool } from '@flowforge/db';
import { HOST_RUNTIME, type HostRuntime } from '@flowforge/service-kit';
import type { Pool } from 'pg';

/** The auth service's pg pool (schema ff_auth): raw SQL, so a write and its bus publish share one transaction. */
export const AUTH_POOL = Symbol.for('flowforge.auth.pool');

@Global()
@Module({
  providers: [
    {
      provide: AUTH_POOL,
      inject: [HOST_RUNTIME],
      useFactory: (runtime: HostRuntime): Pool => createPgPool({ url: runtime.databaseUrl, max: 6, applicationName: 'flowforge-auth' }),
    },
    {
      provide: 'flowforge.auth.pool.lifecycle',
      inject: [AUTH_POOL],
      useFactory: (pool: Pool): OnApplicationShutdown => ({
        onApplicationShutdown: async () => {
          await pool.end();
        },
      }),
    },
  ],
  exports: [AUTH_POOL],
})
export class AuthPoolModule {}
