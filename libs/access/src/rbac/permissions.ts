/**
 * The permission model: a permission is `resource:action`. Every public route declares exactly one
 * (or is explicitly public / open to any signed-in caller); a role is a named set of permissions.
 * Later issues add their resources (schedule, trigger, quality, alert) here, and the route × role
 * matrix test picks them up from the OpenAPI document.
 */
export const RESOURCE_ACTIONS = {
  workflow: ['create', 'edit', 'delete', 'execute', 'view'],
  job: ['create', 'edit', 'delete', 'view'],
  asset: ['view', 'edit', 'download', 'delete'],
  /** `use`: test a connection, pick it in a job. Creating, editing and deleting is settings:manage-connections. */
  connection: ['view', 'use'],
  settings: ['manage-users', 'manage-connections', 'configure-system'],
  audit: ['view', 'export'],
  /** `execute`: pause, resume, backfill and trigger a schedule by hand. */
  schedule: ['view', 'create', 'edit', 'delete', 'execute'],
  /** `execute`: test a trigger with a sample payload. Firing a webhook is authorised by its own secret or token. */
  trigger: ['view', 'create', 'edit', 'delete', 'execute'],
} as const;

export type Resource = keyof typeof RESOURCE_ACTIONS;
export type ActionOf<R extends Resource> = (typeof RESOURCE_ACTIONS)[R][number];
export type Permission = { [R in Resource]: `${R}:${ActionOf<R>}` }[Resource];

export const RESOURCES = Object.keys(RESOURCE_ACTIONS) as Resource[];

/** Every permission, in catalogue order. */
export const ALL_PERMISSIONS: readonly Permission[] = RESOURCES.flatMap((r) => RESOURCE_ACTIONS[r].map((a) => `${r}:${a}` as Permission));

const KNOWN = new Set<string>(ALL_PERMISSIONS);

export function isPermission(value: string): value is Permission {
  return KNOWN.has(value);
}

export function permission<R extends Resource>(resource: R, action: ActionOf<R>): Permission {
  return `${resource}:${action}` as Permission;
}

export const BUILTIN_ROLES = ['admin', 'developer', 'operator', 'analyst'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

const VIEW: Permission[] = ['workflow:view', 'job:view', 'asset:view', 'connection:view', 'schedule:view', 'trigger:view'];

/**
 * The default matrix (issue 4): admin everything; developer builds workflows and jobs and uses
 * connections; operator runs and watches; analyst views only.
 */
export const DEFAULT_ROLE_PERMISSIONS: Record<BuiltinRole, readonly Permission[]> = {
  admin: ALL_PERMISSIONS,
  developer: [
    ...VIEW,
    'workflow:create',
    'workflow:edit',
    'workflow:delete',
    'workflow:execute',
    'job:create',
    'job:edit',
    'job:delete',
    'asset:edit',
    'asset:download',
    'connection:use',
    'schedule:create',
    'schedule:edit',
    'schedule:delete',
    'schedule:execute',
    'trigger:create',
    'trigger:edit',
    'trigger:delete',
    'trigger:execute',
  ],
  operator: [...VIEW, 'workflow:execute', 'schedule:execute', 'trigger:execute'],
  analyst: VIEW,
};

export const ROLE_DESCRIPTIONS: Record<BuiltinRole, string> = {
  admin: 'Everything, including users, roles, connections, system settings and the audit log',
  developer: 'Builds workflows, jobs, schedules and triggers, runs them, uses connections, edits and downloads data assets',
  operator: 'Runs workflows, pauses, resumes and backfills schedules, tests triggers, and watches them; views everything else',
  analyst: 'Views workflows, jobs, runs, schedules, triggers, connections and data assets',
};

/** A role name: lower-case letters, digits and dashes, 2–40 characters, starting with a letter. */
export const ROLE_NAME = /^[a-z][a-z0-9-]{1,39}$/;

/**
 * What a route requires: one permission; `authenticated` (any signed-in caller, API tokens included:
 * who am I, the permission catalogue); `interactive` (a person's sign-in — an access token of a session,
 * built-in or Keycloak — never an API token: routes that act for the account itself, its sessions,
 * MFA, password and API tokens, which a token must not reach whatever its scopes); or `public` (login,
 * the API document). Declared on every route.
 */
export type RouteAccess = { kind: 'permission'; permission: Permission } | { kind: 'authenticated' } | { kind: 'interactive' } | { kind: 'public' };

const ACCESS_KINDS = ['public', 'authenticated', 'interactive'] as const;

/** The union of the permissions of `roles` under `matrix` (unknown roles grant nothing). */
export function permissionsOf(roles: readonly string[], matrix: ReadonlyMap<string, ReadonlySet<Permission>>): Set<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of matrix.get(role) ?? []) out.add(p);
  return out;
}

/** `x-permission` value in the OpenAPI document: `workflow:edit`, `authenticated`, `interactive` or `public`. */
export function accessLabel(access: RouteAccess): string {
  return access.kind === 'permission' ? access.permission : access.kind;
}

export function parseAccessLabel(label: string): RouteAccess {
  if ((ACCESS_KINDS as readonly string[]).includes(label)) return { kind: label as (typeof ACCESS_KINDS)[number] };
  if (isPermission(label)) return { kind: 'permission', permission: label };
  throw new Error(`FF_ACCESS_UNKNOWN: "${label}" is neither public, authenticated, interactive nor a known permission`);
}

/** The permissions of `wanted` that `held` lacks, in catalogue order (empty: `held` covers them all). */
export function permissionsLacking(held: ReadonlySet<Permission>, wanted: Iterable<Permission>): Permission[] {
  const want = new Set(wanted);
  return ALL_PERMISSIONS.filter((p) => want.has(p) && !held.has(p));
}
