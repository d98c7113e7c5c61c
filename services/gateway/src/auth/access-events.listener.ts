import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { EventBus, SubscribeOptions, Subscription } from '@flowforge/bus';
import { AuthAccessChanged, AuthSessionRevoked, type AuthAccessChangedEvent, type AuthSessionRevokedEvent } from '@flowforge/contracts';
import { EVENT_BUS, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { AccessState } from './access-state';
import { TokenVerifier } from './token-verifier';

/**
 * Every gateway replica must hear every revocation (a group shared by the replicas would hand each event
 * to one of them only): a broadcast subscription, `group` being the prefix of each replica's own.
 */
export const ACCESS_EVENTS_SUBSCRIPTION: SubscribeOptions = { group: 'gateway.access', broadcast: true, maxAttempts: 3, backoffMs: 100 };

/**
 * Applies the auth service's access events to this gateway's in-memory state, so a change made through
 * another replica is refused here within a second, not at the next poll: a revoked session's access
 * tokens (auth.session-revoked), and the cached verifications of a user's credentials or of a token, or
 * the role matrix (auth.access-changed). The handlers never call out and never throw: a gateway that
 * cannot reach the auth service must not dead-letter revocations.
 */
@Injectable()
export class AccessEventsListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscriptions: Subscription[] = [];

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly state: AccessState,
    private readonly verifier: TokenVerifier,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriptions.push(await this.bus.subscribe(AuthSessionRevoked, ACCESS_EVENTS_SUBSCRIPTION, async (e) => this.sessionRevoked(e)));
    this.subscriptions.push(await this.bus.subscribe(AuthAccessChanged, ACCESS_EVENTS_SUBSCRIPTION, async (e) => this.accessChanged(e)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.close().catch(() => undefined)));
  }

  sessionRevoked(e: AuthSessionRevokedEvent): void {
    this.state.markRevoked(e.sessionId, e.expiresAt);
  }

  accessChanged(e: AuthAccessChangedEvent): void {
    if (e.kind === 'user') this.verifier.forgetUser(e.subject);
    else if (e.kind === 'token') this.verifier.forgetToken(e.subject);
    else if (e.kind === 'role' && this.state.loaded) {
      // The matrix lives in the auth service: re-read in the background (an unloaded state reads it on first use).
      void this.state
        .refreshNow()
        .catch((err: unknown) => this.logger.warn({ err, role: e.subject }, 'role change heard, matrix refresh failed; the periodic one retries'));
    }
  }
}
