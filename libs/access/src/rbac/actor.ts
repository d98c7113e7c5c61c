/**
 * Who is calling, as the gateway established it. The gateway forwards it to a service's internal API
 * in these headers (the internal token guard makes sure only the gateway and peers can set them), so
 * services can audit and own-resource checks (my sessions, my tokens) without verifying tokens again.
 */
import { isPermission, type Permission } from './permissions';

export type ActorType = 'user' | 'token' | 'system' | 'anonymous';

export interface Actor {
  type: ActorType;
  /** User id, API token id, or service name. */
  id: string;
  /** Username, token name, or service name, as it is now. */
  name: string;
  /** For a token: the user it acts for. For a user: the user id again. */
  userId: string | null;
  /** The built-in issuer's session (`sid`), when the caller signed in there. */
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /**
   * What this credential may do, as the gateway decided it: a token's scopes, or the permissions of the
   * user's roles. Services check grants against it (nobody grants what they do not hold); absent or
   * null: unknown, which grants nothing.
   */
  permissions?: readonly Permission[] | null;
}

export const ACTOR_HEADERS = {
  type: 'x-flowforge-actor-type',
  id: 'x-flowforge-actor-id',
  name: 'x-flowforge-actor-name',
  userId: 'x-flowforge-actor-user-id',
  sessionId: 'x-flowforge-actor-session-id',
  ip: 'x-flowforge-client-ip',
  userAgent: 'x-flowforge-client-user-agent',
  permissions: 'x-flowforge-actor-permissions',
} as const;

const TYPES: readonly ActorType[] = ['user', 'token', 'system', 'anonymous'];

/** Headers carrying `actor` (names are URI-encoded: header values are Latin-1). */
export function actorHeaders(actor: Actor): Record<string, string> {
  const out: Record<string, string> = {
    [ACTOR_HEADERS.type]: actor.type,
    [ACTOR_HEADERS.id]: encodeURIComponent(actor.id),
    [ACTOR_HEADERS.name]: encodeURIComponent(actor.name),
  };
  if (actor.userId) out[ACTOR_HEADERS.userId] = actor.userId;
  if (actor.sessionId) out[ACTOR_HEADERS.sessionId] = actor.sessionId;
  if (actor.ip) out[ACTOR_HEADERS.ip] = actor.ip;
  if (actor.userAgent) out[ACTOR_HEADERS.userAgent] = encodeURIComponent(actor.userAgent);
  // Sent even when empty: an explicit "holds nothing", where a missing header reads as unknown.
  if (actor.permissions) out[ACTOR_HEADERS.permissions] = actor.permissions.join(',');
  return out;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return null;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The actor of an internal call; `anonymous` when the headers are absent (a peer service's own call). */
export function actorFromHeaders(headers: Record<string, string | string[] | undefined>): Actor {
  const type = header(headers, ACTOR_HEADERS.type) as ActorType | null;
  const ip = header(headers, ACTOR_HEADERS.ip);
  const userAgent = header(headers, ACTOR_HEADERS.userAgent);
  if (!type || !TYPES.includes(type)) return { type: 'anonymous', id: 'anonymous', name: 'anonymous', userId: null, sessionId: null, ip, userAgent };
  const id = header(headers, ACTOR_HEADERS.id) ?? 'unknown';
  return {
    type,
    id,
    name: header(headers, ACTOR_HEADERS.name) ?? id,
    userId: header(headers, ACTOR_HEADERS.userId),
    sessionId: header(headers, ACTOR_HEADERS.sessionId),
    ip,
    userAgent,
    permissions: permissionsHeader(headers),
  };
}

function permissionsHeader(headers: Record<string, string | string[] | undefined>): Permission[] | null {
  const v = headers[ACTOR_HEADERS.permissions];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return null;
  return s.split(',').filter(isPermission);
}

/**
 * Who did something, as one string a run records (requestedBy, cancelledBy): a user's name (`alice`),
 * `token:<token name> (<owner>)` for an API token (the actor name the audit log shows too: token names
 * are only unique per owner), a service's own name (`scheduler`) or `trigger:<id>`. Built-in user
 * names cannot hold a colon (services/auth/src/accounts/users.service.ts USERNAME), so a prefixed
 * principal does not read as a user.
 */
export function principalName(actor: Pick<Actor, 'type' | 'name'>): string {
  return actor.type === 'token' ? `token:${actor.name}` : actor.name;
}
