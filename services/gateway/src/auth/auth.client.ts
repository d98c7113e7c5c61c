import { Inject, Injectable } from '@nestjs/common';
import { HOST_RUNTIME, HostRuntime, LOGGER, serviceConfigToken, UpstreamProblem, type FlowForgeLogger, type HttpResponse } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { UpstreamForwarder, type UpstreamCall } from '../upstream/upstream.forwarder';
import type { AuthenticatedRequest } from './principal';

/** The auth service's internal API (`/internal/auth`): the public identity routes and what the guard needs. */
@Injectable()
export class AuthClient {
  private readonly upstream: UpstreamForwarder;

  constructor(
    @Inject(serviceConfigToken('gateway')) config: GatewayConfig,
    @Inject(HOST_RUNTIME) runtime: HostRuntime,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {
    this.upstream = UpstreamForwarder.forService('auth', config.FLOWFORGE_AUTH_URL, runtime);
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /**
   * Forwards with the caller (or the anonymous client) in the actor headers. `beforeAnswer(status, headers)`
   * runs after auth answered and before the client gets the answer (a revocation is applied here first);
   * it never fails the answer: the change is made, the bus and the periodic resync still carry it.
   */
  forward(
    call: UpstreamCall,
    req: AuthenticatedRequest,
    res: HttpResponse,
    beforeAnswer?: (status: number, headers: Headers) => Promise<void> | void,
  ): Promise<void> {
    const hook = beforeAnswer
      ? async (upstream: Response) => {
          try {
            await beforeAnswer(upstream.status, upstream.headers);
          } catch (err) {
            this.logger.warn({ err, path: call.path }, 'applying an access change before answering failed; the bus and the periodic resync carry it');
          }
        }
      : undefined;
    return this.upstream.forward(call, req, res, hook);
  }

  /** A JSON call for the gateway itself; a problem answer becomes `onProblem(status, body)` or an UpstreamProblem. */
  async json<T>(call: UpstreamCall): Promise<{ status: number; body: T }> {
    const res = await this.upstream.send(call);
    const body = (await res.json().catch(() => null)) as T;
    if (res.status >= 500) throw new UpstreamProblem('FF_AUTH_FAILED', `auth answered ${res.status} to ${call.method} ${call.path}`);
    return { status: res.status, body };
  }
}
