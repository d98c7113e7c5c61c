import { Module } from '@nestjs/common';
import { schedulerDatabase } from './scheduler.database';
import { SchedulesModule } from './schedules/schedules.module';

/** The scheduler service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [schedulerDatabase, SchedulesModule],
})
export class SchedulerModule {}
