import { Option, type Command } from 'commander';
import type { RunDto } from '@flowforge/contracts/http-api';
import { RUN_STATES } from '../api/api.types';
import { intArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { elapsed, formatLocalTime } from '../output/time.format';

interface RunsOptions {
  workflow?: string;
  /** One of RUN_STATES: commander refuses any other value. */
  state?: RunDto['state'];
  limit?: number;
  before?: string;
}

export function registerRunsCommand(program: Command, runner: CommandRunner): void {
  program
    .command('runs')
    .description('List runs, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .addOption(new Option('--state <state>', 'only runs in this state').choices(RUN_STATES))
    .option('-n, --limit <n>', 'how many (1-500)', intArg(1, 500), 20)
    .option('--before <cursor>', 'the page after the one that printed this cursor')
    .action(runner.action<[RunsOptions]>(listRuns));
}

const COLUMNS: TableColumn<RunDto>[] = [
  { header: 'run', value: (r) => r.id },
  { header: 'workflow', value: (r) => r.workflow },
  { header: 'ver', value: (r) => r.workflowVersion, align: 'right' },
  { header: 'state', value: (r) => r.state },
  // Who started it (a rerun: who re-ran it); a cancel names its caller in the reason.
  { header: 'by', value: (r) => r.requestedBy, maxWidth: 40 },
  { header: 'created', value: (r) => formatLocalTime(r.createdAt) },
  { header: 'took', value: (r) => elapsed(r.startedAt, r.finishedAt), align: 'right' },
  { header: 'reason', value: (r) => r.reason, maxWidth: 50 },
];

export async function listRuns(ctx: CliContext, options: RunsOptions): Promise<number> {
  const page = await ctx.client.listRuns({ workflow: options.workflow, state: options.state, limit: options.limit, before: options.before }, ctx.signal);
  if (ctx.json) {
    ctx.out.data(page);
    return ExitCodes.ok;
  }
  if (page.items.length === 0) {
    ctx.out.note('no runs');
    return ExitCodes.ok;
  }
  ctx.out.text(renderTable(COLUMNS, page.items));
  if (page.nextCursor)
    ctx.out.note(
      `more: flowforge runs --before ${page.nextCursor}${options.workflow ? ` --workflow ${options.workflow}` : ''}${options.state ? ` --state ${options.state}` : ''}`,
    );
  return ExitCodes.ok;
}
