import { Module } from '@nestjs/common';
import { SchedulerClient } from './scheduler.client';
import { SchedulesController } from './schedules.controller';

/** /api/v1/schedules, forwarded to the scheduler's internal API. */
@Module({
  controllers: [SchedulesController],
  providers: [SchedulerClient],
  exports: [SchedulerClient],
})
export class SchedulingApiModule {}
