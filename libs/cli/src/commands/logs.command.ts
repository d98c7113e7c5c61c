import type { Command } from 'commander';
import type { LogLineDto, RunEndEventDto, RunLogEventDto } from '@flowforge/contracts/http-api';
import { intArg, uuidArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { logIdOf, watchRun } from '../run-feed.watcher';

interface LogsOptions {
  follow?: boolean;
  step?: string;
  attempt?: number;
}

const PAGE = 500;

export function registerLogsCommand(program: Command, runner: CommandRunner): void {
  program
    .command('logs')
    .description("Print a run's log lines, oldest first")
    .argument('<run>', 'run id', uuidArg('run'))
    .option('-f, --follow', 'then keep printing new lines as they arrive, until the run ends')
    .option('--step <id>', 'only this step')
    .option('--attempt <n>', 'only this attempt of the step', intArg(1, 1_000_000))
    .action(runner.action<[string, LogsOptions]>(logs));
}

/**
 * Pages through the stored lines, oldest first (the API orders them by timestamp; they arrive out of
 * that order when steps run in parallel), then with --follow opens the run's event stream and prints
 * what is stored after, until its `end` (sent once late lines have settled). The stream cursor is
 * `<transition id>.<log line id>` in arrival order, and a line may arrive with an older timestamp than
 * a page already printed: so the stream starts after the newest line stored when the FIRST page was
 * read (`0.<latestId>`, replaying only state changes, ignored here, and the lines after it), and the
 * lines the pages printed already are skipped.
 */
export async function logs(ctx: CliContext, runId: string, options: LogsOptions): Promise<number> {
  const { latestId, printed } = await printStoredLines(ctx, runId, options);
  if (!options.follow) return ExitCodes.ok;

  let end: RunEndEventDto | undefined;
  for await (const event of watchRun(ctx.client, runId, { after: `0.${latestId ?? '0'}`, signal: ctx.signal })) {
    if (event.kind === 'log') {
      const id = logIdOf(event.cursor);
      if (id !== undefined && printed.has(id)) continue;
      if (options.step !== undefined && event.line.stepId !== options.step) continue;
      if (options.attempt !== undefined && event.line.attempt !== options.attempt) continue;
      print(ctx, event.line);
    } else if (event.kind === 'end') {
      end = event.end;
    }
  }
  if (end) ctx.out.note(`run ${runId} ${end.state}${end.reason ? `: ${end.reason}` : ''}`);
  return ExitCodes.ok;
}

/**
 * Prints the stored lines page by page. Returns the first page's latestId and the ids printed above
 * it (stored while paging: the stream will replay them), so a follower prints each line once.
 */
async function printStoredLines(ctx: CliContext, runId: string, options: LogsOptions): Promise<{ latestId: string | null; printed: Set<string> }> {
  let latestId: string | null | undefined;
  const printed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await ctx.client.runLogs(runId, { after: cursor, limit: PAGE, step: options.step, attempt: options.attempt }, ctx.signal);
    if (latestId === undefined) latestId = page.latestId;
    for (const line of page.items) {
      print(ctx, line);
      if (latestId === null || BigInt(line.id) > BigInt(latestId)) printed.add(line.id);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { latestId: latestId ?? null, printed };
}

function print(ctx: CliContext, line: LogLineDto | RunLogEventDto): void {
  if (ctx.json) {
    ctx.out.record(line);
    return;
  }
  const fields = line.fields && Object.keys(line.fields).length > 0 ? ` ${JSON.stringify(line.fields)}` : '';
  ctx.out.line(`${line.at} ${line.stepId}#${line.attempt} ${line.level.toUpperCase().padEnd(5)} ${line.message}${fields}`);
}
