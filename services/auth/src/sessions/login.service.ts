import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  generateOpaqueToken,
  hashRecoveryCode,
  parseOpaqueToken,
  tokenSecretMatches,
  verifyAgainstDummy,
  verifyPassword,
  verifyTotp,
  type Actor,
} from '@flowforge/access';
import { withTransaction } from '@flowforge/db';
import { authLogins, NotFoundProblem, serviceConfigToken } from '@flowforge/service-kit';
import type { Pool, PoolClient } from 'pg';
import type { AuthConfig } from '../auth.config';
import { ConflictProblem, invalidCredentials, LockedProblem, UnauthenticatedProblem } from '../auth.errors';
import { AUTH_POOL } from '../auth.database';
import { AuditEmitter } from '../audit/audit.emitter';
import { SigningKeys } from '../keys/signing-keys';
import { UsersService, userView, type UserRow, type UserView } from '../accounts/users.service';
import { SessionRevoker } from './session-revoker';

export const REFRESH_PREFIX = 'ffr_';
/** On an answer that ended a session: its id, for the forwarding gateway (internal API only). */
export const REVOKED_SESSION_HEADER = 'x-flowforge-revoked-session';

export interface LoginRequest {
  username: string;
  password: string;
  otp?: string;
  recoveryCode?: string;
}

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
  user: Pick<UserView, 'id' | 'username' | 'roles' | 'mustChangePassword'>;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  mfa: boolean;
  current: boolean;
}

interface SessionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
  mfa: boolean;
}

const anonymousActor = (client: Pick<Actor, 'ip' | 'userAgent'>, login: string): Actor => ({
  type: 'anonymous',
  id: 'anonymous',
  name: login.slice(0, 128),
  userId: null,
  sessionId: null,
  ip: client.ip,
  userAgent: client.userAgent,
});

/**
 * Sign-in for local accounts: password (argon2id), then TOTP or a recovery code when MFA is on; a
 * session with an access token (ES256 JWT, minutes) and a refresh token (opaque, rotated at every use —
 * one presented twice means a copy was stolen, and ends the session). Failed logins are counted per
 * login name whether or not the account exists, and lock the name for a while at the threshold; an
 * unknown name costs the same argon2 time as a known one. Every outcome is audited.
 */
