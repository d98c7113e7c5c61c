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
 * Refreshed from the auth service every FLOWFORGE_AUTH_CACHE_SECONDS (default 10 s) and at once when
 * this gateway forwarded the change itself (logout, role edit); another replica catches up within the
 * interval. A refresh that fails keeps the last good state (and is logged): auth being briefly down must
 * not turn every request into a 5xx.
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

  /** This gateway forwarded a revocation: refuse the session now, not at the next refresh. */
  markRevoked(sessionId: string): void {
    this.revoked.set(sessionId, Date.now() + 3_600_000);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
