import type { Command } from 'commander';
import type { CliContext, CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';

export function registerWhoamiCommand(program: Command, runner: CommandRunner): void {
  program
    .command('whoami')
    .description('Who the gateway takes you for: user or API token, how it was signed in, roles and permissions')
    .action(runner.action<[object]>(whoami));
}

/** GET /auth/whoami, plus where the CLI took the credential from (never the credential). */
export async function whoami(ctx: CliContext): Promise<number> {
  const me = await ctx.client.whoami(ctx.signal);
  if (ctx.json) {
    ctx.out.data(me);
    return ExitCodes.ok;
  }
  const facts: [string, string][] = [
    [me.type === 'token' ? 'token' : 'user', `${me.username} (${me.id})`],
    ['via', me.via],
    ['credential', ctx.client.credentials?.description ?? 'none'],
    ['roles', me.roles.length ? me.roles.join(', ') : '(none)'],
    ['permissions', me.permissions.length ? me.permissions.join(', ') : '(none)'],
  ];
  const width = Math.max(...facts.map(([k]) => k.length));
  for (const [k, v] of facts) ctx.out.line(`${k.padEnd(width)}  ${v}`);
  return ExitCodes.ok;
}