@Injectable()
export class LoginService {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('auth')) private readonly config: AuthConfig,
    private readonly keys: SigningKeys,
    private readonly users: UsersService,
    private readonly revoker: SessionRevoker,
    private readonly audit: AuditEmitter,
  ) {}

  private readonly logins = authLogins();

  async login(req: LoginRequest, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<TokenPair> {
    try {
      const pair = await this.signIn(req, client);
      this.logins.inc({ outcome: 'success' });
      return pair;
    } catch (err) {
      const code = (err as { code?: string }).code;
      this.logins.inc({ outcome: code === 'FF_AUTH_LOCKED' ? 'locked' : code === 'FF_AUTH_MFA_REQUIRED' ? 'mfa_required' : 'failure' });
      throw err;
    }
  }

  private async signIn(req: LoginRequest, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<TokenPair> {
    const login = req.username.trim().toLowerCase();
    const who = anonymousActor(client, login);
    // One counter per login name (guessing one account) and one per client address (spraying many).
    const ipKey = client.ip ? `ip:${client.ip}` : null;
    const lockedFor = Math.max(await this.lockedSeconds(login), ipKey ? await this.lockedSeconds(ipKey) : 0);
    if (lockedFor > 0) {
      await this.audit.record({ actor: who, action: 'auth:login', resourceType: 'session', outcome: 'denied', changes: { reason: 'locked' } });
      throw new LockedProblem(lockedFor);
    }
    const user = await this.users.byLogin(login);
    const passwordOk = user?.password_hash && !user.disabled ? await verifyPassword(user.password_hash, req.password) : await verifyAgainstDummy(req.password);
    if (!user || !passwordOk) return this.fail(login, ipKey, who, 'bad-credentials');

    let mfa = false;
    if (user.totp_enabled) {
      if (!req.otp && !req.recoveryCode) {
        throw new UnauthenticatedProblem(
          'FF_AUTH_MFA_REQUIRED',
          'this account uses two-factor authentication: send `otp` (the authenticator code) or `recoveryCode`',
        );
      }
      mfa = req.otp ? await this.acceptTotp(user, req.otp) : await this.acceptRecoveryCode(user.id, req.recoveryCode!);
      if (!mfa) return this.fail(login, ipKey, { ...who, type: 'user', id: user.id, name: user.username, userId: user.id }, 'bad-second-factor');
    }

    await this.pool.query(`DELETE FROM ff_auth.login_failures WHERE login = $1`, [login]);
    return withTransaction(this.pool, async (tx) => {
      const sessionId = randomUUID();
      const maxMs = this.config.FLOWFORGE_AUTH_SESSION_MAX_HOURS * 3_600_000;
      await tx.query(`INSERT INTO ff_auth.sessions (id, user_id, expires_at, ip, user_agent, mfa) VALUES ($1, $2, $3, $4, $5, $6)`, [
        sessionId,
        user.id,
        new Date(Date.now() + maxMs),
        client.ip,
        client.userAgent?.slice(0, 512) ?? null,
        mfa,
      ]);
      const pair = await this.issue(tx, user, sessionId, mfa);
      const actor: Actor = { type: 'user', id: user.id, name: user.username, userId: user.id, sessionId, ip: client.ip, userAgent: client.userAgent };
      await this.audit.record({ actor, action: 'auth:login', resourceType: 'session', resourceId: sessionId, outcome: 'success', changes: { mfa } }, tx);
      return pair;
    });
  }

  async refresh(refreshToken: string, client: Pick<Actor, 'ip' | 'userAgent'>): Promise<TokenPair> {
    const parsed = parseOpaqueToken(REFRESH_PREFIX, refreshToken);
    const invalid = () => new UnauthenticatedProblem('FF_AUTH_REFRESH_INVALID', 'the refresh token is not valid: sign in again');
    if (!parsed) throw invalid();
    const outcome = await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ token_hash: string; used_at: Date | null; session_id: string } & SessionRow>(
        `SELECT r.token_hash, r.used_at, r.session_id, s.id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.revoked_at, s.ip, s.user_agent, s.mfa
           FROM ff_auth.refresh_tokens r JOIN ff_auth.sessions s ON s.id = r.session_id WHERE r.id = $1 FOR UPDATE OF r, s`,
        [parsed.id],
      );
      const row = rows[0];
      if (!row || !tokenSecretMatches(parsed.secret, row.token_hash)) throw invalid();
      if (row.used_at) {
        // Rotated already: this is a copy. Whoever holds the newer token is cut off too.
        await this.revoker.revoke(tx, { sessionId: row.session_id }, 'refresh-reuse');
        const user = await this.users.row(row.user_id, tx);
        const actor: Actor = {
          type: 'user',
          id: user.id,
          name: user.username,
          userId: user.id,
          sessionId: row.session_id,
          ip: client.ip,
          userAgent: client.userAgent,
        };
        await this.audit.record(
          { actor, action: 'auth:refresh', resourceType: 'session', resourceId: row.session_id, outcome: 'denied', changes: { reason: 'refresh-token-reuse' } },
          tx,
        );
        return { reused: row.session_id };
      }
      const idleMs = this.config.FLOWFORGE_AUTH_SESSION_IDLE_MINUTES * 60_000;
      if (row.revoked_at || row.expires_at.getTime() <= Date.now() || row.last_used_at.getTime() + idleMs <= Date.now()) {
        throw new UnauthenticatedProblem('FF_AUTH_SESSION_ENDED', 'the session has ended: sign in again');
      }
      const user = await this.users.row(row.user_id, tx);
      if (user.disabled) throw new UnauthenticatedProblem('FF_AUTH_SESSION_ENDED', 'the session has ended: sign in again');
      await tx.query(`UPDATE ff_auth.refresh_tokens SET used_at = now() WHERE id = $1`, [parsed.id]);
      await tx.query(`UPDATE ff_auth.sessions SET last_used_at = now(), ip = coalesce($2, ip) WHERE id = $1`, [row.session_id, client.ip]);
      return this.issue(tx, user, row.session_id, row.mfa);
    });
    if (typeof outcome === 'object' && 'reused' in outcome) {
      const problem = new UnauthenticatedProblem(
        'FF_AUTH_REFRESH_REUSED',
        'this refresh token was already used: the session has been ended for safety; sign in again',
      );
      // For the gateway forwarding this: it refuses the session's access tokens before the client hears (not relayed).
      problem.headers = { [REVOKED_SESSION_HEADER]: outcome.reused };
      throw problem;
    }
    return outcome;
  }

  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId)
      throw new ConflictProblem('FF_AUTH_NO_SESSION', 'this credential has no session to end (API tokens are revoked with DELETE /api/v1/tokens/{id})');
    await withTransaction(this.pool, async (tx) => {
      await this.revoker.revoke(tx, { sessionId: actor.sessionId! }, 'logout');
      await this.audit.record({ actor, action: 'auth:logout', resourceType: 'session', resourceId: actor.sessionId, outcome: 'success' }, tx);
    });
  }

  async sessionsOf(userId: string, current: string | null): Promise<SessionView[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT id, user_id, created_at, last_used_at, expires_at, revoked_at, ip, user_agent, mfa FROM ff_auth.sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND last_used_at > now() - make_interval(mins => $2)
        ORDER BY last_used_at DESC`,
      [userId, this.config.FLOWFORGE_AUTH_SESSION_IDLE_MINUTES],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      ip: r.ip,
      userAgent: r.user_agent,
      mfa: r.mfa,
      current: r.id === current,
    }));
  }

  /** Ends one of `userId`'s sessions (their own, or an admin acting on theirs). */
  async revokeSession(userId: string, sessionId: string, actor: Actor): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query(`SELECT 1 FROM ff_auth.sessions WHERE id = $1 AND user_id = $2`, [sessionId, userId]);
      if (rows.length === 0) throw new NotFoundProblem('FF_SESSION_NOT_FOUND', `session ${sessionId} does not exist`);
      await this.revoker.revoke(tx, { sessionId }, 'revoked');
      await this.audit.record({ actor, action: 'auth:session-revoke', resourceType: 'session', resourceId: sessionId, outcome: 'success' }, tx);
    });
  }

  /** Sessions revoked recently enough that their access tokens may still be live: a starting gateway's deny list. */
  async recentlyRevoked(): Promise<{ sessionId: string; expiresAt: string }[]> {
    const { rows } = await this.pool.query<{ session_id: string; forget_at: Date }>(
      `SELECT session_id, forget_at FROM ff_auth.session_revocations WHERE forget_at > now()`,
    );
    return rows.map((r) => ({ sessionId: r.session_id, expiresAt: r.forget_at.toISOString() }));
  }

  private async issue(tx: PoolClient, user: UserRow, sessionId: string, mfa: boolean): Promise<TokenPair> {
    const refresh = generateOpaqueToken(REFRESH_PREFIX);
    await tx.query(`INSERT INTO ff_auth.refresh_tokens (id, session_id, token_hash) VALUES ($1, $2, $3)`, [refresh.id, sessionId, refresh.hash]);
    const { token, expiresIn } = await this.keys.signAccessToken({
      sub: user.id,
      sid: sessionId,
      preferred_username: user.username,
      roles: user.roles,
      amr: mfa ? ['pwd', 'otp'] : ['pwd'],
      // The gateway lets such a token do nothing but change the password (then refresh for a clean one).
      ...(user.must_change_password ? { ff_pwd_change: true } : {}),
    });
    const view = userView(user);
    return {
      tokenType: 'Bearer',
      accessToken: token,
      expiresIn,
      refreshToken: refresh.token,
      refreshExpiresIn: this.config.FLOWFORGE_AUTH_SESSION_IDLE_MINUTES * 60,
      sessionId,
      user: { id: view.id, username: view.username, roles: view.roles, mustChangePassword: view.mustChangePassword },
    };
  }

  private async lockedSeconds(login: string): Promise<number> {
    const { rows } = await this.pool.query<{ s: number }>(
      `SELECT extract(epoch FROM locked_until - now())::float AS s FROM ff_auth.login_failures WHERE login = $1 AND locked_until > now()`,
      [login],
    );
    return rows[0] ? Math.max(1, Math.ceil(rows[0].s)) : 0;
  }

  /** Counts the failure against the login name and the client address, locks either at its threshold, audits, answers 401. */
  private async fail(login: string, ipKey: string | null, actor: Actor, reason: string): Promise<never> {
    await this.countFailure(login, this.config.FLOWFORGE_AUTH_LOCKOUT_THRESHOLD);
    if (ipKey) await this.countFailure(ipKey, this.config.FLOWFORGE_AUTH_IP_FAILURE_LIMIT);
    await this.audit.record({ actor, action: 'auth:login', resourceType: 'session', outcome: 'denied', changes: { reason } });
    throw invalidCredentials();
  }

  /** One more failure for `key` (the window restarts after the lockout period); at `threshold` the key is locked. */
  private async countFailure(key: string, threshold: number): Promise<void> {
    const minutes = this.config.FLOWFORGE_AUTH_LOCKOUT_MINUTES;
    const { rows } = await this.pool.query<{ failures: number }>(
      `INSERT INTO ff_auth.login_failures AS f (login, failures, first_failure_at) VALUES ($1, 1, now())
       ON CONFLICT (login) DO UPDATE SET
         failures = CASE WHEN f.first_failure_at < now() - make_interval(mins => $2) THEN 1 ELSE f.failures + 1 END,
         first_failure_at = CASE WHEN f.first_failure_at < now() - make_interval(mins => $2) THEN now() ELSE f.first_failure_at END
       RETURNING failures`,
      [key, minutes],
    );
    if (rows[0]!.failures >= threshold) {
      await this.pool.query(
        `UPDATE ff_auth.login_failures SET locked_until = now() + make_interval(mins => $2), failures = 0, first_failure_at = now() WHERE login = $1`,
        [key, minutes],
      );
    }
  }

  private async acceptTotp(user: UserRow, code: string): Promise<boolean> {
    if (!user.totp_secret) return false;
    const last = user.totp_last_counter === null ? undefined : Number(user.totp_last_counter);
    const result = verifyTotp(user.totp_secret, code, { atMs: Date.now(), lastUsedCounter: last });
    if (!result.ok) return false;
    // Conditional on the counter still being older, so two logins racing with one code cannot both pass.
    const { rowCount } = await this.pool.query(
      `UPDATE ff_auth.users SET totp_last_counter = $2 WHERE id = $1 AND (totp_last_counter IS NULL OR totp_last_counter < $2)`,
      [user.id, result.counter],
    );
    return rowCount === 1;
  }

  private async acceptRecoveryCode(userId: string, code: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`UPDATE ff_auth.recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, [
      userId,
      hashRecoveryCode(code),
    ]);
    return rowCount === 1;
  }
}
