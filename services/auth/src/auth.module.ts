import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { authMigrations } from './migrations';

/** The auth service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'auth', entities: [], migrations: authMigrations })],
})
export class AuthModule {}
