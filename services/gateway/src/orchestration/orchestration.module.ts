import { Module } from '@nestjs/common';
import { JobsController, JobTypesController } from './jobs.controller';
import { OrchestrationClient } from './orchestration.client';
import { RunsController } from './runs.controller';
import { WorkflowsController } from './workflows.controller';

/** /api/v1/jobs, /api/v1/job-types, /api/v1/workflows, /api/v1/runs: relayed to the orchestrator's internal API. */
@Module({
  controllers: [JobsController, JobTypesController, WorkflowsController, RunsController],
  providers: [OrchestrationClient],
})
export class OrchestrationModule {}
