import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { RunRequested, RunStateChanged, type RunRequestedEvent } from '@flowforge/contracts';
import { FlowForgeError, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { RunCreator } from './run.creator';
import { RunOutbox } from './run.outbox';

/**
 * Runs requested over the bus (scheduler, triggers, other workflows), group `orchestrator`. The run is
 * created — and its first steps dispatched — in the handler's transaction. The event's runId makes a
 * redelivered or re-published request idempotent, like its idempotency key.
 *
 * A request that cannot become a run (unknown workflow, bad parameters) is not retried: nothing would
 * change on the next attempt. It is answered with RunStateChanged (null -> failed, reason naming the
 * problem) so that the requester learns its run id will not run.
 */
@Controller()
export class RunRequestedHandler {
  constructor(
    private readonly creator: RunCreator,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly outbox: RunOutbox,
  ) {}

  @OnEvent(RunRequested, { group: 'orchestrator', maxAttempts: 10, backoffMs: 50 })
  async onRunRequested(@Payload() e: RunRequestedEvent, @Ctx() ctx: BusContext): Promise<void> {
    const tx = ctx.getTx();
    try {
      await this.outbox.handle(ctx.getEventContext(), () =>
        this.creator.create(tx, {
          runId: e.runId,
          workflow: e.workflowId,
          workflowVersion: e.workflowVersion,
          params: e.params,
          idempotencyKey: e.idempotencyKey,
          requestedBy: e.requestedBy,
        }),
      );
    } catch (err) {
      // Refusals are thrown before anything is written, so the transaction is still clean.
      if (!(err instanceof FlowForgeError) || err.status >= 500) throw err;
      const reason = `${err.code}: ${err.message}`;
      this.logger.warn({ runId: e.runId, workflow: e.workflowId, requestedBy: e.requestedBy, code: err.code }, `run request refused: ${reason}`);
      await this.outbox.handle(ctx.getEventContext(), async () =>
        this.outbox.add(tx, RunStateChanged, { runId: e.runId, workflowId: e.workflowId, from: null, to: 'failed', reason }, { key: e.runId }),
      );
    }
  }
}
