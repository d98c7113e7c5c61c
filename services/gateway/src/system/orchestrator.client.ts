import { Inject, Injectable } from '@nestjs/common';
import { currentTraceHeaders, HOST_RUNTIME, HostRuntime, serviceConfigToken, UpstreamProblem } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';

export interface OrchestratorEchoReceipt {
  id: string;
  message: string;
  handledCount: number;
  handledAt: string;
}

const TIMEOUT_MS = 5_000;

/** The orchestrator's internal HTTP API as the gateway sees it (queries only; facts go over the bus). */
@Injectable()
export class OrchestratorClient {
  constructor(
    @Inject(serviceConfigToken('gateway')) private readonly config: GatewayConfig,
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
  ) {}

  /** Read per call: when embedded the peer is this process, whose port is known only once it listens (tests listen on 0). */
  private get baseUrl(): string {
    return (this.config.FLOWFORGE_ORCHESTRATOR_URL ?? this.runtime.defaultServiceUrl('orchestrator')).replace(/\/$/, '');
  }

  /** null while the orchestrator has not handled the echo. */
  async findEcho(id: string): Promise<OrchestratorEchoReceipt | null> {
    const url = `${this.baseUrl}/internal/orchestrator/echo/${encodeURIComponent(id)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', ...currentTraceHeaders(), ...this.runtime.internalHeaders() },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new UpstreamProblem(
        'FF_ORCHESTRATOR_UNREACHABLE',
        `orchestrator at ${this.baseUrl} did not answer: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new UpstreamProblem('FF_ORCHESTRATOR_FAILED', `orchestrator answered ${res.status} for echo ${id}`);
    return (await res.json()) as OrchestratorEchoReceipt;
  }
}
