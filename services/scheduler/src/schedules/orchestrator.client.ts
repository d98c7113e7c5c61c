import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime } from '@flowforge/service-kit';
import type { SchedulerConfig } from '../scheduler.config';

/** The orchestrator's internal API, for overlap "cancel_running": the scheduler cancels its own older runs. */
@Injectable()
export class OrchestratorClient {
  constructor(
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
    @Inject(serviceConfigToken('scheduler')) private readonly config: SchedulerConfig,
  ) {}

  private get base(): string {
    return (this.config.FLOWFORGE_ORCHESTRATOR_URL ?? this.runtime.defaultServiceUrl('orchestrator')).replace(/\/$/, '');
  }

  /** Cancels a run; a run already finished (409) or unknown (404: the request is still on its way) is fine. */
  async cancel(runId: string, reason: string): Promise<void> {
    const res = await fetch(`${this.base}/internal/orchestrator/runs/${runId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...this.runtime.internalHeaders() },
      body: JSON.stringify({ reason, requestedBy: 'scheduler' }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok && res.status !== 409) throw new Error(`the orchestrator answered ${res.status}: ${text.slice(0, 500)}`);
  }
}
