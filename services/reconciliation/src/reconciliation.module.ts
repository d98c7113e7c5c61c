import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { reconciliationMigrations } from './migrations';

/** The reconciliation service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'reconciliation', entities: [], migrations: reconciliationMigrations })],
})
export class ReconciliationModule {}
