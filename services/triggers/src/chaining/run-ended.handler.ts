import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { RunStateChanged, type RunStateChangedEvent } from '@flowforge/contracts';
import { WorkflowChain } from './workflow-chain.service';

/**
 * Terminal run transitions for workflow triggers, group `triggers.chaining`: the group gives each event to
 * one replica, which settles it for every trigger that follows the run's workflow, in the event's
 * transaction. The read of the run's outputs may fail while the orchestrator is away: retried with
 * backoff for up to ten minutes before the event is dead-lettered.
 */
@Controller()
export class RunEndedHandler {
  constructor(private readonly chain: WorkflowChain) {}

  @OnEvent(RunStateChanged, { group: 'triggers.chaining', maxAttempts: 100, backoffMs: 200, maxBackoffMs: 10_000, maxRetryMs: 600_000 })
  async onRunStateChanged(@Payload() e: RunStateChangedEvent, @Ctx() ctx: BusContext): Promise<void> {
    await this.chain.onRunEnded(ctx.getTx(), { runId: e.runId, workflowId: e.workflowId, to: e.to, reason: e.reason });
  }
}
