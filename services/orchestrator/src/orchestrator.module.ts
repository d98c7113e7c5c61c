import { Module } from '@nestjs/common';
import { BuiltinExecutorModule } from './builtin-executor.module';
import { DefinitionsModule } from './definitions/definitions.module';
import { EchoModule } from './echo/echo.module';
import { FeedModule } from './feed/feed.module';
import { orchestratorDatabase } from './orchestrator.database';
import { RegistryModule } from './registry/registry.module';
import { RunsModule } from './runs/runs.module';

/**
 * The orchestrator as a Nest module: hosted alone (main.ts) or with every other service (embedded).
 * It also hosts the `builtin` executor (noop, sleep, fail), so those job types run in every mode.
 */
@Module({
  imports: [orchestratorDatabase, EchoModule, RegistryModule, DefinitionsModule, RunsModule, FeedModule, BuiltinExecutorModule],
})
export class OrchestratorModule {}
