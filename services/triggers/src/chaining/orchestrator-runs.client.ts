import { Inject, Injectable } from '@nestjs/common';
import { currentTraceHeaders, HOST_RUNTIME, serviceConfigToken, type HostRuntime } from '@flowforge/service-kit';
import type { ChainingConfig } from './chaining.config';
import { UpstreamUnavailableError } from './chaining.errors';

/** What chaining reads of a finished run: its state and each step's state and outputs. */
export interface UpstreamRun {
  id: string;
  workflow: string;
  state: string;
  steps: { stepId: string; state: string; outputs: Record<string, unknown> | null }[];
}

const TIMEOUT_MS = 10_000;

/**
 * Reads a run with its steps' outputs from the orchestrator's internal API (`GET
 * /internal/orchestrator/runs/{id}`, the route behind the public GET /api/v1/runs/{id}) with the internal
 * token. A run the orchestrator does not know (a run request it refused answers `null → failed` without
 * creating the run) is null; no answer or a 5xx throws, and the bus retries the event.
 */
@Injectable()
export class OrchestratorRunsClient {
  constructor(
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
    @Inject(serviceConfigToken('triggers')) private readonly config: ChainingConfig,
  ) {}

  private get base(): string {
    return (this.config.FLOWFORGE_ORCHESTRATOR_URL ?? this.runtime.defaultServiceUrl('orchestrator')).replace(/\/$/, '');
  }

  async run(runId: string): Promise<UpstreamRun | null> {
    const url = `${this.base}/internal/orchestrator/runs/${encodeURIComponent(runId)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...currentTraceHeaders(), ...this.runtime.internalHeaders() },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new UpstreamUnavailableError(`reading run ${runId}: the orchestrator at ${this.base} did not answer (${(err as Error).message})`, { cause: err });
    }
    const text = await res.text();
    // 400: not a uuid, so not a run the orchestrator created either.
    if (res.status === 404 || res.status === 400) return null;
    if (!res.ok) throw new UpstreamUnavailableError(`reading run ${runId}: the orchestrator answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as UpstreamRun;
  }
}
