import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BUILTIN_ROLES, isPermission, type Permission } from '@flowforge/access';
import { FlowForgeError, HOST_RUNTIME, HostRuntime, serviceConfigToken } from '@flowforge/service-kit';
import { createRemoteJWKSet, decodeJwt, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { checkJwt, JwtRejected } from './jwt-check';
import type { GatewayConfig } from '../gateway.config';
import { AuthClient } from './auth.client';
import type { Principal } from './principal';

const CLOCK_SKEW_SECONDS = 30;
const CACHE_MAX = 10_000;
export const API_TOKEN_PREFIX = 'ffp_';

export class UnauthenticatedError extends FlowForgeError {
  constructor(code: string, detail: string) {
    super(code, 401, 'Unauthorized', detail);
    this.headers = { 'WWW-Authenticate': `Bearer realm="flowforge", error="invalid_token"` };
  }
}

/** jose's remote key set: a key lookup that can also be told to refetch now. */
type RemoteKeys = JWTVerifyGetKey & { reload(): Promise<void> };

interface Issuer {
  name: 'builtin' | 'keycloak';
  iss: string;
  keys: () => Promise<RemoteKeys>;
  roles: (claims: JWTPayload) => string[];
}

/**
 * Establishes who is calling from `Authorization: Bearer …`: one code path for both issuers — the
 * built-in one (the auth service, ES256, JWKS from its internal API) and Keycloak (the realm's JWKS from
 * discovery) — chosen by the token's `iss`, then verified against that issuer's keys (cached by jose,
 * refetched on an unknown `kid`, so key rotation is followed), its issuer and audience, expiry with
 * 30 s of skew. Or an API token (`ffp_…`), verified by the auth service. Verified credentials are cached
 * (by sha256 of the credential, until it expires or FLOWFORGE_AUTH_CACHE_SECONDS for API tokens) so a
 * request costs no crypto and no I/O once its token has been seen; session revocation is checked at every
 * use, and a token revoked or a user disabled or deleted drops the cached entries at once (forgetToken,
 * forgetUser: this gateway's own changes and the bus's auth.access-changed).
 */
@Injectable()
export class TokenVerifier {
  private readonly issuers = new Map<string, Issuer>();
  private readonly cache = new Map<string, Principal>();

  constructor(
    @Inject(serviceConfigToken('gateway')) private readonly config: GatewayConfig,
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
    private readonly auth: AuthClient,
  ) {
    if (config.FLOWFORGE_AUTH_BUILTIN === 'true') {
      this.issuers.set(config.FLOWFORGE_AUTH_ISSUER, {
        name: 'builtin',
        iss: config.FLOWFORGE_AUTH_ISSUER,
        // The issuer is our own service, cheap to ask: an unknown kid may refetch once a second.
        keys: lazy(async () =>
          createRemoteJWKSet(new URL(`${this.auth.baseUrl}/internal/auth/jwks`), { headers: this.runtime.internalHeaders(), cooldownDuration: 1_000 }),
        ),
        roles: (claims) => (Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : []),
      });
    }
    const oidc = config.FLOWFORGE_OIDC_ISSUER?.replace(/\/$/, '');
    if (oidc) {
      const roleMap = parseRoleMap(config.FLOWFORGE_OIDC_ROLE_MAP);
      this.issuers.set(oidc, {
        name: 'keycloak',
        iss: oidc,
        keys: lazy(async () => createRemoteJWKSet(new URL(config.FLOWFORGE_OIDC_JWKS_URL ?? (await discoverJwksUri(oidc))), { cooldownDuration: 5_000 })),
        roles: (claims) => keycloakRoles(claims, roleMap),
      });
    }
  }

  /** The principal of `authorization`, or an UnauthenticatedError saying what to do (never which check failed in detail). */
  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new UnauthenticatedError('FF_AUTH_REQUIRED', 'sign in: send `Authorization: Bearer <access token or API token>`');
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw new UnauthenticatedError('FF_AUTH_REQUIRED', 'the Authorization header must be `Bearer <token>`');
    const credential = m[1]!;
    const key = createHash('sha256').update(credential).digest('base64url');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt * 1000 > Date.now()) return cached;
    if (cached) this.cache.delete(key);
    const principal = credential.startsWith(API_TOKEN_PREFIX) ? await this.verifyApiToken(credential) : await this.verifyJwt(credential);
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, principal);
    return principal;
  }

  /** The built-in issuer rotated its key through this gateway: refetch its JWKS now, not at the next unknown kid. */
  async reloadBuiltinKeys(): Promise<void> {
    const builtin = this.issuers.get(this.config.FLOWFORGE_AUTH_ISSUER);
    if (builtin?.name === 'builtin') await (await builtin.keys()).reload();
  }

  /** Drops the cached verification of one API token (revoked): its next use asks the auth service. */
  forgetToken(tokenId: string): void {
    for (const [k, p] of this.cache) if (p.via === 'api-token' && p.actor.id === tokenId) this.cache.delete(k);
  }

  /**
   * Drops every cached credential of a user (disabled, deleted, roles changed): their API tokens are
   * verified again at the next use (and refused when the owner is gone or disabled), their access tokens
   * are checked again against the revocation list, which already has their sessions.
   */
  forgetUser(userId: string): void {
    for (const [k, p] of this.cache) if (p.actor.userId === userId) this.cache.delete(k);
  }

  private async verifyJwt(token: string): Promise<Principal> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new UnauthenticatedError('FF_AUTH_TOKEN_INVALID', 'the access token is malformed');
    }
    const issuer = typeof unverified.iss === 'string' ? (this.issuers.get(unverified.iss.replace(/\/$/, '')) ?? this.issuers.get(unverified.iss)) : undefined;
    if (!issuer) throw new UnauthenticatedError('FF_AUTH_TOKEN_INVALID', 'the access token is not from an issuer this gateway trusts');
    let claims: JWTPayload;
    try {
      claims = await checkJwt(token, await issuer.keys(), {
        issuer: issuer.iss,
        audience: this.config.FLOWFORGE_AUTH_AUDIENCE,
        clockToleranceSeconds: CLOCK_SKEW_SECONDS,
      });
    } catch (err) {
      if (!(err instanceof JwtRejected)) throw err;
      if (err.reason === 'expired') throw new UnauthenticatedError('FF_AUTH_TOKEN_EXPIRED', 'the access token has expired: refresh it or sign in again');
      throw new UnauthenticatedError('FF_AUTH_TOKEN_INVALID', 'the access token is not valid');
    }
    const sub = claims.sub!;
    const name = typeof claims.preferred_username === 'string' ? claims.preferred_username : sub;
    const sid = typeof claims.sid === 'string' ? claims.sid : null;
    return {
      actor: {
        type: 'user',
        id: sub,
        name,
        userId: issuer.name === 'builtin' ? sub : null,
        sessionId: issuer.name === 'builtin' ? sid : null,
        ip: null,
        userAgent: null,
      },
      via: issuer.name,
      roles: issuer.roles(claims),
      scopes: null,
      expiresAt: claims.exp!,
      mustChangePassword: issuer.name === 'builtin' && claims.ff_pwd_change === true,
    };
  }

  private async verifyApiToken(token: string): Promise<Principal> {
    const { status, body } = await this.auth.json<{
      tokenId: string;
      name: string;
      ownerId: string;
      ownerName: string;
      permissions: string[];
      expiresAt: string | null;
    }>({
      method: 'POST',
      path: '/tokens/verify',
      body: { token },
    });
    if (status !== 200) throw new UnauthenticatedError('FF_AUTH_TOKEN_INVALID', 'the API token is not valid (unknown, revoked or expired)');
    const until = Math.floor(Date.now() / 1000) + this.config.FLOWFORGE_AUTH_CACHE_SECONDS;
    const expires = body.expiresAt ? Math.floor(Date.parse(body.expiresAt) / 1000) : until;
    return {
      actor: { type: 'token', id: body.tokenId, name: `${body.name} (${body.ownerName})`, userId: body.ownerId, sessionId: null, ip: null, userAgent: null },
      via: 'api-token',
      roles: [],
      scopes: new Set(body.permissions.filter(isPermission) as Permission[]),
      expiresAt: Math.min(until, expires),
      mustChangePassword: false,
    };
  }
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((err: unknown) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) }).catch((err: unknown) => {
    throw new UnauthenticatedError('FF_AUTH_ISSUER_UNREACHABLE', `the identity provider at ${issuer} did not answer: ${(err as Error).message}`);
  });
  const doc = (await res.json().catch(() => ({}))) as { jwks_uri?: string };
  if (!res.ok || !doc.jwks_uri)
    throw new UnauthenticatedError('FF_AUTH_ISSUER_UNREACHABLE', `the identity provider at ${issuer} has no usable discovery document`);
  return doc.jwks_uri;
}

export function parseRoleMap(text: string): Map<string, string> {
  return new Map(
    text
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

/** Realm roles (`realm_access.roles`) mapped to FlowForge roles: by the map, or by equal name for the built-in and any other role. */
export function keycloakRoles(claims: JWTPayload, roleMap: ReadonlyMap<string, string>): string[] {
  const realm = (claims.realm_access as { roles?: unknown } | undefined)?.roles;
  const names = Array.isArray(realm) ? realm.filter((r): r is string => typeof r === 'string') : [];
  const out = new Set<string>();
  for (const name of names) {
    const mapped = roleMap.get(name);
    if (mapped) out.add(mapped);
    else if ((BUILTIN_ROLES as readonly string[]).includes(name) || /^[a-z][a-z0-9-]{1,39}$/.test(name)) out.add(name);
  }
  return [...out];
}
