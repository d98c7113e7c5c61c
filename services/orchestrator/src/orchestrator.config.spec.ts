import { ConfigError, loadConfig } from '@flowforge/service-kit';
import { BUILTIN_SLOTS } from './builtin-executor.module';
import { executorSlots, orchestratorConfigVariables } from './orchestrator.config';

describe('orchestrator configuration', () => {
  it('has production defaults', () => {
    expect(loadConfig(orchestratorConfigVariables, {})).toEqual({
      FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS: 0,
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: 1000,
      FLOWFORGE_ORCHESTRATOR_DISPATCH_TIMEOUT_MS: 600_000,
      FLOWFORGE_ORCHESTRATOR_DEFAULT_LEASE_MS: 30_000,
      FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS: 3,
      FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS: 1000,
      FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS: 'builtin=64,*=16',
      FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_PERCENT: 50,
      FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY: 'requester',
      FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS: 86_400,
      FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS: 30,
      FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR: 'true',
    });
  });

  it('reads executor pool sizes as executor=slots pairs, "*" for the others, and refuses anything else', () => {
    const parsed = executorSlots(
      loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS: ' builtin = 8, spark=2 ,*=4' }).FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS,
    );
    expect(parsed).toEqual({
      byExecutor: new Map([
        ['builtin', 8],
        ['spark', 2],
      ]),
      other: 4,
    });
    expect(executorSlots('builtin=64').other).toBe(16);
    // The default divides the pool the orchestrator really hosts.
    expect(executorSlots(loadConfig(orchestratorConfigVariables, {}).FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS).byExecutor.get('builtin')).toBe(BUILTIN_SLOTS);
    for (const bad of ['builtin', 'builtin=0', 'builtin=-1', 'builtin=8,', 'Builtin=8', 'builtin=8;spark=2', 'builtin=1000000']) {
      expect(() => loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS: bad })).toThrow(
        'FF_CONFIG: FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS must be comma-separated executor=slots pairs',
      );
    }
    expect(() => loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_PERCENT: '0' })).toThrow(
      'FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_PERCENT must be an integer between 1 and 100',
    );
    expect(() => loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY: 'user' })).toThrow(
      'FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY must be one of "requester", "workflow"',
    );
    expect(() => loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS: '0' })).toThrow(
      'FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS must be an integer between 1 and 2147483',
    );
    expect(() => loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS: '-1' })).toThrow(
      'FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS must be an integer between 0 and 36500',
    );
    expect(loadConfig(orchestratorConfigVariables, { FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS: '0' }).FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS).toBe(0);
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
