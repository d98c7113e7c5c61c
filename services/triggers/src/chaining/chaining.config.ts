import { env, type ConfigOf } from '@flowforge/service-kit';

/**
 * Variables of workflow chaining, read by the triggers service (spread into its definition's config).
 * The sweep period bounds how late a wait-for-all window that ended incomplete is settled.
 */
export const chainingConfigVariables = {
  FLOWFORGE_ORCHESTRATOR_URL: env.optionalUrl(['http:', 'https:'], 'http://orchestrator:8103', {
    description: "the orchestrator's internal API (reads of upstream runs' outputs); default: this process when embedded, else port 8103",
  }),
  FLOWFORGE_TRIGGERS_CHAIN_SWEEP_MS: env.int(
    { min: 50, max: 600_000, def: 5_000 },
    { description: 'period of the chaining sweeper (wait-for-all windows that ended incomplete, retention)' },
  ),
  FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH: env.int(
    { min: 1, max: 1_000, def: 10 },
    { description: 'longest chain of workflow triggers (A starts B starts C …) before the next link is refused: the bound on indirect cycles' },
  ),
  FLOWFORGE_TRIGGERS_CHAIN_RETENTION_DAYS: env.int(
    { min: 1, max: 36_500, def: 30 },
    { description: 'days the record of upstream arrivals, settled waits and chain depths is kept' },
  ),
};

export type ChainingConfig = ConfigOf<typeof chainingConfigVariables>;
