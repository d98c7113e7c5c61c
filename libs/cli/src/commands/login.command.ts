import type { Command } from 'commander';
import { isRecoveryCodeFormat } from '@flowforge/access';
import type { TokenPair } from '../api/api.types';
import { credentialsFromPair } from '../auth/bearer.credentials';
import { readStdinSecret } from '../auth/stdin.reader';
import type { CliContext, CommandRunner } from '../cli.context';
import { ApiProblemError, CliFailure, ExitCodes, UsageError } from '../cli.errors';
import type { CliIo } from '../cli.io';
import { changePassword } from './passwd.command';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  otp?: string;
}

export function registerLoginCommand(program: Command, runner: CommandRunner): void {
  program
    .command('login')
    .description('Sign in to the gateway with a built-in account; the session is stored for later commands')
    .option('-u, --username <name>', 'the account (asked for on a terminal when missing)')
    .option('--password-stdin', 'read the password from stdin (scripts, CI) instead of asking for it')
    .option('--otp <code>', 'the two-factor code (or a recovery code) when the account uses two-factor authentication')
    .addHelpText(
      'after',
      `
The session (an access token and a single-use refresh token) is stored per gateway URL in
$FLOWFORGE_CONFIG_DIR/credentials.json (default ~/.flowforge/credentials.json, mode 0600) and renewed
as it expires. CI jobs should rather set FLOWFORGE_TOKEN to an API token (flowforge tokens create).

Examples:
  flowforge login
  printf '%s' "$ADMIN_PASSWORD" | flowforge login --username admin --password-stdin`,
    )
    .action(runner.action<[LoginOptions]>(login));
}

/**
 * POST /auth/login, asking on the terminal for what the flags do not give (the password without
 * echo). An account with two-factor authentication answers FF_AUTH_MFA_REQUIRED: the code is asked
 * for then (or taken from --otp) and the login sent again. The token pair is stored, never printed.
 * An account that must change its password (a generated first-start password) is asked for a new one
 * right away on a terminal.
 */
export async function login(ctx: CliContext, options: LoginOptions): Promise<number> {
  const server = ctx.server;
  if (options.passwordStdin && !options.username) throw new UsageError('--password-stdin needs --username (stdin holds the password)');
  const username = (options.username ?? (await ask(ctx.io, 'Username: ', false, 'the username', '--username <name>'))).trim();
  if (!username) throw new UsageError('the username is empty');
  const password = options.passwordStdin
    ? (await readStdinSecret(ctx.io, 'login')).replace(/\r?\n$/, '')
    : await ask(ctx.io, 'Password: ', true, 'the password', '--password-stdin');
  if (!password) throw new CliFailure('the password is empty');

  const client = ctx.clientWith(undefined);
  const send = (code?: string): Promise<TokenPair> =>
    client
      .login({ username, password, ...(code === undefined ? {} : isRecoveryCodeFormat(code) ? { recoveryCode: code } : { otp: code }) }, ctx.signal)
      .catch((err: unknown) => {
        throw explain(err, username, server);
      });
  let pair: TokenPair;
  try {
    pair = await send(options.otp);
  } catch (err) {
    if (!(err instanceof MfaRequired)) throw err;
    const code = (await ask(ctx.io, 'Two-factor code (or a recovery code): ', false, 'a two-factor code', '--otp <code>')).trim();
    if (!code) throw new CliFailure('no two-factor code given');
    pair = await send(code);
  }

  const stored = credentialsFromPair(pair);
  await ctx.store.save(server, stored);
  if (ctx.json) {
    ctx.out.data({
      server,
      username: pair.user.username,
      userId: pair.user.id,
      roles: pair.user.roles,
      sessionId: pair.sessionId,
      sessionExpiresAt: stored.refreshExpiresAt,
      credentialsFile: ctx.store.file,
    });
  } else {
    ctx.out.line(`signed in to ${server} as ${pair.user.username}${pair.user.roles.length ? ` (${pair.user.roles.join(', ')})` : ''}`);
  }
  if (pair.user.mustChangePassword) {
    // Until then the gateway refuses everything else (FF_AUTH_PASSWORD_CHANGE_REQUIRED).
    if (!ctx.io.prompt) {
      ctx.out.note(
        'note: this account must change its password before it can do anything else: run flowforge passwd on a terminal, or pipe the current and the new password, one a line, to flowforge passwd --password-stdin',
      );
    } else {
      ctx.out.note('this account must change its password before anything else');
      await changePassword(ctx, ctx.clientWith(ctx.storedCredentials()), password);
    }
  }
  const explicit = ctx.explicitCredentials();
  if (explicit) ctx.out.note(`note: the ${explicit.description} is still used before this sign-in; unset it to use the sign-in`);
  return ExitCodes.ok;
}

/** FF_AUTH_MFA_REQUIRED when no code was sent: ask for one and send the login again. */
class MfaRequired extends Error {}

function explain(err: unknown, username: string, server: string): unknown {
  if (!(err instanceof ApiProblemError)) return err;
  switch (err.code) {
    case 'FF_AUTH_MFA_REQUIRED':
      return new MfaRequired(err.detail);
    case 'FF_AUTH_INVALID_CREDENTIALS':
      return new CliFailure(`wrong username, password or two-factor code for ${server} (FF_AUTH_INVALID_CREDENTIALS)`);
    case 'FF_AUTH_LOCKED': {
      const wait = err.retryAfterSeconds === undefined ? 'a while' : `${err.retryAfterSeconds} s`;
      return new CliFailure(
        `too many failed logins for "${username}" (FF_AUTH_LOCKED): try again in ${wait} (Retry-After), or ask an admin to unlock the account`,
      );
    }
    default:
      return err;
  }
}

/** Asks on the terminal, or says which flag to pass where there is none to ask on (CI, pipes). */
async function ask(io: CliIo, question: string, secret: boolean, what: string, flag: string): Promise<string> {
  if (!io.prompt) throw new UsageError(`${what} is needed and there is no terminal to ask on: pass ${flag}`);
  return io.prompt(question, { secret });
}
