import type { Command } from 'commander';
import type { BackfillResultDto, NextFireDto, ScheduleDto } from '@flowforge/contracts/http-api';
import type { CliContext, CommandRunner } from '../cli.context';
import { ExitCodes, UsageError } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { formatLocalTime } from '../output/time.format';

const BOUND = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function registerSchedulesCommand(program: Command, runner: CommandRunner): void {
  const schedules = program.command('schedules').description('Schedules: cron in a time zone that request workflow runs');
  schedules.command('ls').alias('list').description('List schedules with their next fire time').action(runner.action<[object]>(listSchedules));
  schedules
    .command('next')
    .description('Predict the next fire times of a schedule (in its time zone; dates its calendar excludes are marked)')
    .argument('<name>', 'schedule name')
    .option('-n, --count <n>', 'how many (1-100)', '10')
    .action(runner.action<[string, { count: string }]>(nextFires));
  schedules
    .command('pause')
    .description('Pause a schedule: its fire times are recorded as skipped until resumed')
    .argument('<name>', 'schedule name')
    .option('--note <text>', 'why (shown with the schedule)')
    .action(runner.action<[string, { note?: string }]>(pause));
  schedules.command('resume').description('Resume a paused schedule').argument('<name>', 'schedule name').action(runner.action<[string, object]>(resume));
  schedules
    .command('backfill')
    .description('Run every fire time of a range (read in the schedule’s time zone), at most 1000')
    .argument('<name>', 'schedule name')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or date-time, inclusive')
    .requiredOption('--to <date>', 'last day (YYYY-MM-DD, the whole day) or date-time, inclusive')
    .addHelpText('after', '\nExample:\n  flowforge schedules backfill nightly-sales --from 2026-01-01 --to 2026-01-31')
    .action(runner.action<[string, { from: string; to: string }]>(backfill));
}

const SCHEDULE_COLUMNS: TableColumn<ScheduleDto>[] = [
  { header: 'name', value: (s) => s.name },
  { header: 'workflow', value: (s) => s.workflow },
  { header: 'cron', value: (s) => s.cron },
  { header: 'timezone', value: (s) => s.timezone },
  { header: 'state', value: (s) => (s.paused ? `paused${s.pauseNote ? `: ${s.pauseNote}` : ''}` : 'active') },
  { header: 'next', value: (s) => (s.nextFireAt ? formatLocalTime(s.nextFireAt) : '') },
];

export async function listSchedules(ctx: CliContext): Promise<number> {
  const { items } = await ctx.client.listSchedules(ctx.signal);
  if (ctx.json) ctx.out.data(items);
  else ctx.out.text(renderTable(SCHEDULE_COLUMNS, items, { empty: 'no schedules' }));
  return ExitCodes.ok;
}

const NEXT_COLUMNS: TableColumn<NextFireDto>[] = [
  { header: 'local time', value: (f) => f.local },
  { header: 'utc', value: (f) => f.fireTime },
  { header: '', value: (f) => (f.excluded ? 'excluded by the calendar' : '') },
];

export async function nextFires(ctx: CliContext, name: string, opts: { count: string }): Promise<number> {
  const count = Number(opts.count);
  if (!/^\d{1,3}$/.test(opts.count) || count < 1 || count > 100) throw new UsageError(`-n/--count must be an integer from 1 to 100, got "${opts.count}"`);
  const next = await ctx.client.nextFires(name, count, ctx.signal);
  if (ctx.json) ctx.out.data(next);
  else {
    ctx.out.note(`${next.schedule} (${next.timezone})`);
    ctx.out.text(renderTable(NEXT_COLUMNS, next.items, { empty: 'no future fire time' }));
  }
  return ExitCodes.ok;
}

export async function pause(ctx: CliContext, name: string, opts: { note?: string }): Promise<number> {
  const s = await ctx.client.pauseSchedule(name, opts.note, ctx.signal);
  if (ctx.json) ctx.out.data(s);
  else ctx.out.text(`${s.name} paused${s.pauseNote ? `: ${s.pauseNote}` : ''}`);
  return ExitCodes.ok;
}

export async function resume(ctx: CliContext, name: string): Promise<number> {
  const s = await ctx.client.resumeSchedule(name, ctx.signal);
  if (ctx.json) ctx.out.data(s);
  else ctx.out.text(`${s.name} resumed${s.nextFireAt ? `, next fire ${formatLocalTime(s.nextFireAt)}` : ''}`);
  return ExitCodes.ok;
}

const BACKFILL_COLUMNS: TableColumn<BackfillResultDto['runs'][number]>[] = [
  { header: 'fire time', value: (r) => r.fireTime },
  { header: 'outcome', value: (r) => (r.reason ? `${r.outcome} (${r.reason})` : r.outcome) },
  { header: 'run', value: (r) => r.runId ?? '' },
];

export async function backfill(ctx: CliContext, name: string, opts: { from: string; to: string }): Promise<number> {
  for (const [flag, v] of [
    ['--from', opts.from],
    ['--to', opts.to],
  ] as const) {
    if (!BOUND.test(v)) throw new UsageError(`${flag} must be a date YYYY-MM-DD or a date-time, got "${v}"`);
  }
  const result = await ctx.client.backfillSchedule(name, { from: opts.from, to: opts.to }, ctx.signal);
  if (ctx.json) ctx.out.data(result);
  else {
    ctx.out.text(renderTable(BACKFILL_COLUMNS, result.runs, { empty: 'no fire time in the range' }));
    ctx.out.note(`${result.requested} run(s) requested, ${result.existing} backfilled before, ${result.skipped} skipped`);
  }
  return ExitCodes.ok;
}
