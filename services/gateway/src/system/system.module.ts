import { Module } from '@nestjs/common';
import { EchoController } from './echo.controller';
import { OrchestratorClient } from './orchestrator.client';

@Module({
  controllers: [EchoController],
  providers: [OrchestratorClient],
})
export class SystemModule {}
