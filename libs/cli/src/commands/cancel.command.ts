import type { Command } from 'commander';
import { uuidArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';

interface CancelOptions {
  reason?: string;
}

export function registerCancelCommand(program: Command, runner: CommandRunner): void {
  program
    .command('cancel')
    .description('Cancel a run: running steps are asked to stop, open steps and the run become cancelled')
    .argument('<run>', 'run id', uuidArg('run'))
    .option('--reason <text>', 'why, kept with the run')
    .action(runner.action<[string, CancelOptions]>(cancel));
}

export async function cancel(ctx: CliContext, runId: string, options: CancelOptions): Promise<number> {
  const run = await ctx.client.cancelRun(runId, options.reason, ctx.signal);
  if (ctx.json) ctx.out.data(run);
  else ctx.out.line(`run ${run.id} ${run.state}`);
  return ExitCodes.ok;
}
