import { Module } from '@nestjs/common';
import { EchoModule } from './echo/echo.module';
import { orchestratorDatabase } from './orchestrator.database';

/** The orchestrator as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [orchestratorDatabase, EchoModule],
})
export class OrchestratorModule {}
