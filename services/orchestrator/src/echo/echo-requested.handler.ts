import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { EchoRequested, type EchoRequestedEvent } from '@flowforge/contracts';
import { EchoReceiptStore } from './echo-receipt.store';

/**
 * Bus side of the echo feature (HTTP lives in echo-internal.controller.ts): consumer group
 * `orchestrator` records each EchoRequested in the handler's transaction (ctx.tx), atomically with the
 * bus inbox row and the consumer offset — so a redelivery is absorbed by the inbox, never counted twice.
 */
@Controller()
export class EchoRequestedHandler {
  constructor(private readonly store: EchoReceiptStore) {}

  @OnEvent(EchoRequested, { group: 'orchestrator' })
  async onEchoRequested(@Payload() event: EchoRequestedEvent, @Ctx() ctx: BusContext): Promise<void> {
    await this.store.record(ctx.getTx(), { echoId: event.echoId, eventId: event.eventId, message: event.message });
  }
}
