import type { Command } from 'commander';
import { uuidArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { waitForRun } from '../run.waiter';

interface RerunOptions {
  fromStep?: string;
  wait?: boolean;
}

export function registerRerunCommand(program: Command, runner: CommandRunner): void {
  program
    .command('rerun')
    .description('Rerun the failed part of a finished run as a new run (succeeded steps are reused)')
    .argument('<run>', 'run id', uuidArg('run'))
    .option('--from-step <step>', 'rerun this step and everything downstream instead of the failed ones')
    .option('-w, --wait', 'follow the new run until it ends; exit 0 if it succeeded, 1 otherwise')
    .action(runner.action<[string, RerunOptions]>(rerun));
}

export async function rerun(ctx: CliContext, runId: string, options: RerunOptions): Promise<number> {
  const run = await ctx.client.rerunRun(runId, options.fromStep, ctx.signal);
  if (!options.wait) {
    if (ctx.json) ctx.out.data(run);
    else ctx.out.line(`run ${run.id} started, rerunning ${runId}${run.rerunFrom ? ` from step ${run.rerunFrom}` : ''} (${run.state})`);
    return ExitCodes.ok;
  }
  if (!ctx.json) ctx.out.line(`run ${run.id} started, rerunning ${runId}${run.rerunFrom ? ` from step ${run.rerunFrom}` : ''}`);
  return waitForRun(ctx, run);
}
