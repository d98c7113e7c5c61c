import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RouteAccess } from '@flowforge/access';
import { authDenials, FlowForgeError } from '@flowforge/service-kit';
import { AccessState } from './access-state';
import { clientOf, type AuthenticatedRequest } from './principal';
import { BEFORE_PASSWORD_CHANGE, ROUTE_ACCESS } from './route-access';
import { TokenVerifier, UnauthenticatedError } from './token-verifier';
import { AuditRecorder } from './audit.recorder';

export class ForbiddenError extends FlowForgeError {
  constructor(detail: string) {
    super('FF_FORBIDDEN', 403, 'Forbidden', detail);
  }
}

/** An API token on a route that acts for its owner's account: only the owner, signed in, may. */
export class InteractiveSignInRequiredError extends FlowForgeError {
  constructor(route: string) {
    super(
      'FF_AUTH_INTERACTIVE_REQUIRED',
      403,
      'Forbidden',
      `${route} acts for the account itself (sessions, two-factor authentication, password, profile, API tokens) and needs an interactive sign-in: an API token cannot use it, whatever its scopes`,
    );
  }
}

export class PasswordChangeRequiredError extends FlowForgeError {
  constructor() {
    super(
      'FF_AUTH_PASSWORD_CHANGE_REQUIRED',
      403,
      'Forbidden',
      'change your password first (POST /api/v1/auth/password, or `flowforge passwd`), then refresh your token or sign in again',
    );
  }
}

/**
 * The gateway's one guard, global: authentication, then RBAC, for every route that declares its access
 * (every /api route must: the OpenAPI build refuses one that does not). Routes without a declaration —
 * health, metrics, the internal APIs of the services the embedded host mounts beside the gateway — are
 * not its business (the internal-token middleware guards /internal). A /api route that somehow lacks a
 * declaration is refused, not let through.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly state: AccessState,
    private readonly audit: AuditRecorder,
  ) {}

  private readonly denials = authDenials();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.decide(context);
    } catch (err) {
      const reason =
        err instanceof PasswordChangeRequiredError
          ? 'password_change'
          : err instanceof ForbiddenError || err instanceof InteractiveSignInRequiredError
            ? 'forbidden'
            : err instanceof UnauthenticatedError
              ? 'unauthenticated'
              : 'error';
      this.denials.inc({ reason });
      throw err;
    }
  }

  private async decide(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    // Express routes ignore letter case: so does this check.
    const path = (req.url ?? '').toLowerCase();
    if (!access) {
      if (path === '/api' || path.startsWith('/api/'))
        throw new ForbiddenError('this route declares no permission, so nobody may call it (a FlowForge bug: report it)');
      return true;
    }
    req.client = clientOf(req);
    if (access.kind === 'public') return true;
    await this.state.ready();
    const principal = await this.verifier.verify(req.headers.authorization);
    if (principal.actor.sessionId && this.state.isRevoked(principal.actor.sessionId)) {
      throw new UnauthenticatedError('FF_AUTH_SESSION_ENDED', 'this session has ended (signed out or revoked): sign in again');
    }
    const granted = principal.scopes ?? this.state.permissionsOf(principal.roles);
    // The upstream checks grants (a role, a token scope) against what the caller holds: it is told here.
    req.principal = { ...principal, actor: { ...principal.actor, ...req.client, permissions: [...granted].sort() } };
    if (
      principal.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean | undefined>(BEFORE_PASSWORD_CHANGE, [context.getHandler(), context.getClass()])
    ) {
      throw new PasswordChangeRequiredError();
    }
    if (access.kind === 'authenticated') return true;
    if (access.kind === 'interactive') {
      if (principal.via !== 'api-token') return true;
      this.audit.denied(req, access, 403);
      throw new InteractiveSignInRequiredError(`${req.method ?? ''} ${req.route?.path ?? req.url ?? ''}`.trim());
    }
    if (granted.has(access.permission)) return true;
    const why = principal.scopes
      ? `this API token's scopes do not include ${access.permission}`
      : `${access.permission} is not granted by your role(s): ${principal.roles.length ? principal.roles.join(', ') : 'none'}`;
    this.audit.denied(req, access, 403);
    throw new ForbiddenError(why);
  }
}
