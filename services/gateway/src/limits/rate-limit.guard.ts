import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RouteAccess } from '@flowforge/access';
import { FlowForgeError, serviceConfigToken } from '@flowforge/service-kit';
import type { GatewayConfig } from '../gateway.config';
import type { AuthenticatedRequest } from '../auth/principal';
import { ROUTE_ACCESS } from '../auth/route-access';

export class RateLimitedError extends FlowForgeError {
  constructor(retryAfterSeconds: number, who: string) {
    super(
      'FF_RATE_LIMITED',
      429,
      'Too many requests',
      `too many requests from ${who}: retry after ${retryAfterSeconds} s (the gateway's FLOWFORGE_RATE_LIMIT_* settings)`,
    );
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept at most; past it, full (idle) buckets are dropped first, so memory stays bounded whatever the callers. */
const MAX_BUCKETS = 50_000;

/**
 * A token bucket per key: `burst` requests at once, refilled at `perSecond`. perSecond 0: no limit.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token: 0 when the request may go, else the seconds until one is available. */
  take(key: string): number {
    if (this.perSecond <= 0) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    // Re-insert: the Map's order is then least recently used first, which the sweep relies on.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_BUCKETS) this.sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= MAX_BUCKETS * 0.9) return;
      const full = bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.burst;
      if (full) this.buckets.delete(key);
    }
    // Every bucket busy (a flood of distinct keys): drop the least recently used ones.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS * 0.9) return;
      this.buckets.delete(key);
    }
  }
}

/**
 * Global at the gateway, after the AuthGuard (it is registered after it): every /api route that
 * declares its access is rate limited per principal (a user and its API tokens share one bucket), and
 * per client address for anonymous calls (sign-in, password reset). 429 problem+json with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly principals: TokenBuckets;
  private readonly anonymous: TokenBuckets;

  constructor(
    private readonly reflector: Reflector,
    @Inject(serviceConfigToken('gateway')) config: GatewayConfig,
  ) {
    this.principals = new TokenBuckets(config.FLOWFORGE_RATE_LIMIT_PER_SECOND, config.FLOWFORGE_RATE_LIMIT_BURST);
    this.anonymous = new TokenBuckets(config.FLOWFORGE_RATE_LIMIT_ANONYMOUS_PER_SECOND, config.FLOWFORGE_RATE_LIMIT_ANONYMOUS_BURST);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (!access) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const actor = req.principal?.actor;
    if (actor) {
      const wait = this.principals.take(actor.userId ? `user:${actor.userId}` : `${actor.type}:${actor.id}`);
      if (wait) throw new RateLimitedError(wait, actor.name);
      return true;
    }
    const address = req.socket?.remoteAddress ?? 'unknown';
    const wait = this.anonymous.take(address);
    if (wait) throw new RateLimitedError(wait, `address ${address}`);
    return true;
  }
}
