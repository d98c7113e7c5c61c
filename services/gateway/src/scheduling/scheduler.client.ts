import { Inject, Injectable } from '@nestjs/common';
import { actorHeaders } from '@flowforge/access';
import { HOST_RUNTIME, HostRuntime, serviceConfigToken, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { actorOf } from '../auth/principal';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';

/** The scheduler's internal HTTP API (`/internal/scheduler`) behind /api/v1/schedules. */
@Injectable()
export class SchedulerClient {
  private readonly upstream: UpstreamForwarder;

  constructor(@Inject(serviceConfigToken('gateway')) config: GatewayConfig, @Inject(HOST_RUNTIME) runtime: HostRuntime) {
    this.upstream = UpstreamForwarder.forService('scheduler', config.FLOWFORGE_SCHEDULER_URL, runtime);
  }

  /** Sends `call` and relays the answer (status, problem+json) into `res`. */
  forward(call: Omit<UpstreamCall, 'raw'>, req: HttpRequest, res: HttpResponse): Promise<void> {
    return this.upstream.forward(call, req, res);
  }

  /** Sends `call` as the caller of `req` (actor headers) and hands back the answer, for a route that combines several. */
  send(call: UpstreamCall, req: HttpRequest): Promise<Response> {
    return this.upstream.send({ ...call, headers: { ...actorHeaders(actorOf(req)), ...call.headers } });
  }
}
