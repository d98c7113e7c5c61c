import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { actorFromHeaders, type Actor } from '@flowforge/access';
import type { HttpRequest } from '@flowforge/service-kit';
import { UnauthenticatedProblem } from '../auth.errors';

/** The caller as the gateway forwarded it (actor headers; the internal token guard vouches for them). */
export const CallingActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  return actorFromHeaders(ctx.switchToHttp().getRequest<HttpRequest>().headers);
});

/** The signed-in user a `me` route acts on; a token acts for its owner. */
export function userIdOf(actor: Actor): string {
  if (!actor.userId) throw new UnauthenticatedProblem('FF_AUTH_REQUIRED', 'sign in first');
  return actor.userId;
}
