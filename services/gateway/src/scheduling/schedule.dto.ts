import { ApiProperty } from '@nestjs/swagger';
import { SCHEDULE_CATCHUPS, SCHEDULE_OVERLAPS } from '@flowforge/http';

// What the schedules routes answer; what they accept is described from the scheduler's own schemas
// (libs/http/src/scheduler/schedule.requests.ts).

export class ScheduleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nightly-sales' }) name!: string;
  @ApiProperty({ example: 'daily-sales' }) workflow!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Pinned version; null: the latest at each fire' }) workflowVersion!: number | null;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ example: '30 2 * * *', description: 'The cron fired (a preset compiled)' }) cron!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, example: { every: 'day', at: '02:30' } }) preset!: Record<string, unknown> | null;
  @ApiProperty({ example: 'Europe/Berlin' }) timezone!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { day: '${fireDate}' } }) params!: Record<string, string>;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ nullable: true, type: String }) pauseNote!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) pausedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Who paused it (`scheduler` for an auto-pause)' }) pausedBy!: string | null;
  @ApiProperty({ nullable: true, type: Number }) autoPauseAfterFailures!: number | null;
  @ApiProperty({ description: 'Failed runs in a row (reset by a success and by resume)' }) consecutiveFailures!: number;
  @ApiProperty({ enum: SCHEDULE_CATCHUPS }) catchup!: string;
  @ApiProperty() catchupCap!: number;
  @ApiProperty() jitterMs!: number;
  @ApiProperty({ type: [String], example: ['2026-12-25'] }) excludedDates!: string[];
  @ApiProperty({ type: [String], example: ['de-holidays'], description: 'Named calendars whose dates are skipped too' }) calendars!: string[];
  @ApiProperty({ enum: SCHEDULE_OVERLAPS }) overlap!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Null when the cron has no future time' }) nextFireAt!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty() updatedBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({
    type: [String],
    required: false,
    description:
      'PUT and GET one: FF_SCHEDULE_CONFLICT warnings — another schedule of the same workflow, or a schedule of another workflow that wrote a same lake asset (learned from the assets committed by runs), fires within 5 minutes of this one in the next day; a warning names both schedules, both workflows, the assets (layer.namespace.table) and the times',
  })
  warnings?: string[];
}

export class ScheduleListDto {
  @ApiProperty({ type: [ScheduleDto] }) items!: ScheduleDto[];
}

export class NextFireDto {
  @ApiProperty({ format: 'date-time' }) fireTime!: string;
  @ApiProperty({ example: '2026-03-29 03:00:00', description: 'Wall-clock time in the schedule’s zone' }) local!: string;
  @ApiProperty({ description: 'The calendar excludes this date: it will be skipped' }) excluded!: boolean;
}

export class NextFiresDto {
  @ApiProperty() schedule!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty({ type: [NextFireDto] }) items!: NextFireDto[];
}

export class FireDto {
  @ApiProperty({ format: 'date-time', description: 'The nominal fire time (before jitter)' }) fireTime!: string;
  @ApiProperty({ enum: ['schedule', 'backfill'] }) kind!: string;
  @ApiProperty({ enum: ['fired', 'skipped', 'buffered'] }) outcome!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['paused', 'calendar', 'overlap', 'catchup_none', 'catchup_latest', 'misfire_cap'],
    description: 'Why it was skipped or buffered',
  })
  reason!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'uuid v5 of the schedule, fire time and kind' }) runId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Last state run.state-changed reported' }) runState!: string | null;
  @ApiProperty({ nullable: true, type: String }) runReason!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'FF_SCHEDULE_CONFLICT: runs of the same workflow from other schedules, or runs of another workflow writing a same lake asset, were active',
  })
  warning!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When RunRequested was published' }) requestedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
}

export class ScheduleHistoryDto {
  @ApiProperty() schedule!: string;
  @ApiProperty({ type: [FireDto], description: 'Newest first' }) items!: FireDto[];
}

export class BackfillRunDto {
  @ApiProperty({ format: 'date-time' }) fireTime!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) runId!: string | null;
  @ApiProperty({ enum: ['fired', 'skipped', 'existing'], description: '`existing`: backfilled before' }) outcome!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
}

export class BackfillResultDto {
  @ApiProperty() schedule!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty() requested!: number;
  @ApiProperty() existing!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty({ type: [BackfillRunDto] }) runs!: BackfillRunDto[];
}

export class CalendarDto {
  @ApiProperty({ example: 'de-holidays' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [String], example: ['2026-12-25', '2026-12-26'], description: 'Sorted, each once' }) dates!: string[];
  @ApiProperty() createdBy!: string;
  @ApiProperty() updatedBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
