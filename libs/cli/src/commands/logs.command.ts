import type { Command } from 'commander';
import type { FeedLogLine, LogLine, RunEnd } from '../api/api.types';
import { intArg, uuidArg, type CliContext, type CommandRunner } from '../cli.context';
import { ExitCodes } from '../cli.errors';
import { logIdOf, sleep, watchRun } from '../run-feed.watcher';

interface LogsOptions {
  follow?: boolean;
  step?: string;
  attempt?: number;
}

const PAGE = 500;
/**
 * Log lines and the step's completion travel on different topics (flowforge.step.log,
 * flowforge.step.completed), so the last lines may be stored just after the run became final and the
 * stream ended. After `end`, poll the stored lines this often until two polls find nothing...
 */
const LATE_POLL_MS = 250;
/** ...or this long has passed. */
const LATE_LINES_MAX_MS = 2_000;

export function registerLogsCommand(program: Command, runner: CommandRunner): void {
  program
    .command('logs')
    .description('Print a run\'s log lines, oldest first')
    .argument('<run>', 'run id', uuidArg('run'))
    .option('-f, --follow', 'then keep printing new lines until the run ends')
    .option('--step <id>', 'only this step')
    .option('--attempt <n>', 'only this attempt of the step', intArg(1, 1_000_000))
    .action(runner.action<[string, LogsOptions]>(logs));
}

/**
 * Pages through the stored lines, then (with --follow) opens the run's event stream just after the
 * last line printed — the stream cursor is `<transition id>.<log line id>`, so `0.<last id>` replays
 * only the state changes (ignored here) and the lines not printed yet — and stops at its `end`, after
 * picking up the lines stored late (see LATE_POLL_MS).
 */
export async function logs(ctx: CliContext, runId: string, options: LogsOptions): Promise<number> {
  let lastId = await printStoredLines(ctx, runId, options, '0');
  if (!options.follow) return ExitCodes.ok;

  let end: RunEnd | undefined;
  for await (const event of watchRun(ctx.client, runId, { after: `0.${lastId}`, signal: ctx.signal })) {
    lastId = logIdOf(event.cursor) ?? lastId;
    if (event.kind === 'log') {
      if (options.step !== undefined && event.line.stepId !== options.step) continue;
      if (options.attempt !== undefined && event.line.attempt !== options.attempt) continue;
      print(ctx, event.line);
    } else if (event.kind === 'end') {
      end = event.end;
    }
  }
  let quietPolls = 0;
  const deadline = Date.now() + LATE_LINES_MAX_MS;
  while (quietPolls < 2 && Date.now() < deadline) {
    await sleep(LATE_POLL_MS, ctx.signal);
    const before = lastId;
    lastId = await printStoredLines(ctx, runId, options, lastId);
    quietPolls = lastId === before ? quietPolls + 1 : 0;
  }
  if (end) ctx.out.note(`run ${runId} ${end.state}${end.reason ? `: ${end.reason}` : ''}`);
  return ExitCodes.ok;
}

/** Prints the stored lines after `after` (a log line id), page by page; returns the last id printed. */
async function printStoredLines(ctx: CliContext, runId: string, options: LogsOptions, after: string): Promise<string> {
  let lastId = after;
  let cursor: string | undefined = after === '0' ? undefined : after;
  do {
    const page = await ctx.client.runLogs(runId, { after: cursor, limit: PAGE, step: options.step, attempt: options.attempt }, ctx.signal);
    for (const line of page.items) print(ctx, line);
    if (page.items.length > 0) lastId = page.items[page.items.length - 1]!.id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return lastId;
}

function print(ctx: CliContext, line: LogLine | FeedLogLine): void {
  if (ctx.json) {
    ctx.out.record(line);
    return;
  }
  const fields = line.fields && Object.keys(line.fields).length > 0 ? ` ${JSON.stringify(line.fields)}` : '';
  ctx.out.line(`${line.at} ${line.stepId}#${line.attempt} ${line.level.toUpperCase().padEnd(5)} ${line.message}${fields}`);
}
