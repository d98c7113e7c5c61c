import type { Command } from 'commander';
import { formatIssueWithColumn, parseDocuments, WorkflowValidationError } from '@flowforge/workflow';
import type { SqlResultDto, TransformPreviewDto } from '@flowforge/contracts/http-api';
import { intArg, type CliContext, type CommandRunner } from '../cli.context';
import { CliFailure, ExitCodes, UsageError } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { readSource } from './apply.command';
import { renderPreview } from './assets.command';

/** Job types `flowforge preview` can preview (the transformation executor's table writers). */
const PREVIEWABLE = ['transform.silver', 'transform.sql', 'gold.aggregate', 'gold.scd2'] as const;
type Previewable = (typeof PREVIEWABLE)[number];

interface PreviewOptions {
  file: string;
  job?: string;
  limit: number;
}

interface SqlOptions {
  param?: string[];
  limit: number;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_PARAMS = 50;

export function registerTransformCommands(program: Command, runner: CommandRunner): void {
  program
    .command('preview')
    .description('Preview a transformation job of a YAML file: first rows, row count and output schema; nothing is written')
    .requiredOption('-f, --file <path>', 'a workflow-as-code file holding the Job ("-" reads stdin)')
    .option('-j, --job <name>', 'which Job of the file (needed when it holds several)')
    .option('-n, --limit <n>', 'how many rows (1-1000)', intArg(1, 1000), 20)
    .addHelpText('after', '\nExample:\n  flowforge preview -f silver-orders.yaml')
    .action(runner.action<[PreviewOptions]>(previewJob));
  program
    .command('sql')
    .description('Run one read-only SELECT over the lake tables (bronze.ns.table, silver..., gold...) in the sandbox')
    .argument('<query>', 'the SQL, e.g. "SELECT count(*) FROM silver.sales.orders WHERE ordered_at >= :since"')
    .option('-p, --param <name=value>', 'a named parameter value, repeatable (numbers and true/false as such, text otherwise)', collect, [])
    .option('-n, --limit <n>', 'how many rows at most (1-10000)', intArg(1, 10_000), 100)
    .action(runner.action<[string, SqlOptions]>(runSql));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `since=2026-01-01` → { since: '2026-01-01' }; numbers and booleans typed, `null` as null. */
export function parseParams(flags: readonly string[]): Record<string, string | number | boolean | null> {
  if (flags.length > MAX_PARAMS) throw new UsageError(`at most ${MAX_PARAMS} --param flags (got ${flags.length})`);
  const out: Record<string, string | number | boolean | null> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    if (eq < 0 || !PARAM_NAME.test(name)) throw new UsageError(`--param must be name=value with a name like since (got "${flag.slice(0, 80)}")`);
    if (name in out) throw new UsageError(`--param ${name} is given twice`);
    const text = flag.slice(eq + 1);
    if (text.includes('\u0000')) throw new UsageError(`--param ${name}: the value holds a NUL byte`);
    if (text === 'true' || text === 'false') out[name] = text === 'true';
    else if (text === 'null') out[name] = null;
    else if (/^-?\d+(\.\d+)?$/.test(text) && Number.isFinite(Number(text)) && Math.abs(Number(text)) <= Number.MAX_SAFE_INTEGER) out[name] = Number(text);
    else out[name] = text;
  }
  return out;
}

export async function previewJob(ctx: CliContext, options: PreviewOptions): Promise<number> {
  const name = options.file === '-' ? '<stdin>' : options.file;
  const text = await readSource(ctx.io, options.file);
  let jobs: { name: string; type: string; config: Record<string, unknown> }[];
  try {
    jobs = parseDocuments(text).jobs.map((j) => ({ name: j.name, type: j.type, config: j.config }));
  } catch (err) {
    if (!(err instanceof WorkflowValidationError)) throw err;
    throw new CliFailure(
      `${name} is invalid (${err.code})`,
      err.issues.map((i) => `${name}: ${formatIssueWithColumn(i)}`),
    );
  }
  const candidates = jobs.filter((j) => (PREVIEWABLE as readonly string[]).includes(j.type));
  const job = options.job ? jobs.find((j) => j.name === options.job) : candidates.length === 1 ? candidates[0] : undefined;
  if (!job) {
    if (options.job) throw new UsageError(`${name} holds no Job named "${options.job}" (jobs: ${jobs.map((j) => j.name).join(', ') || 'none'})`);
    throw new UsageError(
      candidates.length === 0
        ? `${name} holds no Job of a previewable type (${PREVIEWABLE.join(', ')})`
        : `${name} holds ${candidates.length} previewable jobs: pick one with --job (${candidates.map((j) => j.name).join(', ')})`,
    );
  }
  if (!(PREVIEWABLE as readonly string[]).includes(job.type))
    throw new UsageError(`job "${job.name}" is of type ${job.type}; preview covers ${PREVIEWABLE.join(', ')}`);
  const preview = await ctx.client.previewTransform({ type: job.type as Previewable, config: job.config, limit: options.limit }, ctx.signal);
  if (ctx.json) {
    ctx.out.data(preview);
    return ExitCodes.ok;
  }
  ctx.out.text(renderPreview(preview));
  ctx.out.line();
  ctx.out.line('output schema');
  ctx.out.text(renderTable(SCHEMA, preview.columns));
  ctx.out.note(describePreview(job.name, preview));
  return ExitCodes.ok;
}

const SCHEMA: TableColumn<TransformPreviewDto['columns'][number]>[] = [
  { header: 'column', value: (c) => c.name },
  { header: 'type', value: (c) => c.type },
];

function describePreview(job: string, p: TransformPreviewDto): string {
  const inputs = p.inputs.map((i) => `${i.table}${i.snapshot ? `@${i.snapshot.slice(0, 8)}` : ' (new)'}`).join(', ');
  const rejected = p.rejectedCount > 0 ? `, ${p.rejectedCount} would be rejected` : '';
  return `job ${job}: ${p.rows.length} of ${p.rowCount} row${p.rowCount === 1 ? '' : 's'} shown${rejected}; read ${inputs || 'nothing'}; nothing was written`;
}

export async function runSql(ctx: CliContext, query: string, options: SqlOptions): Promise<number> {
  if (query.trim() === '') throw new UsageError('the query is empty');
  const params = parseParams(options.param ?? []);
  const result: SqlResultDto = await ctx.client.sqlQuery({ sql: query, params, limit: options.limit }, ctx.signal);
  if (ctx.json) {
    ctx.out.data(result);
    return ExitCodes.ok;
  }
  ctx.out.text(renderPreview(result));
  ctx.out.note(`${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${result.truncated ? ` (more exist: raise --limit)` : ''}`);
  return ExitCodes.ok;
}
