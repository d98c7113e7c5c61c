import type { RunDto } from '@flowforge/contracts/http-api';
import type { CliContext } from './cli.context';
import { ExitCodes } from './cli.errors';
import { createRunDisplay, type RunProgressDisplay } from './output/run-progress.display';
import { watchRun } from './run-feed.watcher';

/**
 * `--wait`: follows the run's event stream until it is final, showing each step's state (live on a
 * terminal, a line per change otherwise, nothing but the final run with `--json`), then reads the
 * final run for the summary. Exit 0 when it succeeded, 1 when it failed, was cancelled or timed out.
 */
export async function waitForRun(ctx: CliContext, run: RunDto): Promise<number> {
  const display: RunProgressDisplay | undefined = ctx.json
    ? undefined
    : createRunDisplay(ctx.io.stdout, { color: ctx.io.env.NO_COLOR === undefined || ctx.io.env.NO_COLOR === '' });
  try {
    for await (const event of watchRun(ctx.client, run.id, { signal: ctx.signal })) {
      switch (event.kind) {
        case 'snapshot':
          display?.snapshot(event.run, event.historyFollows);
          break;
        case 'run':
          display?.runChanged(event.change);
          break;
        case 'step':
          display?.stepChanged(event.change);
          break;
        case 'progress':
          display?.stepProgress(event.progress);
          break;
        case 'log':
        case 'end':
          break;
      }
    }
    const final = await ctx.client.getRun(run.id, ctx.signal);
    if (display) display.finish(final);
    else ctx.out.data(final);
    return final.state === 'succeeded' ? ExitCodes.ok : ExitCodes.failed;
  } catch (err) {
    display?.close();
    if (ctx.signal?.aborted) ctx.out.note(`\nstopped watching; run ${run.id} goes on (flowforge cancel ${run.id} stops it)`);
    throw err;
  } finally {
    display?.close();
  }
}
