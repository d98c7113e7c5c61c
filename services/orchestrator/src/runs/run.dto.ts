import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { RunStates, type RunState } from '@flowforge/workflow';
import { LOG_CURSOR_PATTERN } from './run-log.store';

export class CreateRunDto {
  @IsString()
  @Length(1, 63)
  workflow!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  workflowVersion?: number;

  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  /** Also accepted as the Idempotency-Key header. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  requestedBy?: string;
}

export class CancelRunDto {
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  requestedBy?: string;
}

export class RerunDto {
  @IsOptional()
  @IsString()
  @Length(1, 63)
  fromStep?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  requestedBy?: string;
}

export class ListRunsQuery {
  @IsOptional()
  @IsString()
  workflow?: string;

  @IsOptional()
  @IsIn(RunStates)
  state?: RunState;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** The previous page's nextCursor. */
  @IsOptional()
  @Matches(/^\d{1,19}$/)
  before?: string;
}

export class LogsQuery {
  @IsOptional()
  @IsString()
  step?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  attempt?: number;

  /** The previous page's nextCursor (`<µs>_<id>`, LogCursor in services/orchestrator/src/runs/run-log.store.ts). */
  @IsOptional()
  @Matches(LOG_CURSOR_PATTERN, { message: 'after must be the nextCursor of a previous page' })
  after?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}
