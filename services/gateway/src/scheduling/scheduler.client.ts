import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, HostRuntime, serviceConfigToken, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
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
}
