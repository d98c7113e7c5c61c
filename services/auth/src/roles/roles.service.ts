import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ALL_PERMISSIONS,
  BUILTIN_ROLES,
  DEFAULT_ROLE_PERMISSIONS,
  isPermission,
  permissionsLacking,
  permissionsOf,
  RESOURCE_ACTIONS,
  ROLE_DESCRIPTIONS,
  ROLE_NAME,
  type Actor,
  type BuiltinRole,
  type Permission,
} from '@flowforge/access';
import type { EventBus } from '@flowforge/bus';
import { AuthAccessChanged } from '@flowforge/contracts';
import { withTransaction, type Queryable } from '@flowforge/db';
import { EVENT_BUS, NotFoundProblem } from '@flowforge/service-kit';
import type { Pool, PoolClient } from 'pg';
import { BadRequestProblem, ConflictProblem, ForbiddenProblem } from '../auth.errors';
import { AUTH_POOL } from '../auth.database';
import { AuditEmitter } from '../audit/audit.emitter';

export interface RoleView {
  name: string;
  description: string;
  builtin: boolean;
  permissions: Permission[];
}

/** The permission matrix the console draws: every resource with its actions, every role with its permissions. */
export interface AccessModel {
  resources: Record<string, readonly string[]>;
  permissions: readonly Permission[];
  roles: RoleView[];
}

interface RoleRow extends Record<string, unknown> {
  name: string;
  description: string;
  builtin: boolean;
  permissions: string[];
}

const toView = (r: RoleRow): RoleView => ({ name: r.name, description: r.description, builtin: r.builtin, permissions: r.permissions.filter(isPermission) });

/**
 * Roles: the four built-in ones (their permissions follow the code's default matrix and cannot be
 * edited) and custom roles (any set of permissions). Every change publishes auth.access-changed so
 * gateways drop their cached matrix at once.
 */
