import { Module } from '@nestjs/common';
import { DefinitionsModule } from '../definitions/definitions.module';
import { orchestratorDatabase } from '../orchestrator.database';
import { FairShareGate } from './fair-share.gate';
import { RegistryModule } from '../registry/registry.module';
import { RunAdmission } from './run.admission';
import { RunCommands } from './run.commands';
import { RunCreator } from './run.creator';
import { RunEngine } from './run.engine';
import { RunFeedRetention } from './run-feed.retention';
import { RunLogStore } from './run-log.store';
import { RunMetrics } from './run.metrics';
import { RunOutbox } from './run.outbox';
import { RunQueries } from './run.queries';
import { RunRequestedHandler } from './run-requested.handler';
import { RunScopes } from './run.scopes';
import { RunStepStore } from './run-step.store';
import { RunStore } from './run.store';
import { RunSweeper } from './run.sweeper';
import { RunTransitions } from './run.transitions';
import { RunsController } from './runs.controller';
import { StepDispatcher } from './step.dispatcher';
import { StepEventsHandler } from './step-events.handler';
import { StepEventsProcessor } from './step-events.processor';
import { SweepAlarm } from './sweep.alarm';

/** Runs: creation (HTTP and RunRequested), the engine, dispatch, leases, the sweeper, feed retention. */
@Module({
  imports: [orchestratorDatabase, DefinitionsModule, RegistryModule],
  controllers: [RunsController, RunRequestedHandler, StepEventsHandler],
  providers: [
    RunOutbox,
    RunMetrics,
    RunStore,
    RunStepStore,
    RunLogStore,
    RunScopes,
    FairShareGate,
    RunTransitions,
    StepDispatcher,
    SweepAlarm,
    RunEngine,
    RunAdmission,
    RunCreator,
    RunCommands,
    RunQueries,
    StepEventsProcessor,
    RunSweeper,
    RunFeedRetention,
  ],
  exports: [RunStore, RunLogStore, RunQueries],
})
export class RunsModule {}
