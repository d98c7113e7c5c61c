import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { checkPassword, hashPassword, permissionsLacking, permissionsOf, verifyPassword, DEFAULT_PASSWORD_POLICY, type Actor } from '@flowforge/access';
import type { EventBus } from '@flowforge/bus';
import { AuthAccessChanged } from '@flowforge/contracts';
import { withTransaction, type Queryable } from '@flowforge/db';
import { EVENT_BUS, NotFoundProblem } from '@flowforge/service-kit';
import type { Pool, PoolClient } from 'pg';
import { BadRequestProblem, ConflictProblem, ForbiddenProblem, UnauthenticatedProblem } from '../auth.errors';
import { AUTH_POOL } from '../auth.database';
import { AuditEmitter } from '../audit/audit.emitter';
import { RolesService } from '../roles/roles.service';
import { SessionRevoker } from '../sessions/session-revoker';

export interface UserView {
  id: string;
  username: string;
  email: string | null;
  displayName: string | null;
  roles: string[];
  disabled: boolean;
  mfaEnabled: boolean;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UserRow extends Record<string, unknown> {
  id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  password_hash: string | null;
  roles: string[];
  disabled: boolean;
  totp_enabled: boolean;
  totp_secret: string | null;
  totp_last_counter: string | null;
  must_change_password: boolean;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const USER_COLUMNS = `u.id, u.username, u.email, u.display_name, u.password_hash, u.roles, u.disabled, u.totp_enabled, u.totp_secret,
  u.totp_last_counter, u.must_change_password, u.created_at, u.updated_at,
  (SELECT f.locked_until FROM ff_auth.login_failures f WHERE f.login = lower(u.username) AND f.locked_until > now()) AS locked_until`;

export function userView(r: UserRow): UserView {
  return {
    id: r.id,
    username: r.username,
    email: r.email,
    displayName: r.display_name,
    roles: r.roles,
    disabled: r.disabled,
    mfaEnabled: r.totp_enabled,
    mustChangePassword: r.must_change_password,
    lockedUntil: r.locked_until ? r.locked_until.toISOString() : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface CreateUser {
  username: string;
  email?: string | null;
  displayName?: string | null;
  password: string;
  roles: string[];
  mustChangePassword?: boolean;
}

export interface UpdateUser {
  email?: string | null;
  displayName?: string | null;
  roles?: string[];
  disabled?: boolean;
}

const USERNAME = /^[A-Za-z0-9._@-]{2,64}$/;
/** Passwords kept to refuse their reuse (the policy's historySize). */
const HISTORY = DEFAULT_PASSWORD_POLICY.historySize;

/** Local accounts of the built-in issuer: argon2id hashes, the password policy with history, roles, disabling. */
@Injectable()
export class UsersService {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly roles: RolesService,
    private readonly sessions: SessionRevoker,
    private readonly audit: AuditEmitter,
  ) {}

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ff_auth.users`);
    return Number(rows[0]!.n);
  }

  async list(): Promise<UserView[]> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ff_auth.users u ORDER BY lower(u.username)`);
    return rows.map(userView);
  }

  async row(id: string, tx?: Queryable): Promise<UserRow> {
    const { rows } = await (tx ?? this.pool).query<UserRow>(`SELECT ${USER_COLUMNS} FROM ff_auth.users u WHERE u.id = $1`, [id]);
    if (!rows[0]) throw new NotFoundProblem('FF_USER_NOT_FOUND', `user ${id} does not exist`);
    return rows[0];
  }

  async byLogin(login: string): Promise<UserRow | null> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM ff_auth.users u WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1) LIMIT 1`,
      [login],
    );
    return rows[0] ?? null;
  }

  async get(id: string): Promise<UserView> {
    return userView(await this.row(id));
  }

  async create(input: CreateUser, actor: Actor): Promise<UserView> {
    await this.assertRoles(input.roles);
    await this.roles.assertMayGrantRoles(actor, input.roles);
    return withTransaction(this.pool, (tx) => this.createInTx(tx, input, actor));
  }

  /** Creates a user in the caller's transaction (the first start's admin is created under a lock). */
  async createInTx(tx: PoolClient, input: CreateUser, actor: Actor): Promise<UserView> {
    if (!USERNAME.test(input.username)) {
      throw new BadRequestProblem('FF_USERNAME_INVALID', 'username must be 2-64 letters, digits or . _ @ -', [
        { field: 'username', message: 'must be 2-64 letters, digits or . _ @ -' },
      ]);
    }
    await this.assertRoles(input.roles, tx);
    await this.assertPassword(input.password, { username: input.username, email: input.email ?? undefined });
    const hash = await hashPassword(input.password);
    const id = randomUUID();
    try {
      await tx.query('SAVEPOINT create_user');
      await tx.query(
        `INSERT INTO ff_auth.users (id, username, email, display_name, password_hash, password_changed_at, must_change_password, roles)
         VALUES ($1, $2, $3, $4, $5, now(), $6, $7)`,
        [id, input.username, input.email ?? null, input.displayName ?? null, hash, input.mustChangePassword ?? false, input.roles],
      );
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT create_user');
      if ((err as { code?: string }).code === '23505') {
        throw new ConflictProblem(
          'FF_USER_EXISTS',
          `a user with this ${/email/.test(String((err as { constraint?: string }).constraint)) ? 'e-mail' : 'username'} already exists`,
        );
      }
      throw err;
    }
    await tx.query(`INSERT INTO ff_auth.password_history (user_id, password_hash) VALUES ($1, $2)`, [id, hash]);
    const user = userView(await this.row(id, tx));
    await this.audit.record(
      { actor, action: 'settings:manage-users', resourceType: 'user', resourceId: id, outcome: 'success', changes: { before: null, after: user } },
      tx,
    );
    return user;
  }

  async update(id: string, patch: UpdateUser, actor: Actor): Promise<UserView> {
    if (patch.roles) await this.assertRoles(patch.roles);
    const current = await this.row(id);
    if (actor.userId === id && patch.disabled === true) {
      throw new ConflictProblem('FF_USER_SELF_LOCKOUT', 'you cannot disable yourself; ask another admin');
    }
    const added = patch.roles?.filter((r) => !current.roles.includes(r)) ?? [];
    const removed = patch.roles ? current.roles.filter((r) => !patch.roles!.includes(r)) : [];
    if (actor.userId === id && (added.length || removed.length)) {
      throw new ForbiddenProblem(
        'FF_USER_SELF_ROLES',
        `you cannot change your own roles (${[...added.map((r) => `+${r}`), ...removed.map((r) => `-${r}`)].join(', ')}): ask another user who holds settings:manage-users`,
      );
    }
    if (actor.userId !== id) await this.assertMayManage(actor, current);
    await this.roles.assertMayGrantRoles(actor, added);
    return withTransaction(this.pool, async (tx) => {
      const before = userView(await this.row(id, tx));
      const sets: string[] = ['updated_at = now()'];
      const params: unknown[] = [id];
      if (patch.email !== undefined) sets.push(`email = $${params.push(patch.email)}`);
      if (patch.displayName !== undefined) sets.push(`display_name = $${params.push(patch.displayName)}`);
      if (patch.roles !== undefined) sets.push(`roles = $${params.push(patch.roles)}`);
      if (patch.disabled !== undefined) sets.push(`disabled = $${params.push(patch.disabled)}`);
      try {
        await tx.query(`UPDATE ff_auth.users SET ${sets.join(', ')} WHERE id = $1`, params);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new ConflictProblem('FF_USER_EXISTS', 'a user with this e-mail already exists');
        throw err;
      }
      if (patch.disabled === true && !before.disabled) await this.sessions.revoke(tx, { userId: id }, 'user-disabled');
      if (patch.roles !== undefined || patch.disabled !== undefined) {
        await this.bus.publish(AuthAccessChanged, { kind: 'user', subject: id }, { key: 'access', tx });
      }
      const after = userView(await this.row(id, tx));
      await this.audit.record(
        { actor, action: 'settings:manage-users', resourceType: 'user', resourceId: id, outcome: 'success', changes: { before, after } },
        tx,
      );
      return after;
    });
  }

  async delete(id: string, actor: Actor): Promise<void> {
    if (actor.userId === id) throw new ConflictProblem('FF_USER_SELF_LOCKOUT', 'you cannot delete yourself; ask another admin');
    await this.assertMayManage(actor, await this.row(id));
    await withTransaction(this.pool, async (tx) => {
      const before = userView(await this.row(id, tx));
      await this.sessions.revoke(tx, { userId: id }, 'user-deleted');
      await tx.query(`DELETE FROM ff_auth.users WHERE id = $1`, [id]);
      await this.bus.publish(AuthAccessChanged, { kind: 'user', subject: id }, { key: 'access', tx });
      await this.audit.record(
        { actor, action: 'settings:manage-users', resourceType: 'user', resourceId: id, outcome: 'success', changes: { before, after: null } },
        tx,
      );
    });
  }

  /** The user changes their own password: the current one is checked, every other session ends. */
  async changeOwnPassword(userId: string, current: string, next: string, actor: Actor): Promise<void> {
    const row = await this.row(userId);
    if (!row.password_hash || !(await verifyPassword(row.password_hash, current))) {
      throw new UnauthenticatedProblem('FF_AUTH_INVALID_CREDENTIALS', 'the current password is wrong');
    }
    await this.setPassword(userId, next, actor, { exceptSessionId: actor.sessionId ?? undefined, action: 'auth:password-change' });
  }

  /** Sets a password after the policy and history checks; ends the user's sessions (but `exceptSessionId`). */
  async setPassword(
    userId: string,
    password: string,
    actor: Actor,
    opts: { exceptSessionId?: string; action: string; tx?: PoolClient; mustChange?: boolean },
  ): Promise<void> {
    const row = await this.row(userId, opts.tx);
    const { rows: history } = await (opts.tx ?? this.pool).query<{ password_hash: string }>(
      `SELECT password_hash FROM ff_auth.password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [userId, HISTORY],
    );
    await this.assertPassword(password, { username: row.username, email: row.email ?? undefined, previousHashes: history.map((h) => h.password_hash) });
    const hash = await hashPassword(password);
    const run = async (tx: PoolClient) => {
      await tx.query(`UPDATE ff_auth.users SET password_hash = $2, password_changed_at = now(), must_change_password = $3, updated_at = now() WHERE id = $1`, [
        userId,
        hash,
        opts.mustChange ?? false,
      ]);
      await tx.query(`INSERT INTO ff_auth.password_history (user_id, password_hash) VALUES ($1, $2)`, [userId, hash]);
      await tx.query(
        `DELETE FROM ff_auth.password_history WHERE user_id = $1 AND password_hash NOT IN
           (SELECT password_hash FROM ff_auth.password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`,
        [userId, HISTORY],
      );
      await this.sessions.revoke(tx, { userId, exceptSessionId: opts.exceptSessionId }, 'password-changed');
      await this.audit.record({ actor, action: opts.action, resourceType: 'user', resourceId: userId, outcome: 'success' }, tx);
    };
    if (opts.tx) await run(opts.tx);
    else await withTransaction(this.pool, run);
  }

  /**
   * An admin sets a user's password (no mail server, a forgotten password): a temporary one by default,
   * to be changed at the next sign-in; every session of the user ends. The admin may not do it to
   * themselves this way (they change their own with the current one).
   */
  async adminSetPassword(id: string, password: string, temporary: boolean, actor: Actor): Promise<UserView> {
    if (actor.userId === id)
      throw new ConflictProblem('FF_USER_SELF_PASSWORD', 'change your own password with POST /api/v1/auth/password (it asks for the current one)');
    // Setting someone's password is signing in as them: only for accounts that hold nothing beyond the caller.
    await this.assertMayManage(actor, await this.row(id));
    await this.setPassword(id, password, actor, { action: 'settings:manage-users', mustChange: temporary });
    return this.get(id);
  }

  async unlock(id: string, actor: Actor): Promise<UserView> {
    const row = await this.row(id);
    await withTransaction(this.pool, async (tx) => {
      await tx.query(`DELETE FROM ff_auth.login_failures WHERE login = lower($1) OR login = lower($2)`, [row.username, row.email ?? row.username]);
      await this.audit.record(
        { actor, action: 'settings:manage-users', resourceType: 'user', resourceId: id, outcome: 'success', changes: { unlocked: true } },
        tx,
      );
    });
    return this.get(id);
  }

  /**
   * Editing, disabling, deleting or setting the password of an account that holds permissions the caller
   * does not is refused (403 FF_USER_HOLDS_MORE): a user manager must not take over or shut out an admin.
   */
  private async assertMayManage(actor: Actor, target: UserRow): Promise<void> {
    const theirs = permissionsOf(target.roles, await this.roles.matrix());
    const lacking = permissionsLacking(await this.roles.heldBy(actor), theirs);
    if (lacking.length) {
      throw new ForbiddenProblem(
        'FF_USER_HOLDS_MORE',
        `user "${target.username}" holds ${lacking.join(', ')}, which you do not: only someone who holds them may edit, disable, delete or reset this account`,
      );
    }
  }

  private async assertRoles(roles: string[], tx?: PoolClient): Promise<void> {
    const unknown = await this.roles.unknownRoles(roles, tx);
    if (unknown.length) {
      throw new BadRequestProblem(
        'FF_ROLE_NOT_FOUND',
        `unknown role(s): ${unknown.join(', ')}`,
        unknown.map((r) => ({ field: 'roles', message: `role "${r}" does not exist` })),
      );
    }
  }

  private async assertPassword(password: string, ctx: { username?: string; email?: string; previousHashes?: string[] }): Promise<void> {
    const issues = await checkPassword(password, ctx);
    if (issues.length) {
      throw new BadRequestProblem(
        'FF_PASSWORD_POLICY',
        issues.map((i) => i.message).join('; '),
        issues.map((i) => ({ field: 'password', message: `${i.code}: ${i.message}` })),
      );
    }
  }
}
