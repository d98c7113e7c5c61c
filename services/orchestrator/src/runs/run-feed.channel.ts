/** NOTIFY channel of the run feed; the payload is the run id. Committed with each change of a run. */
export const RUN_FEED_CHANNEL = 'ff_orchestrator_run_feed';
