import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { schedulerMigrations } from './migrations';

/** The scheduler service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'scheduler', entities: [], migrations: schedulerMigrations })],
})
export class SchedulerModule {}
