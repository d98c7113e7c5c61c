import { Module } from '@nestjs/common';
import { JobsController, JobTypesController } from './jobs.controller';
import { OrchestrationClient } from './orchestration.client';
import { RunsController } from './runs.controller';
import { WorkflowsController } from './workflows.controller';
import { SchedulingApiModule } from '../scheduling/scheduling-api.module';
import { SchedulerClient } from '../scheduling/scheduler.client';
import { schedulesBackend } from '../scheduling/schedules.declared';
import { TriggersApiModule } from '../triggers/triggers-api.module';
import { TriggersClient } from '../triggers/triggers.client';
import { triggersBackend } from '../triggers/triggers.declared';
import type { DeclaredBackend } from '../workflow-as-code/declared-documents';
import { DECLARED_BACKENDS, WorkflowAsCode } from '../workflow-as-code/workflow-as-code.service';

/** /api/v1/jobs, /api/v1/job-types, /api/v1/workflows, /api/v1/runs: relayed to the orchestrator's internal API. */
@Module({
  imports: [TriggersApiModule, SchedulingApiModule],
  controllers: [JobsController, JobTypesController, WorkflowsController, RunsController],
  providers: [
    OrchestrationClient,
    WorkflowAsCode,
    // The kinds a workflow-as-code file may declare besides jobs and workflows, each applied by its service.
    {
      provide: DECLARED_BACKENDS,
      inject: [SchedulerClient, TriggersClient],
      useFactory: (scheduler: SchedulerClient, triggers: TriggersClient): DeclaredBackend[] => [schedulesBackend(scheduler), triggersBackend(triggers)],
    },
  ],
})
export class OrchestrationModule {}
