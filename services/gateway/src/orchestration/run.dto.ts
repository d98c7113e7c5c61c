import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateBy } from 'class-validator';
import { INT32_MAX } from '@flowforge/service-kit';

const INT64_MAX = 9_223_372_036_854_775_807n;

/** A page cursor: a PostgreSQL `bigint` id in decimal; a longer or larger one is a 400 naming the field, not an overflow upstream. */
function IsCursor(): PropertyDecorator {
  return ValidateBy({
    name: 'isCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= INT64_MAX,
      defaultMessage: (args) => `${args?.property ?? 'cursor'} must be a decimal integer from 0 to ${INT64_MAX}`,
    },
  });
}

/** A log page's cursor, `<µs>_<id>` (LogCursor in services/orchestrator/src/runs/run-log.store.ts): opaque to clients. */
function IsLogCursor(): PropertyDecorator {
  return ValidateBy({
    name: 'isLogCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^\d{1,19}_\d{1,19}$/.test(value),
      defaultMessage: (args) => `${args?.property ?? 'cursor'} must be the nextCursor of a previous page`,
    },
  });
}

export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export const STEP_STATES = ['pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'upstream_failed', 'cancelled', 'timed_out'] as const;

export class CreateRunDto {
  @ApiProperty({ example: 'daily-sales' })
  @IsString()
  @Length(1, 63)
  workflow!: string;

  @ApiPropertyOptional({ description: 'Absent: the latest version', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  workflowVersion?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { run_date: '2026-01-31', limit: 100 }, description: 'Typed values or text; converted to the declared types' })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Same key and same request, same run; reused for another workflow, version or parameters: 422 FF_RUN_IDEMPOTENCY_CONFLICT (also accepted as the Idempotency-Key header)', example: 'nightly-2026-01-31' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;
}

export class CancelRunDto {
  @ApiPropertyOptional({ example: 'wrong business day' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class RerunDto {
  @ApiPropertyOptional({ description: 'Rerun this step and everything downstream; absent: every failed, timed-out, cancelled or upstream-failed step', example: 'load' })
  @IsOptional()
  @IsString()
  @Length(1, 63)
  fromStep?: string;
}

export class ListRunsQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() workflow?: string;

  @ApiPropertyOptional({ enum: RUN_STATES }) @IsOptional() @IsIn(RUN_STATES) state?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The previous page\'s nextCursor' })
  @IsOptional()
  @IsCursor()
  before?: string;
}

export class LogsQueryDto {
  @ApiPropertyOptional({ description: 'Only this step' }) @IsOptional() @IsString() step?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: INT32_MAX, description: 'Only this attempt' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  attempt?: number;

  @ApiPropertyOptional({ description: 'The previous page\'s nextCursor', pattern: '^\\d{1,19}_\\d{1,19}$' })
  @IsOptional()
  @IsLogCursor()
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 5000, default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}

export class AttemptDto {
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ enum: ['dispatched', 'running', 'succeeded', 'failed', 'timed_out', 'lost', 'cancelled'] }) state!: string;
  @ApiProperty({ example: 'ingestion' }) executor!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The executor replica that ran it' }) instanceId!: string | null;
  @ApiProperty({ format: 'date-time' }) dispatchedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
}

export class StepDto {
  @ApiProperty({ example: 'load' }) stepId!: string;
  @ApiProperty({ example: 'load-sales' }) job!: string;
  @ApiProperty({ example: 3, description: 'Pinned when the run was created' }) jobVersion!: number;
  @ApiProperty({ example: 'transform.sql' }) jobType!: string;
  @ApiProperty({ example: 'transformation' }) executor!: string;
  @ApiProperty({ enum: STEP_STATES }) state!: string;
  @ApiProperty({ example: 1, description: 'Current attempt, 0 before the first dispatch' }) attempt!: number;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) outputs!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ type: [AttemptDto] }) attempts!: AttemptDto[];
}

export class RunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'daily-sales' }) workflow!: string;
  @ApiProperty({ example: 2 }) workflowVersion!: number;
  @ApiProperty({ enum: RUN_STATES }) state!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({
    example: 'alice',
    description: 'Who started the run (a rerun: who re-ran it): a user name, `token:<token name> (<owner>)` for an API token, `scheduler`, or `trigger:<id>`',
  })
  requestedBy!: string;
  @ApiProperty({ nullable: true, type: String, example: 'token:ci-deploy (alice)', description: 'Who cancelled the run, in the same form; null unless a caller cancelled it' })
  cancelledBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) idempotencyKey!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Set on a rerun: the run it reruns' }) parentRunId!: string | null;
  @ApiProperty({ nullable: true, type: String }) rerunFrom!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the run times out' }) deadlineAt!: string | null;
  @ApiPropertyOptional({ type: [StepDto], description: 'On single-run reads' }) steps?: StepDto[];
}

export class RunListDto {
  @ApiProperty({ type: [RunDto] }) items!: RunDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `before` for the next page' }) nextCursor!: string | null;
}

export class LogLineDto {
  @ApiProperty({ example: '1042', description: 'Arrival order within the run; the event stream\'s log cursor' }) id!: string;
  @ApiProperty({ example: 'load' }) stepId!: string;
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['debug', 'info', 'warn', 'error'] }) level!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) fields!: Record<string, unknown> | null;
}

export class LogPageDto {
  @ApiProperty({ type: [LogLineDto], description: 'Oldest first by `at` (lines with the same `at` by id), whatever order they arrived in' }) items!: LogLineDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` for the next page' }) nextCursor!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '1042',
    description:
      'The id of the run\'s newest stored line when this page was read. Lines arrive out of time order, so a follower reads the pages, then opens the event stream with `after=0.<latestId of its first page>` and skips the lines it printed already.',
  })
  latestId!: string | null;
}
