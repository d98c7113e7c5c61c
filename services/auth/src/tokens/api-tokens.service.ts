import { Inject, Injectable } from '@nestjs/common';
import {
  generateOpaqueToken,
  isPermission,
  parseOpaqueToken,
  permissionsLacking,
  permissionsOf,
  tokenSecretMatches,
  type Actor,
  type Permission,
} from '@flowforge/access';
import type { EventBus } from '@flowforge/bus';
import { AuthAccessChanged } from '@flowforge/contracts';
import { withTransaction } from '@flowforge/db';
import { EVENT_BUS, NotFoundProblem } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { BadRequestProblem, UnauthenticatedProblem } from '../auth.errors';
import { AUTH_POOL } from '../auth.database';
import { AuditEmitter } from '../audit/audit.emitter';
import { RolesService } from '../roles/roles.service';
import { UsersService } from '../accounts/users.service';

export const API_TOKEN_PREFIX = 'ffp_';
/** last_used_at is written at most this often per token: a busy CI token must not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenView {
  id: string;
  name: string;
  ownerId: string;
  permissions: Permission[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What the gateway learns from a valid token. */
export interface VerifiedApiToken {
  tokenId: string;
  name: string;
  ownerId: string;
  ownerName: string;
  /** The token's scopes that its owner still holds: a token never outgrows its owner. */
  permissions: Permission[];
  expiresAt: string | null;
}

interface TokenRow extends Record<string, unknown> {
  id: string;
  name: string;
  owner_id: string;
  token_hash: string;
  permissions: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const view = (r: TokenRow): ApiTokenView => ({
  id: r.id,
  name: r.name,
  ownerId: r.owner_id,
  permissions: r.permissions.filter(isPermission),
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/**
 * API tokens for machines (webhook producers, CI): opaque `ffp_<id>.<secret>`, shown once, stored as
 * sha256 of the 256-bit secret (no slow hash needed for that entropy), scoped to permissions the owner
 * holds and the credential creating it holds, expiring, revocable, with a last-used time.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly audit: AuditEmitter,
  ) {}

  async create(
    ownerId: string,
    body: { name: string; permissions: string[]; expiresInDays?: number | null },
    actor: Actor,
  ): Promise<ApiTokenView & { token: string }> {
    const unknown = body.permissions.filter((p) => !isPermission(p));
    if (unknown.length) throw new BadRequestProblem('FF_PERMISSION_UNKNOWN', `unknown permission(s): ${unknown.join(', ')}`);
    // Bounded by the owner's roles now and by the credential asking: a token (were one let through) or a
    // stale access token never mints a token wider than itself.
    const owner = await this.ownerPermissions(ownerId);
    const caller = await this.roles.heldBy(actor);
    const beyond = permissionsLacking(new Set([...owner].filter((p) => caller.has(p))), body.permissions as Permission[]);
    if (beyond.length) {
      throw new BadRequestProblem('FF_TOKEN_SCOPE_EXCEEDS_OWNER', `a token cannot have permissions you do not hold: ${beyond.join(', ')}`, [
        { field: 'permissions', message: `you do not hold ${beyond.join(', ')}` },
      ]);
    }
    const t = generateOpaqueToken(API_TOKEN_PREFIX);
    const expiresAt = body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86_400_000) : null;
    return withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<TokenRow>(
        `INSERT INTO ff_auth.api_tokens (id, name, owner_id, token_hash, permissions, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [t.id, body.name, ownerId, t.hash, [...new Set(body.permissions)].sort(), expiresAt],
      );
      const created = view(rows[0]!);
      await this.audit.record(
        { actor, action: 'auth:token-create', resourceType: 'api-token', resourceId: t.id, outcome: 'success', changes: { before: null, after: created } },
        tx,
      );
      return { ...created, token: t.token };
    });
  }

  async list(ownerId: string | null): Promise<ApiTokenView[]> {
    const { rows } = await this.pool.query<TokenRow>(
      `SELECT * FROM ff_auth.api_tokens WHERE ($1::uuid IS NULL OR owner_id = $1) AND revoked_at IS NULL ORDER BY created_at DESC`,
      [ownerId],
    );
    return rows.map(view);
  }

  async revoke(id: string, ownerId: string | null, actor: Actor): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<TokenRow>(
        `UPDATE ff_auth.api_tokens SET revoked_at = now() WHERE id = $1 AND ($2::uuid IS NULL OR owner_id = $2) AND revoked_at IS NULL RETURNING *`,
        [id, ownerId],
      );
      if (!rows[0]) throw new NotFoundProblem('FF_TOKEN_NOT_FOUND', `API token ${id} does not exist or is already revoked`);
      await this.bus.publish(AuthAccessChanged, { kind: 'token', subject: id }, { key: 'access', tx });
      await this.audit.record({ actor, action: 'auth:token-revoke', resourceType: 'api-token', resourceId: id, outcome: 'success' }, tx);
    });
  }

  async verify(token: string): Promise<VerifiedApiToken> {
    const invalid = () => new UnauthenticatedProblem('FF_AUTH_TOKEN_INVALID', 'the API token is not valid (unknown, revoked or expired)');
    const parsed = parseOpaqueToken(API_TOKEN_PREFIX, token);
    if (!parsed) throw invalid();
    const { rows } = await this.pool.query<TokenRow>(`SELECT * FROM ff_auth.api_tokens WHERE id = $1`, [parsed.id]);
    const row = rows[0];
    if (!row || !tokenSecretMatches(parsed.secret, row.token_hash) || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= Date.now()))
      throw invalid();
    const owner = await this.users.row(row.owner_id).catch(() => null);
    if (!owner || owner.disabled) throw invalid();
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.pool.query(`UPDATE ff_auth.api_tokens SET last_used_at = now() WHERE id = $1`, [row.id]);
    }
    const held = await this.ownerPermissions(row.owner_id);
    return {
      tokenId: row.id,
      name: row.name,
      ownerId: row.owner_id,
      ownerName: owner.username,
      permissions: row.permissions.filter((p): p is Permission => isPermission(p) && held.has(p)),
      expiresAt: row.expires_at?.toISOString() ?? null,
    };
  }

  private async ownerPermissions(ownerId: string): Promise<Set<Permission>> {
    const owner = await this.users.row(ownerId);
    const matrix = new Map((await this.roles.list()).map((r) => [r.name, new Set(r.permissions)]));
    return permissionsOf(owner.roles, matrix);
  }
}
