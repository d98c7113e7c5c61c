import { Module } from '@nestjs/common';
import { schedulerDatabase } from '../scheduler.database';
import { AssetCommittedListener } from './asset-committed.listener';
import { AssetWriterStore } from './asset-writers.store';
import { CalendarStore } from './calendar.store';
import { CalendarsInternalController } from './calendars-internal.controller';
import { FireLoop } from './fire.loop';
import { FireStore } from './fire.store';
import { OrchestratorClient } from './orchestrator.client';
import { RunStateListener } from './run-state.listener';
import { SchedulerClock } from './scheduler.clock';
import { ScheduleFiring } from './schedule.firing';
import { ScheduleStore } from './schedule.store';
import { SchedulesInternalController } from './schedules-internal.controller';
import { SchedulesService } from './schedules.service';

/** Schedules: the model and its API, the fire loop, the run-state listener (overlap, auto-pause), the asset-committed listener (who writes what, for conflict warnings). */
@Module({
  imports: [schedulerDatabase],
  controllers: [SchedulesInternalController, CalendarsInternalController, RunStateListener, AssetCommittedListener],
  providers: [SchedulerClock, ScheduleStore, CalendarStore, FireStore, AssetWriterStore, ScheduleFiring, SchedulesService, OrchestratorClient, FireLoop],
  exports: [SchedulerClock, FireLoop, SchedulesService],
})
export class SchedulesModule {}
