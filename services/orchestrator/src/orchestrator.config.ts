import { env, type ConfigOf } from '@flowforge/service-kit';

const EXECUTOR_SLOTS_PATTERN = /^\s*(?:[a-z0-9][a-z0-9_.-]*|\*)\s*=\s*[1-9]\d{0,5}\s*(?:,\s*(?:[a-z0-9][a-z0-9_.-]*|\*)\s*=\s*[1-9]\d{0,5}\s*)*$/;

/** FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS parsed: slots per executor, and `*` (every other one). */
export function executorSlots(value: string): { byExecutor: Map<string, number>; other: number } {
  const byExecutor = new Map<string, number>();
  let other = 16;
  for (const pair of value.split(',')) {
    const [name, n] = pair.split('=').map((p) => p.trim()) as [string, string];
    if (name === '*') other = Number(n);
    else byExecutor.set(name, Number(n));
  }
  return { byExecutor, other };
}

/**
 * Variables only the orchestrator reads. Defaults suit production; tests shorten the intervals.
 * Leases: an executor renews an attempt's lease with StepStarted/StepProgress/StepLog (leaseMs comes
 * from StepStarted); an attempt nobody started within the dispatch timeout counts as lost as well.
 */
export const orchestratorConfigVariables = {
  FLOWFORGE_ORCHESTRATOR_MAX_ACTIVE_RUNS: env.int(
    { min: 0, max: 100_000, def: 0 },
    { description: 'runs in state running across every workflow; 0 = no global limit (beyond it runs wait in queued)' },
  ),
  FLOWFORGE_ORCHESTRATOR_SWEEP_MS: env.int(
    { min: 20, max: 60_000, def: 1_000 },
    { description: 'period of the sweeper (expired leases, due retries, step and run timeouts, queued runs)' },
  ),
  // Long on purpose (Airflow's task_queued_timeout is 10 min too): an executor that took a dispatch
  // announces StepStarted in the same transaction, and a dead one's dispatches go back to its group,
  // so this only catches "no executor at all" — a busy executor must not see its queue duplicated.
  FLOWFORGE_ORCHESTRATOR_DISPATCH_TIMEOUT_MS: env.int(
    { min: 50, max: 86_400_000, def: 600_000 },
    { description: 'a dispatched attempt no executor started within this time is re-dispatched' },
  ),
  FLOWFORGE_ORCHESTRATOR_DEFAULT_LEASE_MS: env.int(
    { min: 50, max: 3_600_000, def: 30_000 },
    { description: 'lease of a started attempt when the executor announced none (leaseMs = 0)' },
  ),
  FLOWFORGE_ORCHESTRATOR_MAX_LOST_ATTEMPTS: env.int(
    { min: 0, max: 100, def: 3 },
    { description: 'lease losses tolerated per step before it fails with FF_STEP_LEASE_LOST' },
  ),
  FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS: env.int(
    { min: 20, max: 60_000, def: 1_000 },
    { description: 'fallback polling of the run event stream (SSE) when no notification arrives' },
  ),
  // The orchestrator decides what reaches an executor's topic, so it is where one requester is kept from
  // taking a whole pool: an executor takes dispatches in order, and what it took it keeps until done.
  FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS: env.string('builtin=64,*=16', {
    pattern: EXECUTOR_SLOTS_PATTERN,
    expected: 'comma-separated executor=slots pairs, "*" for every other executor, e.g. "builtin=64,spark=8,*=16"',
    description: 'attempts each executor pool runs at once (summed over its replicas): what fair share divides',
  }),
  FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_PERCENT: env.int(
    { min: 1, max: 100, def: 50 },
    { description: "most of an executor pool's slots one requester (or workflow) may hold at once; 100 = no fair share" },
  ),
  FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY: env.enumOf(['requester', 'workflow'] as const, 'requester', {
    description: "whose share is counted: the run's requester (requestedBy) or its workflow",
  }),
  FLOWFORGE_ORCHESTRATOR_MAX_STEP_SECONDS: env.int(
    { min: 1, max: 2_147_483, def: 86_400 },
    { description: 'longest any step attempt may run: the timeout of a step without timeoutMs, and the cap of a longer one' },
  ),
  // Logs and transitions are most of the schema's growth; a finished run keeps its steps and attempts.
  FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS: env.int(
    { min: 0, max: 36_500, def: 30 },
    { description: 'days the log lines and state transitions of a finished run are kept (counted from its end); 0 = keep forever' },
  ),
  // Off when dedicated processes host the `builtin` executor (scaled on their own, or killed in tests):
  // the orchestrator then neither takes builtin dispatches nor announces the builtin job types.
  FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR: env.enumOf(['true', 'false'] as const, 'true', {
    description: 'host the builtin executor (noop, sleep, fail) in this process',
  }),
};

export type OrchestratorConfig = ConfigOf<typeof orchestratorConfigVariables>;
