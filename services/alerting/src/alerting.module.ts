import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { alertingMigrations } from './migrations';

/** The alerting service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'alerting', entities: [], migrations: alertingMigrations })],
})
export class AlertingModule {}
