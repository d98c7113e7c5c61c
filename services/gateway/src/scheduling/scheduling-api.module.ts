import { Module } from '@nestjs/common';
import { CalendarsController } from './calendars.controller';
import { SchedulerClient } from './scheduler.client';
import { SchedulesController } from './schedules.controller';

/** /api/v1/schedules and /api/v1/calendars, forwarded to the scheduler's internal API. */
@Module({
  controllers: [SchedulesController, CalendarsController],
  providers: [SchedulerClient],
  exports: [SchedulerClient],
})
export class SchedulingApiModule {}
