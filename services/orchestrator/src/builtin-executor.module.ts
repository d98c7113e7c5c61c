import { builtinJobTypes, ExecutorModule } from '@flowforge/executor';

/** noop/sleep/fail (libs/executor) hosted by the orchestrator, so they run in every mode. */
export const BuiltinExecutorModule = ExecutorModule.register({ executor: 'builtin', jobTypes: builtinJobTypes });
