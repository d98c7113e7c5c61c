import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { RunStates, StepStates } from '@flowforge/workflow';

// What the runs routes answer; what they accept is described from the orchestrator's own schemas
// (libs/http/src/orchestrator/run.requests.ts).

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
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { rowsWritten: 5, rowsRejected: 2, bytesRead: 180, files: 2 },
    description: 'Counters the executor returned with the outcome; null while the attempt runs or when it returned none',
  })
  metrics!: Record<string, number> | null;
}

@ApiSchema({ description: 'What the executor last reported for an attempt: how far it is and its counters' })
export class StepProgressDto {
  @ApiProperty({ example: 1, description: 'The attempt that reported it' }) attempt!: number;
  @ApiProperty({ nullable: true, type: Number, minimum: 0, maximum: 100, example: 42 }) percent!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'reading orders.csv' }) message!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { rows: 1200000, bytes: 73400320, files: 1 },
    description: 'Counters of the job type (ingest.file: rows, bytes, files, rejected)',
  })
  metrics!: Record<string, number>;
  @ApiProperty({ format: 'date-time', description: 'When the executor reported it' }) at!: string;
}

export class StepDto {
  @ApiProperty({ example: 'load' }) stepId!: string;
  @ApiProperty({ example: 'load-sales' }) job!: string;
  @ApiProperty({ example: 3, description: 'Pinned when the run was created' }) jobVersion!: number;
  @ApiProperty({ example: 'transform.sql' }) jobType!: string;
  @ApiProperty({ example: 'transformation' }) executor!: string;
  @ApiProperty({ enum: StepStates }) state!: string;
  @ApiProperty({ example: 1, description: 'Current attempt, 0 before the first dispatch' }) attempt!: number;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) outputs!: Record<string, unknown> | null;
  @ApiProperty({
    type: StepProgressDto,
    nullable: true,
    description: 'The latest progress of the current attempt (kept after it ends); null before the executor reported any',
  })
  progress!: StepProgressDto | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ type: [AttemptDto] }) attempts!: AttemptDto[];
}

export class RunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'daily-sales' }) workflow!: string;
  @ApiProperty({ example: 2 }) workflowVersion!: number;
  @ApiProperty({ enum: RunStates }) state!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({
    example: 'alice',
    description: 'Who started the run (a rerun: who re-ran it): a user name, `token:<token name> (<owner>)` for an API token, `scheduler`, or `trigger:<id>`',
  })
  requestedBy!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'token:ci-deploy (alice)',
    description: 'Who cancelled the run, in the same form; null unless a caller cancelled it',
  })
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

@ApiSchema({ description: 'A `log` event: a log line without its id (the event id is the stream cursor)' })
export class RunLogEventDto {
  @ApiProperty({ example: 'load' }) stepId!: string;
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['debug', 'info', 'warn', 'error'] }) level!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) fields!: Record<string, unknown> | null;
}

export class LogLineDto extends RunLogEventDto {
  @ApiProperty({ example: '1042', description: "Arrival order within the run; the event stream's log cursor" }) id!: string;
}

export class LogPageDto {
  @ApiProperty({ type: [LogLineDto], description: 'Oldest first by `at` (lines with the same `at` by id), whatever order they arrived in' })
  items!: LogLineDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` for the next page' }) nextCursor!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '1042',
    description:
      "The id of the run's newest stored line when this page was read. Lines arrive out of time order, so a follower reads the pages, then opens the event stream with `after=0.<latestId of its first page>` and skips the lines it printed already.",
  })
  latestId!: string | null;
}
