import { builtinJobTypes, ExecutorModule } from '@flowforge/executor';
import { serviceConfigToken } from '@flowforge/service-kit';
import type { OrchestratorConfig } from './orchestrator.config';

/**
 * Attempts of builtin jobs running at once in this process. The default of
 * FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS (`builtin=64`) is this pool, so fair share divides its real size.
 */
export const BUILTIN_SLOTS = 64;

/**
 * noop/sleep/fail (libs/executor) hosted by the orchestrator, so they run in every mode — unless
 * FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR=false leaves them to other processes hosting `builtin`.
 */
export const BuiltinExecutorModule = ExecutorModule.register({
  executor: 'builtin',
  jobTypes: builtinJobTypes,
  // The kit's default (4) bounds real work; builtin jobs cost nothing (noop, fail) or only wait (sleep):
  // with 4, four sleeping steps held the process's builtin capacity and bursts of noops saturated it
  // (each refusal stalls a dispatch partition for the bus's retry backoff).
  maxConcurrentSteps: BUILTIN_SLOTS,
  enabledWhen: {
    inject: serviceConfigToken('orchestrator'),
    when: (config: OrchestratorConfig) => config.FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR === 'true',
  },
});
