import { type DynamicModule, Module } from '@nestjs/common';
import { CHAINING_CLOCK, type ChainingClock } from './chaining.clock';
import { ChainWaitStore } from './chain-wait.store';
import { ChainWindowSweeper } from './chain-window.sweeper';
import { OrchestratorRunsClient } from './orchestrator-runs.client';
import { RunEndedHandler } from './run-ended.handler';
import { WorkflowChain } from './workflow-chain.service';
import { WorkflowTriggerIndex } from './workflow-trigger.index';
import { WorkflowEventSource } from './workflow.source';

/**
 * Workflow chaining: the `workflow` EventSource (exported, for the trigger core's EVENT_SOURCES), the
 * `run.state-changed` consumer and the window sweeper. `database` is the triggers service's
 * ServiceDatabaseModule (the same object its root module imports, so one DataSource and one pool).
 */
@Module({})
export class ChainingModule {
  static register(database: DynamicModule): DynamicModule {
    return {
      module: ChainingModule,
      imports: [database],
      controllers: [RunEndedHandler],
      providers: [
        // One clock object per application (tests replace its `now`), never the shared systemClock.
        { provide: CHAINING_CLOCK, useFactory: (): ChainingClock => ({ now: () => new Date() }) },
        WorkflowTriggerIndex,
        ChainWaitStore,
        OrchestratorRunsClient,
        WorkflowChain,
        ChainWindowSweeper,
        WorkflowEventSource,
      ],
      exports: [WorkflowEventSource, WorkflowTriggerIndex, ChainWaitStore, ChainWindowSweeper, CHAINING_CLOCK],
    };
  }
}
