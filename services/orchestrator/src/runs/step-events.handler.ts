import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import {
  StepCompleted,
  StepFailed,
  StepLog,
  StepProgress,
  StepStarted,
  type StepCompletedEvent,
  type StepFailedEvent,
  type StepLogEvent,
  type StepProgressEvent,
  type StepStartedEvent,
} from '@flowforge/contracts';
import { StepEventsProcessor } from './step-events.processor';

/** A transient failure (database restart, lost connection) is retried well before the DLQ. */
const RETRY = { group: 'orchestrator', maxAttempts: 10, backoffMs: 50 } as const;

/**
 * Bus side of the executors' answers (consumer group `orchestrator`). Each handler writes through the
 * bus transaction (ctx.tx), atomically with the inbox row and offset: a redelivered event is absorbed
 * by the inbox, so every effect — state change, next dispatch, RunStateChanged — happens once.
 */
@Controller()
export class StepEventsHandler {
  constructor(private readonly processor: StepEventsProcessor) {}

  @OnEvent(StepStarted, RETRY)
  onStarted(@Payload() e: StepStartedEvent, @Ctx() ctx: BusContext): Promise<void> {
    return this.processor.started(ctx.getEventContext(), e);
  }

  @OnEvent(StepProgress, RETRY)
  onProgress(@Payload() e: StepProgressEvent, @Ctx() ctx: BusContext): Promise<void> {
    return this.processor.progress(ctx.getEventContext(), e);
  }

  @OnEvent(StepLog, RETRY)
  onLog(@Payload() e: StepLogEvent, @Ctx() ctx: BusContext): Promise<void> {
    return this.processor.log(ctx.getEventContext(), e);
  }

  @OnEvent(StepCompleted, RETRY)
  onCompleted(@Payload() e: StepCompletedEvent, @Ctx() ctx: BusContext): Promise<void> {
    return this.processor.completed(ctx.getEventContext(), e);
  }

  @OnEvent(StepFailed, RETRY)
  onFailed(@Payload() e: StepFailedEvent, @Ctx() ctx: BusContext): Promise<void> {
    return this.processor.failed(ctx.getEventContext(), e);
  }
}
