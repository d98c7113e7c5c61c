import { ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { RunStates, StepStates } from '@flowforge/workflow';
import { RunDto, RunLogEventDto, StepProgressDto } from './run.dto';

// The payloads of GET /api/v1/runs/{id}/events, as services/orchestrator/src/feed/run-events.controller.ts
// sends them (the gateway forwards the stream untouched). OpenAPI 3.0 cannot type an event stream, so the
// route names them in its `x-sse-events` extension (event name → schema) and scripts/api-types-gen.js turns
// that into `events` of the operation's generated type.

@ApiSchema({ description: 'A `run` event: the run changed state' })
export class RunChangeEventDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ enum: RunStates, nullable: true, type: String, description: 'null on the first transition' }) from!: string | null;
  @ApiProperty({ enum: RunStates }) to!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

@ApiSchema({ description: 'A `step` event: one step changed state' })
export class StepChangeEventDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ example: 'load' }) stepId!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The attempt the change is about; null before the first dispatch' }) attempt!: number | null;
  @ApiProperty({ enum: StepStates, nullable: true, type: String, description: 'null on the first transition' }) from!: string | null;
  @ApiProperty({ enum: StepStates }) to!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

@ApiSchema({ description: 'A `progress` event: a step reported progress (no event id: not part of the resumable feed; the snapshot holds the latest)' })
export class StepProgressEventDto extends StepProgressDto {
  @ApiProperty({ example: 'load' }) stepId!: string;
}

@ApiSchema({ description: 'The `end` event, last of the stream: the run is final and every line logged before it was sent' })
export class RunEndEventDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ enum: RunStates }) state!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
}

@ApiSchema({ description: 'An `error` event: the server could not go on (the stream ends); reconnect to resume' })
export class StreamErrorEventDto {
  @ApiProperty({ example: 'FF_FEED_FAILED' }) code!: string;
  @ApiProperty() message!: string;
}

export const RUN_EVENT_MODELS = [RunChangeEventDto, StepChangeEventDto, StepProgressEventDto, RunLogEventDto, RunEndEventDto, StreamErrorEventDto];

/** The `x-sse-events` extension of the events route: each event name and the schema of its `data`. */
export const RUN_EVENTS_EXTENSION = {
  snapshot: { $ref: getSchemaPath(RunDto), description: 'First on every connection: the run with its steps' },
  run: { $ref: getSchemaPath(RunChangeEventDto) },
  step: { $ref: getSchemaPath(StepChangeEventDto) },
  progress: { $ref: getSchemaPath(StepProgressEventDto) },
  log: { $ref: getSchemaPath(RunLogEventDto) },
  end: { $ref: getSchemaPath(RunEndEventDto) },
  error: { $ref: getSchemaPath(StreamErrorEventDto) },
};
