import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';

/** The ingestion service's internal API (/internal/ingestion), as the gateway's public routes use it. */
@Injectable()
export class IngestionClient {
  private readonly upstream: UpstreamForwarder;

  constructor(@Inject(serviceConfigToken('gateway')) config: GatewayConfig, @Inject(HOST_RUNTIME) runtime: HostRuntime) {
    this.upstream = UpstreamForwarder.forService('ingestion', config.FLOWFORGE_INGESTION_URL, runtime);
  }

  forward(call: UpstreamCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    return this.upstream.forward(call, req, res);
  }
}
