import { Inject, Injectable } from '@nestjs/common';
import { actorHeaders } from '@flowforge/access';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime, type HttpRequest, type HttpResponse } from '@flowforge/service-kit';
import { actorOf } from '../auth/principal';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';

/** The triggers service's internal API (/internal/triggers), as the gateway's public routes use it. */
@Injectable()
export class TriggersClient {
  private readonly upstream: UpstreamForwarder;

  constructor(@Inject(serviceConfigToken('gateway')) config: GatewayConfig, @Inject(HOST_RUNTIME) runtime: HostRuntime) {
    this.upstream = UpstreamForwarder.forService('triggers', config.FLOWFORGE_TRIGGERS_URL, runtime);
  }

  forward(call: UpstreamCall, req: HttpRequest, res: HttpResponse): Promise<void> {
    return this.upstream.forward(call, req, res);
  }

  /** Sends `call` as the caller of `req` (actor headers) and hands back the answer, for a route that combines several. */
  send(call: UpstreamCall, req: HttpRequest): Promise<Response> {
    return this.upstream.send({ ...call, headers: { ...actorHeaders(actorOf(req)), ...call.headers } });
  }
}
