import type { Command } from 'commander';
import type { FlowForgeClient } from '../api/flowforge.client';
import type { CliContext, CommandRunner } from '../cli.context';
import { ApiProblemError, CliFailure, ExitCodes, UsageError } from '../cli.errors';
import type { CliIo } from '../cli.io';
import { readStdinSecret } from '../auth/stdin.reader';

/** Tries at a new password the policy refuses (or typed differently twice) before giving up. */
const NEW_PASSWORD_TRIES = 3;

export function registerPasswdCommand(program: Command, runner: CommandRunner): void {
  program
    .command('passwd')
    .description('Change your password (asks on the terminal); your other sessions are ended')
    .option('--password-stdin', 'read the current password and the new one from stdin, one a line (scripts, CI)')
    .addHelpText(
      'after',
      `
Examples:
  flowforge passwd
  printf '%s\n%s\n' "$OLD_PASSWORD" "$NEW_PASSWORD" | flowforge passwd --password-stdin`,
    )
    .action(runner.action<[{ passwordStdin?: boolean }]>(passwd));
}

/**
 * `flowforge passwd`: the current password, then the new one twice, all without echo; with
 * --password-stdin both from stdin (a scripted sign-in whose account must change its password).
 */
export async function passwd(ctx: CliContext, options: { passwordStdin?: boolean } = {}): Promise<number> {
  if (options.passwordStdin) {
    const { current, next } = twoLines(await readStdinSecret(ctx.io, 'passwd'));
    await changePassword(ctx, ctx.client, current, next);
    return ExitCodes.ok;
  }
  const current = await secret(ctx.io, 'Current password: ');
  await changePassword(ctx, ctx.client, current);
  return ExitCodes.ok;
}

/** Exactly two non-empty lines (a final line break, LF or CRLF, is allowed): no guessing at a typo. */
function twoLines(text: string): { current: string; next: string } {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (lines.length !== 2) {
    throw new UsageError(
      `--password-stdin reads two lines, the current password then the new one; stdin held ${lines.length === 1 ? 'one line' : `${lines.length} lines`}`,
    );
  }
  const [current, next] = lines as [string, string];
  if (!current) throw new UsageError('--password-stdin: the first line (the current password) is empty');
  if (!next) throw new UsageError('--password-stdin: the second line (the new password) is empty');
  return { current, next };
}

/**
 * Asks for a new password (twice) and sends it with POST /auth/password, again while the policy
 * refuses it, printing why (`given`: that password, once, from --password-stdin). The token in use was issued while a change was required and stays
 * limited: a stored sign-in is refreshed at once so the next command works; a token given with
 * --token or FLOWFORGE_TOKEN cannot be, and the note says to sign in again. Shared with login, whose
 * account may have to change its password before anything else.
 */
export async function changePassword(ctx: CliContext, client: FlowForgeClient, currentPassword: string, given?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const newPassword = given ?? (await secret(ctx.io, 'New password: '));
    if (given === undefined && (await secret(ctx.io, 'Repeat the new password: ')) !== newPassword) {
      if (attempt >= NEW_PASSWORD_TRIES) throw new CliFailure('the two new passwords differ; nothing was changed');
      ctx.out.note('the two passwords differ; again');
      continue;
    }
    try {
      await client.changePassword({ currentPassword, newPassword }, ctx.signal);
      break;
    } catch (err) {
      if (!(err instanceof ApiProblemError)) throw err;
      if (err.code === 'FF_AUTH_INVALID_CREDENTIALS') throw new CliFailure('the current password is wrong (FF_AUTH_INVALID_CREDENTIALS); nothing was changed');
      if (err.code !== 'FF_PASSWORD_POLICY') throw err;
      const why = err.errors?.length ? err.errors.map((e) => e.message) : [err.detail];
      // A given password cannot be asked for again: the policy's reasons end the command.
      if (given !== undefined || attempt >= NEW_PASSWORD_TRIES)
        throw new CliFailure('the new password is not accepted (FF_PASSWORD_POLICY); nothing was changed', why);
      ctx.out.note(`the new password is not accepted:\n${why.map((w) => `  ${w}`).join('\n')}`);
    }
  }
  ctx.out.line('password changed; your other sessions have been ended');
  const credentials = client.credentials;
  if (credentials?.source === 'stored') await credentials.renew(await credentials.token(ctx.signal), ctx.signal);
  else if (credentials) ctx.out.note(`note: the ${credentials.description} was issued before the change and stays limited: sign in again`);
}

async function secret(io: CliIo, question: string): Promise<string> {
  if (!io.prompt) throw new UsageError('changing a password asks on a terminal, and there is none here: run it in a terminal (or in the console)');
  return io.prompt(question, { secret: true });
}
