import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';

/** The transformation service's internal API (/internal/transformation) behind /api/v1/transform, /api/v1/sql and the as-of query. */
@Injectable()
export class TransformationClient {
  private readonly upstream: UpstreamForwarder;

  constructor(@Inject(serviceConfigToken('gateway')) config: GatewayConfig, @Inject(HOST_RUNTIME) runtime: HostRuntime) {
    this.upstream = UpstreamForwarder.forService('transformation', config.FLOWFORGE_TRANSFORMATION_URL, runtime);
  }

  /** Sends `call` and relays the answer (status, problem+json) into `res`. */
  forward(call: Omit<UpstreamCall, 'raw'>, req: HttpRequest, res: HttpResponse): Promise<void> {
    return this.upstream.forward(call, req, res);
  }
}
