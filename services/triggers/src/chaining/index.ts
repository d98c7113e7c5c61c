export { ChainingModule } from './chaining.module';
export { chainingConfigVariables, type ChainingConfig } from './chaining.config';
export { CHAINING_CLOCK, systemClock, type ChainingClock } from './chaining.clock';
export { ChainWaitStore, type Arrival, type ArrivalRecord, type WaitRecord } from './chain-wait.store';
export { ChainWindowSweeper, type ChainSweepReport } from './chain-window.sweeper';
export { WorkflowEventSource, assertNoSelfLoop } from './workflow.source';
export { WorkflowTriggerIndex } from './workflow-trigger.index';
export { workflowTriggerConfigSchema, resolveWorkflowTrigger, type WorkflowTriggerConfig } from './workflow-trigger.config';
export { parseCondition, evaluateCondition, ConditionSyntaxError } from './condition.parser';
