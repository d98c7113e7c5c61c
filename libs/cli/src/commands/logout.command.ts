import type { Command } from 'commander';
import type { CliContext, CommandRunner } from '../cli.context';
import { AuthenticationFailure, ExitCodes, GatewayUnreachableError } from '../cli.errors';

export function registerLogoutCommand(program: Command, runner: CommandRunner): void {
  program
    .command('logout')
    .description('End the stored sign-in for the gateway (its tokens stop working at once) and delete it')
    .action(runner.action<[object]>(logout));
}

/**
 * POST /auth/logout with the stored sign-in — not with --token or FLOWFORGE_TOKEN, which logout does
 * not own (an API token is ended with `tokens revoke`) — then deletes it from the credentials file. A
 * session that had already ended is deleted all the same; an unreachable gateway too, with a warning
 * that the session stays valid on the server until it expires (exit 3).
 */
export async function logout(ctx: CliContext): Promise<number> {
  const server = ctx.server;
  const stored = ctx.storedCredentials();
  const explicit = ctx.explicitCredentials();
  if (!stored) {
    ctx.out.note(
      `not signed in to ${server}${explicit ? ` (the ${explicit.description} is not a sign-in: revoke an API token with flowforge tokens revoke)` : ''}`,
    );
    return ExitCodes.ok;
  }
  let ended = true;
  try {
    await ctx.clientWith(stored).logout(ctx.signal);
  } catch (err) {
    if (err instanceof GatewayUnreachableError) {
      await ctx.store.remove(server);
      ctx.out.note(`deleted the stored sign-in for ${server}, but the gateway could not be told: the session stays valid there until it expires`);
      throw err;
    }
    if (!(err instanceof AuthenticationFailure)) throw err;
    ended = false; // the gateway no longer knows the session: nothing left to end there
  }
  await ctx.store.remove(server);
  if (ctx.json) ctx.out.data({ server, username: stored.username, sessionEnded: ended });
  else ctx.out.line(`signed out of ${server}${ended ? '' : ' (the session had already ended)'}`);
  if (explicit) ctx.out.note(`note: the ${explicit.description} is still set and still used`);
  return ExitCodes.ok;
}
