import { Command, CommanderError } from 'commander';
import { CommandRunner, DEFAULT_URL } from './cli.context';
import { ApiProblemError, CliFailure, ExitCodes, GatewayUnreachableError, UsageError } from './cli.errors';
import type { CliIo } from './cli.io';
import { registerApplyCommand } from './commands/apply.command';
import { registerAssetsCommand } from './commands/assets.command';
import { registerAuditCommand } from './commands/audit.command';
import { registerCancelCommand } from './commands/cancel.command';
import { registerConnectionsCommand } from './commands/connections.command';
import { registerExportCommand } from './commands/export.command';
import { registerIngestCommand } from './commands/ingest.command';
import { registerLoginCommand } from './commands/login.command';
import { registerLogoutCommand } from './commands/logout.command';
import { registerLogsCommand } from './commands/logs.command';
import { registerPasswdCommand } from './commands/passwd.command';
import { registerRerunCommand } from './commands/rerun.command';
import { registerRunCommand } from './commands/run.command';
import { registerRunsCommand } from './commands/runs.command';
import { registerSchedulesCommand } from './commands/schedules.command';
import { registerTokensCommand } from './commands/tokens.command';
import { registerTransformCommands } from './commands/transform.commands';
import { registerTriggersCommand } from './commands/triggers.command';
import { registerWhoamiCommand } from './commands/whoami.command';

/**
 * The `flowforge` command tree. A fresh one per call: commander keeps parsed option values on the
 * command objects. Its own errors (unknown option, missing argument, bad value) are thrown, not
 * exited on, and written to the injected stderr.
 */
export function buildProgram(io: CliIo, runner: CommandRunner, version = 'dev'): Command {
  const program = new Command('flowforge')
    .description(
      'FlowForge from the command line: apply workflow-as-code, start and watch runs, read logs, look at data assets, manage API tokens, verify the audit log.',
    )
    .version(version, '-V, --version')
    .option('--url <url>', `gateway URL (default: $FLOWFORGE_URL, else ${DEFAULT_URL})`)
    .option('--token <token>', 'API token (ffp_...) or access token, sent as a Bearer token (default: $FLOWFORGE_TOKEN, else the sign-in of flowforge login)')
    .option('--json', 'machine-readable JSON output')
    .option('--verbose', 'print each request and answer on stderr (never a credential)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.endsWith('\n') ? s : `${s}\n`),
      getOutHelpWidth: () => io.stdout.columns || 100,
      getErrHelpWidth: () => io.stderr.columns || 100,
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 the API refused (not signed in, no permission, the run did not succeed), 2 usage error, 3 gateway unreachable.
Credentials, first found: --token, FLOWFORGE_TOKEN (API token for scripts and CI), the sign-in stored by
flowforge login (per gateway URL, in $FLOWFORGE_CONFIG_DIR/credentials.json, default ~/.flowforge).
Environment: FLOWFORGE_URL (default ${DEFAULT_URL}), FLOWFORGE_TOKEN, FLOWFORGE_CONFIG_DIR, NO_COLOR.`,
    );
  registerLoginCommand(program, runner);
  registerLogoutCommand(program, runner);
  registerWhoamiCommand(program, runner);
  registerPasswdCommand(program, runner);
  registerApplyCommand(program, runner);
  registerRunCommand(program, runner);
  registerRunsCommand(program, runner);
  registerLogsCommand(program, runner);
  registerCancelCommand(program, runner);
  registerRerunCommand(program, runner);
  registerExportCommand(program, runner);
  registerAssetsCommand(program, runner);
  registerIngestCommand(program, runner);
  registerConnectionsCommand(program, runner);
  registerSchedulesCommand(program, runner);
  registerTokensCommand(program, runner);
  registerTriggersCommand(program, runner);
  registerTransformCommands(program, runner);
  registerAuditCommand(program, runner);
  return program;
}

/**
 * Runs the CLI on `argv` (without node and the script) and resolves with its exit code; never calls
 * process.exit, so tests run it in-process with captured streams.
 */
export async function runCli(argv: readonly string[], io: CliIo, version?: string): Promise<number> {
  const runner = new CommandRunner(io);
  const program = buildProgram(io, runner, version);
  // commander's `help <command>` exits with process.exitCode, which whatever ran before in this
  // process may have set (an earlier run of the CLI in the same process does): asked-for help is 0.
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return runner.exitCode;
  } catch (err) {
    return report(err, io);
  } finally {
    process.exitCode = exitCodeBefore;
  }
}

/** One `error:` line (and detail lines) on stderr; the exit code says which kind of failure. */
function report(err: unknown, io: CliIo): number {
  const write = (text: string): void => void io.stderr.write(`${text}\n`);
  if (io.signal?.aborted) {
    write('interrupted');
    return ExitCodes.interrupted;
  }
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help) already. Asked-for help and --version are 0;
    // everything else, including a command group without its subcommand, is a usage error.
    return err.exitCode === 0 ? ExitCodes.ok : ExitCodes.usage;
  }
  if (err instanceof UsageError) {
    write(`error: ${err.message}`);
    write('(run flowforge --help, or flowforge <command> --help)');
    return err.exitCode;
  }
  if (err instanceof ApiProblemError) {
    write(`error: ${err.title}${err.detail ? `: ${err.detail}` : ''}`);
    // The fields the API named (a config, an expression with the position in it) that its detail does not
    // already spell out: what to fix, where.
    for (const e of (err.errors ?? []).filter((x) => !err.detail.includes(x.message))) {
      write(`  ${e.field}${e.position !== undefined ? ` (at ${e.position})` : ''}: ${e.message}`);
    }
    return err.exitCode;
  }
  if (err instanceof GatewayUnreachableError || err instanceof CliFailure) {
    write(`error: ${err.message}`);
    if (err instanceof CliFailure) for (const line of err.details) write(`  ${line}`);
    return err.exitCode;
  }
  write(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (io.env.FLOWFORGE_DEBUG && err instanceof Error && err.stack) write(err.stack);
  return ExitCodes.failed;
}
