import { FlowForgeError } from '@flowforge/service-kit';

/**
 * Codes of workflow chaining. Refusals of a trigger are problems (4xx); the rest are logged by the bus
 * handler and the sweeper, each line starting with its code.
 *
 * - `FF_TRIGGER_CHAIN_LOOP` (400): the trigger's workflow is one of its own upstream workflows.
 * - `FF_TRIGGER_CHAIN_TOO_DEEP` (logged, recorded on the arrival): the upstream run was itself started by
 *   a chain FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH links long; no further run is requested.
 * - `FF_TRIGGER_UPSTREAM_UNAVAILABLE` (thrown in the handler, retried by the bus): the orchestrator did
 *   not answer the read of the upstream run's outputs.
 * - `FF_TRIGGER_CONDITION_FALSE`, `FF_TRIGGER_WAIT_TIMEOUT` (recorded): why an arrival fired nothing.
 */
export class ChainLoopProblem extends FlowForgeError {
  constructor(trigger: string, workflow: string) {
    super(
      'FF_TRIGGER_CHAIN_LOOP',
      400,
      'Trigger would start itself',
      `trigger "${trigger}" runs workflow "${workflow}", which is also in its upstream: every run would start the next; remove "${workflow}" from config.upstream`,
      [{ field: 'config.upstream', message: `contains the trigger's own workflow "${workflow}"` }],
    );
  }
}

export class UpstreamUnavailableError extends Error {
  readonly code = 'FF_TRIGGER_UPSTREAM_UNAVAILABLE';
  constructor(detail: string, options?: ErrorOptions) {
    super(`FF_TRIGGER_UPSTREAM_UNAVAILABLE: ${detail}`, options);
    this.name = 'UpstreamUnavailableError';
  }
}
