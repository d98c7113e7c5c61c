import { Module } from '@nestjs/common';
import { orchestratorDatabase } from '../orchestrator.database';
import { EchoInternalController } from './echo-internal.controller';
import { EchoReceiptStore } from './echo-receipt.store';
import { EchoRequestedHandler } from './echo-requested.handler';

@Module({
  imports: [orchestratorDatabase],
  controllers: [EchoInternalController, EchoRequestedHandler],
  providers: [EchoReceiptStore],
})
export class EchoModule {}
