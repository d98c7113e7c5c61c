import { Inject, Injectable } from '@nestjs/common';
import { generateOpaqueToken, parseOpaqueToken, tokenSecretMatches, type Actor } from '@flowforge/access';
import { withTransaction } from '@flowforge/db';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { AuthConfig } from '../auth.config';
import { BadRequestProblem } from '../auth.errors';
import { AUTH_POOL } from '../auth.database';
import { AuditEmitter } from '../audit/audit.emitter';
import { consoleLink, Mailer, passwordResetMail } from '../mail/mailer';
import { UsersService } from './users.service';

export const RESET_PREFIX = 'ffx_';

/**
 * Password reset by e-mailed one-time token. The request always answers the same (202) whether or not
 * the address belongs to an account, so it cannot be used to find accounts; the token is single-use,
 * expires, and using it ends every session of the account.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('auth')) private readonly config: AuthConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly users: UsersService,
    private readonly mailer: Mailer,
    private readonly audit: AuditEmitter,
  ) {}

  async request(email: string, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<void> {
    const user = await this.users.byLogin(email);
    const actor: Actor = {
      type: 'anonymous',
      id: 'anonymous',
      name: email.slice(0, 128),
      userId: null,
      sessionId: null,
      ip: client.ip,
      userAgent: client.userAgent,
    };
    if (!user || !user.email || user.disabled || user.email.toLowerCase() !== email.trim().toLowerCase()) {
      await this.audit.record({
        actor,
        action: 'auth:password-reset-request',
        resourceType: 'user',
        outcome: 'denied',
        changes: { reason: 'no such account' },
      });
      return;
    }
    const t = generateOpaqueToken(RESET_PREFIX);
    const minutes = this.config.FLOWFORGE_AUTH_RESET_TOKEN_MINUTES;
    await withTransaction(this.pool, async (tx) => {
      // A new request voids the earlier links.
      await tx.query(`UPDATE ff_auth.password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [user.id]);
      await tx.query(`INSERT INTO ff_auth.password_resets (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(mins => $4))`, [
        t.id,
        user.id,
        t.hash,
        minutes,
      ]);
      await this.audit.record({ actor, action: 'auth:password-reset-request', resourceType: 'user', resourceId: user.id, outcome: 'success' }, tx);
    });
    const link = consoleLink(this.config.FLOWFORGE_PUBLIC_URL, '/reset-password', { token: t.token });
    try {
      await this.mailer.send(passwordResetMail({ to: user.email, username: user.username, link, expiresInMinutes: minutes }));
    } catch (err) {
      // The caller still gets 202: telling them the mail failed would tell them the account exists.
      this.logger.error({ err, userId: user.id }, 'password-reset mail not sent');
    }
  }

  async reset(token: string, newPassword: string, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<void> {
    const invalid = () => new BadRequestProblem('FF_RESET_TOKEN_INVALID', 'the reset link is invalid, used or expired: ask for a new one');
    const parsed = parseOpaqueToken(RESET_PREFIX, token);
    if (!parsed) throw invalid();
    await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ user_id: string; token_hash: string; used_at: Date | null; expires_at: Date }>(
        `SELECT user_id, token_hash, used_at, expires_at FROM ff_auth.password_resets WHERE id = $1 FOR UPDATE`,
        [parsed.id],
      );
      const row = rows[0];
      if (!row || row.used_at || row.expires_at.getTime() <= Date.now() || !tokenSecretMatches(parsed.secret, row.token_hash)) throw invalid();
      const user = await this.users.row(row.user_id, tx);
      const actor: Actor = { type: 'user', id: user.id, name: user.username, userId: user.id, sessionId: null, ip: client.ip, userAgent: client.userAgent };
      await this.users.setPassword(user.id, newPassword, actor, { action: 'auth:password-reset', tx });
      await tx.query(`UPDATE ff_auth.password_resets SET used_at = now() WHERE id = $1`, [parsed.id]);
      await tx.query(`DELETE FROM ff_auth.login_failures WHERE login = lower($1)`, [user.username]);
    });
  }
}
