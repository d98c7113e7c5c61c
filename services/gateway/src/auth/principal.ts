import type { Actor, Permission } from '@flowforge/access';
import type { HttpRequest } from '@flowforge/service-kit';

/** The authenticated caller of a request. */
export interface Principal {
  actor: Actor;
  /** `builtin`, `keycloak` or `api-token`. */
  via: 'builtin' | 'keycloak' | 'api-token';
  roles: readonly string[];
  /** null: the roles' permissions (looked up in the current matrix at each request); a set: a token's scopes. */
  scopes: ReadonlySet<Permission> | null;
  /** Seconds since the epoch when the credential stops being valid (cache bound). */
  expiresAt: number;
  /** A built-in account that must change its password first (first admin, reset by an admin). */
  mustChangePassword: boolean;
}

export interface AuthenticatedRequest extends HttpRequest {
  principal?: Principal;
  /** The client as the audit log names it, set for every /api request. */
  client?: Pick<Actor, 'ip' | 'userAgent'>;
}

export function clientOf(req: HttpRequest): Pick<Actor, 'ip' | 'userAgent'> {
  const ua = req.headers['user-agent'];
  return { ip: req.socket?.remoteAddress ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}

/** The actor to forward and audit: the principal, or an anonymous caller with its client. */
export function actorOf(req: AuthenticatedRequest): Actor {
  if (req.principal) return req.principal.actor;
  const client = req.client ?? clientOf(req);
  return { type: 'anonymous', id: 'anonymous', name: 'anonymous', userId: null, sessionId: null, ...client };
}
