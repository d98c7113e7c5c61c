import { ConfigError, loadConfig } from '@flowforge/service-kit';
import { orchestratorConfigVariables } from './orchestrator.config';

describe('orchestrator configuration', () => {
  it('has production defaults', () => {
    expect(loadConfig(orchestratorConfigVariables, {})).toEqual({
      FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS: 0,
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: 1000,
      FLOWFORGE_ORCHESTRATOR_DISPATCH_TIMEOUT_MS: 600_000,
      FLOWFORGE_ORCHESTRATOR_DEFAULT_LEASE_MS: 30_000,
      FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS: 3,
      FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS: 1000,
      FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR: 'true',
    });
  });

  it('turns the hosted builtin executor off, and refuses anything but true/false', () => {
    expect(loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR: 'false' }).FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR).toBe('false');
    expect(() => loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR: 'no' })).toThrow(
      'FF_CONFIG: FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR must be one of "true", "false" (got "no")',
    );
  });

  it('names every bad variable and the expected form', () => {
    let issues: readonly string[] = [];
    try {
      loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '5', FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS: 'many' });
    } catch (err) {
      if (err instanceof ConfigError) issues = err.issues;
    }
    expect(issues).toEqual([
      'FF_CONFIG: FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS must be an integer between 0 and 100000 (got "many")',
      'FF_CONFIG: FLOWFORGE_ORCHESTRATOR_SWEEP_MS must be an integer between 20 and 60000 (got "5")',
    ]);
  });
});