@Injectable()
export class RolesService implements OnModuleInit {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly audit: AuditEmitter,
  ) {}

  /** Built-in roles are rewritten at every start: a release that adds a permission grants it to admin at once. */
  async onModuleInit(): Promise<void> {
    for (const name of BUILTIN_ROLES) {
      await this.pool.query(
        `INSERT INTO ff_auth.roles (name, description, builtin, permissions) VALUES ($1, $2, true, $3)
         ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, builtin = true, permissions = EXCLUDED.permissions
         WHERE roles.permissions IS DISTINCT FROM EXCLUDED.permissions OR roles.description IS DISTINCT FROM EXCLUDED.description OR NOT roles.builtin`,
        [name, ROLE_DESCRIPTIONS[name], [...DEFAULT_ROLE_PERMISSIONS[name]]],
      );
    }
  }

  async list(): Promise<RoleView[]> {
    const { rows } = await this.pool.query<RoleRow>(`SELECT name, description, builtin, permissions FROM ff_auth.roles ORDER BY builtin DESC, name`);
    return rows.map(toView);
  }

  async accessModel(): Promise<AccessModel> {
    return { resources: RESOURCE_ACTIONS, permissions: ALL_PERMISSIONS, roles: await this.list() };
  }

  async get(name: string): Promise<RoleView> {
    const { rows } = await this.pool.query<RoleRow>(`SELECT name, description, builtin, permissions FROM ff_auth.roles WHERE name = $1`, [name]);
    if (!rows[0]) throw new NotFoundProblem('FF_ROLE_NOT_FOUND', `role "${name}" does not exist`);
    return toView(rows[0]);
  }

  /** Role name → its permissions, as stored now. */
  async matrix(tx?: Queryable): Promise<Map<string, ReadonlySet<Permission>>> {
    const { rows } = await (tx ?? this.pool).query<RoleRow>(`SELECT name, description, builtin, permissions FROM ff_auth.roles`);
    return new Map(rows.map((r) => [r.name, new Set(toView(r).permissions)]));
  }

  /**
   * What `actor` holds, hence may grant: the permissions the gateway established for its credential (a
   * token's scopes, a user's roles), bounded by the roles its user holds here now — an access token
   * issued before a role was taken away must not pass that role on. Unknown (no permissions header): nothing.
   */
  async heldBy(actor: Actor, tx?: Queryable): Promise<Set<Permission>> {
    if (actor.type === 'system') return new Set(ALL_PERMISSIONS);
    const claimed = new Set(actor.permissions ?? []);
    if (!actor.userId) return claimed;
    const { rows } = await (tx ?? this.pool).query<{ roles: string[] }>(`SELECT roles FROM ff_auth.users WHERE id = $1 AND NOT disabled`, [actor.userId]);
    if (!rows[0]) return new Set();
    const current = permissionsOf(rows[0].roles, await this.matrix(tx));
    return new Set([...claimed].filter((p) => current.has(p)));
  }

  /** Refuses (403 FF_GRANT_NOT_HELD) giving `permissions` through `what` (a role, a user's roles) when the actor lacks some. */
  async assertMayGrant(actor: Actor, permissions: Iterable<Permission>, what: string, tx?: Queryable): Promise<void> {
    const lacking = permissionsLacking(await this.heldBy(actor, tx), permissions);
    if (lacking.length) {
      throw new ForbiddenProblem('FF_GRANT_NOT_HELD', `${what} would grant ${lacking.join(', ')}, which you do not hold: nobody grants what they do not hold`);
    }
  }

  /** Refuses giving roles `names` (to a user) unless the actor holds every permission of each; the detail names each role and what it lacks. */
  async assertMayGrantRoles(actor: Actor, names: readonly string[], tx?: Queryable): Promise<void> {
    if (names.length === 0) return;
    const held = await this.heldBy(actor, tx);
    const matrix = await this.matrix(tx);
    const refused = names.map((n) => ({ role: n, lacking: permissionsLacking(held, matrix.get(n) ?? []) })).filter((r) => r.lacking.length);
    if (refused.length) {
      throw new ForbiddenProblem(
        'FF_GRANT_NOT_HELD',
        `you cannot grant ${refused.map((r) => `role "${r.role}" (it grants ${r.lacking.join(', ')}, which you do not hold)`).join('; ')}: nobody grants what they do not hold`,
      );
    }
  }

  /** Unknown role names, for a user or token being given roles. */
  async unknownRoles(names: readonly string[], tx?: PoolClient): Promise<string[]> {
    if (names.length === 0) return [];
    const { rows } = await (tx ?? this.pool).query<{ name: string }>(`SELECT name FROM ff_auth.roles WHERE name = ANY($1)`, [[...names]]);
    const known = new Set(rows.map((r) => r.name));
    return names.filter((n) => !known.has(n));
  }

  /** Creates or replaces a custom role. 201 when created. */
  async put(name: string, body: { description?: string; permissions: string[] }, actor: Actor): Promise<{ role: RoleView; created: boolean }> {
    if (!ROLE_NAME.test(name)) {
      throw new BadRequestProblem('FF_ROLE_NAME_INVALID', `role name "${name}" must be 2-40 lower-case letters, digits or dashes, starting with a letter`);
    }
    if ((BUILTIN_ROLES as readonly string[]).includes(name)) {
      throw new ConflictProblem('FF_ROLE_BUILTIN', `role "${name}" is built in: its permissions follow the default matrix; create a custom role instead`);
    }
    const unknown = body.permissions.filter((p) => !isPermission(p));
    if (unknown.length) {
      throw new BadRequestProblem(
        'FF_PERMISSION_UNKNOWN',
        `unknown permission(s) ${unknown.map((p) => `"${p}"`).join(', ')}; known: ${ALL_PERMISSIONS.join(', ')}`,
        unknown.map((p) => ({ field: 'permissions', message: `"${p}" is not a known permission` })),
      );
    }
    const permissions = [...new Set(body.permissions)].sort();
    return withTransaction(this.pool, async (tx) => {
      const before = await tx.query<RoleRow>(`SELECT name, description, builtin, permissions FROM ff_auth.roles WHERE name = $1 FOR UPDATE`, [name]);
      // Only what the role gains is a grant: keeping a permission the editor lacks is no escalation.
      const had = new Set(before.rows[0]?.permissions ?? []);
      await this.assertMayGrant(actor, permissions.filter((p) => !had.has(p)) as Permission[], `role "${name}"`, tx);
      const { rows } = await tx.query<RoleRow>(
        `INSERT INTO ff_auth.roles (name, description, builtin, permissions) VALUES ($1, $2, false, $3)
         ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, permissions = EXCLUDED.permissions, updated_at = now()
         RETURNING name, description, builtin, permissions`,
        [name, body.description ?? before.rows[0]?.description ?? '', permissions],
      );
      const role = toView(rows[0]!);
      await this.changed(tx, name);
      await this.audit.record(
        {
          actor,
          action: 'settings:manage-users',
          resourceType: 'role',
          resourceId: name,
          outcome: 'success',
          changes: { before: before.rows[0] ? toView(before.rows[0]) : null, after: role },
        },
        tx,
      );
      return { role, created: !before.rows[0] };
    });
  }

  /** Deletes a custom role and takes it from every user and token holding it. */
  async delete(name: string, actor: Actor): Promise<void> {
    if ((BUILTIN_ROLES as readonly string[]).includes(name as BuiltinRole)) {
      throw new ConflictProblem('FF_ROLE_BUILTIN', `role "${name}" is built in and cannot be deleted`);
    }
    await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<RoleRow>(`DELETE FROM ff_auth.roles WHERE name = $1 RETURNING name, description, builtin, permissions`, [name]);
      if (!rows[0]) throw new NotFoundProblem('FF_ROLE_NOT_FOUND', `role "${name}" does not exist`);
      await tx.query(`UPDATE ff_auth.users SET roles = array_remove(roles, $1), updated_at = now() WHERE $1 = ANY(roles)`, [name]);
      await this.changed(tx, name);
      await this.audit.record(
        {
          actor,
          action: 'settings:manage-users',
          resourceType: 'role',
          resourceId: name,
          outcome: 'success',
          changes: { before: toView(rows[0]), after: null },
        },
        tx,
      );
    });
  }

  private async changed(tx: PoolClient, name: string): Promise<void> {
    await this.bus.publish(AuthAccessChanged, { kind: 'role', subject: name }, { key: 'access', tx });
  }
}
