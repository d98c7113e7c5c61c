import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { actorFromHeaders, type Actor } from '@flowforge/access';
import type { HttpRequest } from '@flowforge/service-kit';
import { ForbiddenProblem, UnauthenticatedProblem } from '../auth.errors';

/** The caller as the gateway forwarded it (actor headers; the internal token guard vouches for them). */
export const CallingActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  return actorFromHeaders(ctx.switchToHttp().getRequest<HttpRequest>().headers);
});

/**
 * The signed-in user a `me` route (profile, sessions, password, MFA, API tokens) acts on. Never for an
 * API token: its scopes name none of these, and acting on the owner's account is taking it over (the
 * gateway refuses these routes to tokens too; this holds should another caller forward one).
 */
export function userIdOf(actor: Actor): string {
  if (actor.type === 'token') {
    throw new ForbiddenProblem(
      'FF_AUTH_INTERACTIVE_REQUIRED',
      "an API token cannot act on its owner's account (sessions, two-factor authentication, password, profile, API tokens): sign in",
    );
  }
  if (!actor.userId) throw new UnauthenticatedProblem('FF_AUTH_REQUIRED', 'sign in first');
  return actor.userId;
}
