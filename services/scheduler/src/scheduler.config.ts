import { env, type ConfigOf } from '@flowforge/service-kit';

/** Variables the scheduler reads (services/scheduler/README.md, Configuration). */
export const schedulerConfigVariables = {
  // How often the fire loop looks for due schedules; 0 = no loop in this process (API only).
  FLOWFORGE_SCHEDULER_TICK_MS: env.int({ min: 0, max: 60_000, def: 200 }),
  // Schedules claimed per loop transaction; the loop goes on at once while it finds a full batch.
  FLOWFORGE_SCHEDULER_BATCH: env.int({ min: 1, max: 5000, def: 500 }),
  // Loop transactions at once in this process (each claims its own batch).
  FLOWFORGE_SCHEDULER_WORKERS: env.int({ min: 1, max: 8, def: 2 }),
  // How long before a due time the loop claims and decides its schedules, holding them in open transactions that commit at
  // the due time (0 = claim only once due). Bounds how long a schedule's row is locked ahead of its fire.
  FLOWFORGE_SCHEDULER_PREPARE_MS: env.int({ min: 0, max: 10_000, def: 5000 }),
  // A fire time late by at most this is fired whatever the catchup policy; later it is a misfire.
  FLOWFORGE_SCHEDULER_MISFIRE_GRACE_MS: env.int({ min: 1000, max: 86_400_000, def: 60_000 }),
  // Days a fire time's history row is kept (0 = forever); rows of buffered fires and active runs stay. Pruned by the loop every 10 minutes.
  FLOWFORGE_SCHEDULER_HISTORY_DAYS: env.int({ min: 0, max: 36_500, def: 30 }),
  // Days a workflow stays known as a writer of a lake asset after its last commit to it (0 = forever): conflict warnings
  // between workflows compare the assets they wrote. Pruned with the history.
  FLOWFORGE_SCHEDULER_ASSET_DAYS: env.int({ min: 0, max: 36_500, def: 90 }),
  // The orchestrator, for overlap "cancel_running". Unset: the process's own port when embedded, else http://127.0.0.1:8103.
  FLOWFORGE_ORCHESTRATOR_URL: env.optionalUrl(['http:', 'https:'], 'http://orchestrator:8103'),
};

export type SchedulerConfig = ConfigOf<typeof schedulerConfigVariables>;
