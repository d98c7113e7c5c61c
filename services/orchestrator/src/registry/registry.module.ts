import { Module } from '@nestjs/common';
import { orchestratorDatabase } from '../orchestrator.database';
import { ExecutorRegisteredHandler } from './executor-registered.handler';
import { JobTypeStore } from './job-type.store';
import { JobTypesController } from './job-types.controller';

/** Job type registry: fed by ExecutorRegistered, read when jobs are validated and steps dispatched. */
@Module({
  imports: [orchestratorDatabase],
  controllers: [ExecutorRegisteredHandler, JobTypesController],
  providers: [JobTypeStore],
  exports: [JobTypeStore],
})
export class RegistryModule {}
