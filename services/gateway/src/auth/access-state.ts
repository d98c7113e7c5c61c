import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Permission } from '@flowforge/access';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { AuthClient } from './auth.client';

interface AccessModelView {
  roles: { name: string; permissions: Permission[] }[];
}

/**
 * What the guard must know beyond the token itself, kept in memory so authorization costs no I/O:
 * the role → permissions matrix, and the sessions revoked while their access tokens may still be live.
 * Kept current three ways: a change this gateway forwarded is applied before the client gets the answer
 * (markRevoked, refreshNow); every replica hears the auth service's auth.session-revoked and
 * auth.access-changed events (AccessEventsListener, within a second); and, as a fallback for an event
 * lost or a bus down, everything is re-read every FLOWFORGE_AUTH_CACHE_SECONDS (default 60 s). A
 * refresh that fails keeps the last good state (and is logged): auth being briefly down must not turn
 * every request into a 5xx.
 */
@Injectable()
export class AccessState implements OnApplicationShutdown {
  private matrix = new Map<string, ReadonlySet<Permission>>();
  private revoked = new Map<string, number>();
  private loadedAt = 0;
  private inflight?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly auth: AuthClient,
    @Inject(serviceConfigToken('gateway')) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  private get ttlMs(): number {
    return this.config.FLOWFORGE_AUTH_CACHE_SECONDS * 1000;
  }

  /** Loads on first use (the embedded host's auth module answers only once the process listens). */
  async ready(): Promise<void> {
    if (this.loadedAt === 0) await this.refresh();
    else if (Date.now() - this.loadedAt > this.ttlMs) void this.refresh().catch(() => undefined);
    if (!this.timer) {
      this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.ttlMs);
      this.timer.unref();
    }
  }

  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** A refresh that starts after now: one already in flight may have read the state before the change. */
  async refreshNow(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    await this.refresh();
  }

  /** Whether the first load happened (before it, there is nothing stale to refresh). */
  get loaded(): boolean {
    return this.loadedAt !== 0;
  }

  private async load(): Promise<void> {
    try {
      const [model, revoked] = await Promise.all([
        this.auth.json<AccessModelView>({ method: 'GET', path: '/access-model' }),
        this.auth.json<{ sessionId: string; expiresAt: string }[]>({ method: 'GET', path: '/revoked-sessions' }),
      ]);
      this.matrix = new Map(model.body.roles.map((r) => [r.name, new Set(r.permissions)]));
      const now = Date.now();
      for (const [sid, until] of this.revoked) if (until < now) this.revoked.delete(sid);
      for (const r of revoked.body) this.revoked.set(r.sessionId, Date.parse(r.expiresAt));
      this.loadedAt = now;
    } catch (err) {
      this.logger.warn({ err }, 'access state refresh failed; keeping the last one');
      if (this.loadedAt === 0) throw err;
    }
  }

  permissionsOf(roles: readonly string[]): Set<Permission> {
    const out = new Set<Permission>();
    for (const role of roles) for (const p of this.matrix.get(role) ?? []) out.add(p);
    return out;
  }

  knownRoles(): string[] {
    return [...this.matrix.keys()];
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /**
   * Refuses the session's access tokens from now on, until `until` (ms; after it they have all expired
   * anyway): this gateway forwarded the revocation, or the bus told of it.
   */
  markRevoked(sessionId: string, until = Date.now() + 3_600_000): void {
    if (until <= Date.now()) return;
    this.revoked.set(sessionId, Math.max(until, this.revoked.get(sessionId) ?? 0));
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
