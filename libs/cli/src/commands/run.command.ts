import type { Command } from 'commander';
import type { CliContext, CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { collect, parseRunParams } from '../params.parser';
import { waitForRun } from '../run.waiter';

interface RunOptions {
  param?: string[];
  idempotencyKey?: string;
  wait?: boolean;
}

export function registerRunCommand(program: Command, runner: CommandRunner): void {
  program
    .command('run')
    .description('Start a run of a workflow (its latest version)')
    .argument('<workflow>', 'workflow name')
    .option('-p, --param <name=value>', "a run parameter, typed by the workflow's declaration (repeatable)", collect)
    .option('--idempotency-key <key>', 'the same key returns the run it started before instead of a new one')
    .option('-w, --wait', 'follow the run until it ends; exit 0 if it succeeded, 1 otherwise')
    .addHelpText(
      'after',
      '\nExamples:\n  flowforge run daily-sales --param run_date=2026-01-31 --wait\n  flowforge run daily-sales -p run_date=2026-01-31 -p \'filters={"status":["paid"]}\'',
    )
    .action(runner.action<[string, RunOptions]>(run));
}

export async function run(ctx: CliContext, workflow: string, options: RunOptions): Promise<number> {
  const params = parseRunParams(options.param ?? []);
  const { run: created, created: isNew } = await ctx.client.createRun({ workflow, params, idempotencyKey: options.idempotencyKey }, ctx.signal);
  if (!options.wait) {
    if (ctx.json) ctx.out.data(created);
    else ctx.out.line(describeStart(created, isNew, options.idempotencyKey));
    return ExitCodes.ok;
  }
  if (!ctx.json) ctx.out.line(describeStart(created, isNew, options.idempotencyKey));
  return waitForRun(ctx, created);
}

function describeStart(run: { id: string; workflow: string; workflowVersion: number; state: string }, isNew: boolean, key?: string): string {
  return isNew
    ? `run ${run.id} started (${run.workflow} v${run.workflowVersion}, ${run.state})`
    : `run ${run.id} already exists for idempotency key "${key ?? ''}" (${run.workflow} v${run.workflowVersion}, ${run.state})`;
}
