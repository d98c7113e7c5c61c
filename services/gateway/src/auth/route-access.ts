import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiProblem } from '@flowforge/http';
import { accessLabel, type Permission, type RouteAccess } from '@flowforge/access';

export const ROUTE_ACCESS = 'flowforge:route-access';
/** Routes whose upstream (the auth service) writes its own, richer audit entries. */
export const SELF_AUDITED = 'flowforge:self-audited';

function declare(access: RouteAccess): MethodDecorator & ClassDecorator {
  const documented = [SetMetadata(ROUTE_ACCESS, access), ApiExtension('x-permission', accessLabel(access))];
  if (access.kind === 'public') return applyDecorators(...documented);
  return applyDecorators(
    ...documented,
    ApiBearerAuth(),
    ApiProblem(401, 'FF_AUTH_REQUIRED / FF_AUTH_TOKEN_INVALID / FF_AUTH_TOKEN_EXPIRED: no valid access token or API token'),
    ApiProblem(
      403,
      access.kind === 'permission'
        ? `FF_FORBIDDEN: the caller's roles (or the token's scopes) do not grant ${access.permission}; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first`
        : access.kind === 'interactive'
          ? 'FF_AUTH_INTERACTIVE_REQUIRED: an API token cannot act for its owner here, sign in; FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first'
          : 'FF_AUTH_PASSWORD_CHANGE_REQUIRED: change the password first',
    ),
  );
}

/**
 * Every route under /api declares what it needs — one of these four — or the OpenAPI document refuses
 * to build (services/gateway/src/openapi/openapi.document.ts), which fails `npm test` and the start.
 */
export const RequirePermission = (permission: Permission) => declare({ kind: 'permission', permission });
/** Any signed-in caller, API tokens included (who am I, the permission catalogue). */
export const Authenticated = () => declare({ kind: 'authenticated' });
/**
 * A person signed in (a session's access token), never an API token: routes that act for the account
 * itself (its sessions, MFA, password, profile, API tokens) — a token's scopes name none of these.
 */
export const Interactive = () => declare({ kind: 'interactive' });
/** No credential needed (sign-in, the API document). */
export const Public = () => declare({ kind: 'public' });
export const BEFORE_PASSWORD_CHANGE = 'flowforge:before-password-change';
/** Open to a caller who must change their password first (the change itself, sign-out, who am I). */
export const AllowedBeforePasswordChange = () => SetMetadata(BEFORE_PASSWORD_CHANGE, true);
/** The upstream audits these itself, with before/after; the gateway records only refusals. */
export const SelfAudited = () => SetMetadata(SELF_AUDITED, true);
