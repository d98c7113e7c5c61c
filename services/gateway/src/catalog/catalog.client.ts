import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, HostRuntime, serviceConfigToken, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';

export type CatalogCall = Omit<UpstreamCall, 'raw'>;

/** The catalog's internal HTTP API (`/internal/catalog`) behind the gateway's connections and assets routes. */
@Injectable()
export class CatalogClient {
  private readonly upstream: UpstreamForwarder;

  constructor(@Inject(serviceConfigToken('gateway')) config: GatewayConfig, @Inject(HOST_RUNTIME) runtime: HostRuntime) {
    this.upstream = UpstreamForwarder.forService('catalog', config.FLOWFORGE_CATALOG_URL, runtime);
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /** Sends `call` and relays the answer (status, problem+json, streamed download) into `res`. */
  forward(call: CatalogCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    return this.upstream.forward(call, req, res);
  }
}
