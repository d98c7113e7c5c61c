import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, HostRuntime, serviceConfigToken, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';

export type OrchestratorCall = UpstreamCall;

/**
 * The orchestrator's internal HTTP API (`/internal/orchestrator`) behind the gateway's jobs, workflows
 * and runs routes: YAML bodies go as they are, a run's event stream is relayed for as long as it lasts.
 */
@Injectable()
export class OrchestrationClient {
  private readonly upstream: UpstreamForwarder;

  constructor(@Inject(serviceConfigToken('gateway')) config: GatewayConfig, @Inject(HOST_RUNTIME) runtime: HostRuntime) {
    this.upstream = UpstreamForwarder.forService('orchestrator', config.FLOWFORGE_ORCHESTRATOR_URL, runtime);
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  forward(call: OrchestratorCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    return this.upstream.forward(call, req, res);
  }
}
