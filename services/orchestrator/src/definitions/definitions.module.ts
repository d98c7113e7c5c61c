import { Module } from '@nestjs/common';
import { orchestratorDatabase } from '../orchestrator.database';
import { RegistryModule } from '../registry/registry.module';
import { DefinitionWriter } from './definition.writer';
import { DefinitionsService } from './definitions.service';
import { JobStore } from './job.store';
import { JobsController } from './jobs.controller';
import { WorkflowStore } from './workflow.store';
import { WorkflowsController } from './workflows.controller';

/** Versioned jobs and workflows, and workflow-as-code. */
@Module({
  imports: [orchestratorDatabase, RegistryModule],
  controllers: [JobsController, WorkflowsController],
  providers: [JobStore, WorkflowStore, DefinitionWriter, DefinitionsService],
  exports: [JobStore, WorkflowStore],
})
export class DefinitionsModule {}
