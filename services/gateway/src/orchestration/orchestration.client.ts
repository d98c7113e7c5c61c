import { Inject, Injectable } from '@nestjs/common';
import { actorHeaders } from '@flowforge/access';
import { HOST_RUNTIME, HostRuntime, serviceConfigToken, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { actorOf } from '../auth/principal';
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

  /** Sends `call` as the caller of `req` (actor headers) and hands back the answer, for a route that combines several. */
  send(call: UpstreamCall, req: HttpRequest): Promise<Response> {
    return this.upstream.send({ ...call, headers: { ...actorHeaders(actorOf(req)), ...call.headers } });
  }
}
