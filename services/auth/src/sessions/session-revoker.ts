import { Inject, Injectable } from '@nestjs/common';
import type { EventBus } from '@flowforge/bus';
import { AuthSessionRevoked } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { EVENT_BUS, serviceConfigToken } from '@flowforge/service-kit';
import type { AuthConfig } from '../auth.config';

export type RevokeReason = 'logout' | 'revoked' | 'refresh-reuse' | 'password-changed' | 'user-disabled' | 'user-deleted';

/**
 * Ends sessions, keeps them on the revocation list (ff_auth.session_revocations, which outlives a deleted
 * user's sessions) and tells the gateways (auth.session-revoked), all in the caller's transaction: a
 * gateway refuses the session's access tokens from the moment it hears it, not only when they expire.
 */
@Injectable()
export class SessionRevoker {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(serviceConfigToken('auth')) private readonly config: AuthConfig,
  ) {}

  async revoke(tx: Queryable, where: { sessionId?: string; userId?: string; exceptSessionId?: string }, reason: RevokeReason): Promise<string[]> {
    const params: unknown[] = [reason];
    const filters: string[] = ['revoked_at IS NULL'];
    if (where.sessionId) filters.push(`id = $${params.push(where.sessionId)}`);
    if (where.userId) filters.push(`user_id = $${params.push(where.userId)}`);
    if (where.exceptSessionId) filters.push(`id <> $${params.push(where.exceptSessionId)}`);
    const { rows } = await tx.query<{ id: string; user_id: string; expires_at: Date }>(
      `UPDATE ff_auth.sessions SET revoked_at = now(), revoked_reason = $1 WHERE ${filters.join(' AND ')} RETURNING id, user_id, expires_at`,
      params,
    );
    // Past this, every access token the session was given has expired anyway: gateways may forget it.
    const forgetAt = Date.now() + (this.config.FLOWFORGE_AUTH_ACCESS_TOKEN_SECONDS + 60) * 1000;
    if (rows.length > 0) {
      // The list gateways load at start and re-read: kept apart from the sessions, which a user's deletion removes.
      await tx.query(
        `INSERT INTO ff_auth.session_revocations (session_id, user_id, reason, forget_at)
         SELECT unnest($1::uuid[]), unnest($2::uuid[]), $3, $4 ON CONFLICT (session_id) DO NOTHING`,
        [rows.map((r) => r.id), rows.map((r) => r.user_id), reason, new Date(forgetAt)],
      );
      await tx.query(`DELETE FROM ff_auth.session_revocations WHERE forget_at < now() - interval '1 hour'`);
      await this.bus.publishMany(
        AuthSessionRevoked,
        rows.map((r) => ({ key: r.user_id, event: { sessionId: r.id, userId: r.user_id, reason, expiresAt: forgetAt } })),
        { tx },
      );
    }
    return rows.map((r) => r.id);
  }
}
