import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { Command } from 'commander';
import type { StepDto } from '@flowforge/contracts/http-api';
import type { CliContext, CommandRunner } from '../cli.context';
import { CliFailure, ExitCodes, UsageError } from '../cli.errors';
import { ByteProgress, formatBytes } from '../output/byte-progress';
import { waitForRun } from '../run.waiter';

interface IngestOptions {
  table: string;
  format?: string;
  mode?: string;
  option?: string[];
  wait?: boolean;
}

/** `csv.delimiter`, `encoding`: an option of libs/ingest FormatOptions, one level of nesting at most. */
const OPTION_KEY = /^[a-z][a-zA-Z]{0,39}(\.[a-z][a-zA-Z]{0,39})?$/;
const MAX_OPTIONS = 32;

/**
 * `-o key=value` flags → the job's format `options`. A value is JSON when it reads as a boolean, a
 * number or a list (`csv.header=false`, `csv.skipRows=2`, `csv.nullValues=["NA",""]`), text otherwise
 * (`csv.delimiter=;`). The ingestion service checks them against the job type's schema, naming the field.
 */
export function parseFormatOptions(flags: readonly string[]): Record<string, unknown> {
  if (flags.length > MAX_OPTIONS) throw new UsageError(`at most ${MAX_OPTIONS} --option flags (got ${flags.length})`);
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? flag : flag.slice(0, eq);
    if (eq < 0 || !OPTION_KEY.test(key)) {
      throw new UsageError(`--option must be key=value with a key like csv.delimiter or encoding (got "${flag.slice(0, 80)}")`);
    }
    if (key === 'format') throw new UsageError('--option format=...: use --format');
    if (seen.has(key)) throw new UsageError(`--option ${key} is given twice`);
    seen.add(key);
    const text = flag.slice(eq + 1);
    if (text.includes('\u0000')) throw new UsageError(`--option ${key}: the value holds a NUL byte`);
    let value: unknown = text;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'boolean' || typeof parsed === 'number' || Array.isArray(parsed)) value = parsed;
    } catch {
      // text
    }
    const [head, child] = key.split('.') as [string, string | undefined];
    if (child === undefined) {
      if (typeof out[head] === 'object') throw new UsageError(`--option ${key} clashes with --option ${head}.…`);
      out[head] = value;
    } else {
      const group = out[head] ?? {};
      if (typeof group !== 'object' || Array.isArray(group)) throw new UsageError(`--option ${key} clashes with --option ${head}`);
      (group as Record<string, unknown>)[child] = value;
      out[head] = group;
    }
  }
  return out;
}

/** Lake names (libs/engine LAKE_NAME): a namespace or table. */
const LAKE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const FORMATS = ['auto', 'csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx'];

export function registerIngestCommand(program: Command, runner: CommandRunner): void {
  program
    .command('ingest')
    .description('Upload a local file and load it into a Bronze table with a one-step ingest.file run')
    .argument('<file>', 'the file to load (csv, tsv, json, ndjson, parquet, xlsx; gzip, zip, tar too)')
    .requiredOption('-t, --table <namespace.table>', 'the Bronze table, e.g. sales.orders (created on first load)')
    .option('-f, --format <format>', `the file's format: ${FORMATS.join(', ')} (default: detected)`)
    .option('-m, --mode <mode>', 'append (default) or replace the table', 'append')
    .option(
      '-o, --option <key=value>',
      'a format option, repeatable: csv.delimiter=";" csv.header=false csv.skipRows=2 encoding=windows-1252 locale.decimalSeparator="," locale.dateOrder=DMY xlsx.sheet=Sales json.nested=flatten',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('-w, --wait', 'follow the run; print rows written and rejected; exit 0 once committed')
    .addHelpText(
      'after',
      '\nExamples:\n  flowforge ingest orders.csv --table sales.orders --wait\n  flowforge ingest export.json.gz -t crm.contacts --mode replace -w\n  flowforge ingest umsatz.csv -t sales.de -o csv.delimiter=";" -o locale.decimalSeparator="," -o locale.dateOrder=DMY -w',
    )
    .action(runner.action<[string, IngestOptions]>(ingest));
}

/**
 * The job and workflow `flowforge ingest` applies for a table. The uploaded file's path is the run's
 * parameter, passed to the step as a param (step params override the job's config at dispatch), so
 * concurrent ingests into one table never read each other's file. The job's own `path` only stands in
 * for it: the config must name a selection to be applied.
 */
export function ingestDocuments(
  namespace: string,
  table: string,
  options: { format?: string; mode: string; formatOptions?: Record<string, unknown> },
): { workflow: string; yaml: string } {
  const formatOptions = options.formatOptions && Object.keys(options.formatOptions).length > 0 ? options.formatOptions : undefined;
  // Other format options make another job (its name carries their digest): a concurrent ingest into the
  // same table with its own options never runs with these.
  const hash8 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);
  const suffix = formatOptions ? `-${hash8(JSON.stringify(formatOptions))}` : '';
  // `.` between namespace and table: lake names hold none, so two tables never share a name; a name
  // longer than a workflow name may be (63) keeps its start and a digest of the whole.
  const base = `ingest-${namespace}.${table}`;
  const name = base.length + suffix.length <= 63 ? base + suffix : `${base.slice(0, 63 - 9 - suffix.length)}-${hash8(base)}${suffix}`;
  const config = {
    connection: 'uploads',
    path: 'given-by-each-run',
    ...(options.format && options.format !== 'auto' ? { format: options.format } : {}),
    ...(formatOptions ? { options: formatOptions } : {}),
    target: { layer: 'bronze', namespace, table },
    mode: options.mode,
  };
  const yaml = [
    'apiVersion: flowforge.io/v1',
    'kind: Job',
    `metadata: { name: ${name}, description: "flowforge ingest into bronze ${namespace}.${table}" }`,
    `spec: { type: ingest.file, config: ${JSON.stringify(config)} }`,
    '---',
    'apiVersion: flowforge.io/v1',
    'kind: Workflow',
    `metadata: { name: ${name} }`,
    'spec:',
    '  parameters: [{ name: path, type: string }]',
    `  steps: [{ id: load, job: ${name}, params: { path: "\${params.path}" } }]`,
    '',
  ].join('\n');
  return { workflow: name, yaml };
}

export async function ingest(ctx: CliContext, file: string, options: IngestOptions): Promise<number> {
  const [namespace, table, ...rest] = options.table.split('.');
  if (!namespace || !table || rest.length > 0 || !LAKE_NAME.test(namespace) || !LAKE_NAME.test(table)) {
    throw new UsageError(`--table must be <namespace>.<table>, each a lower-case letter then letters, digits or _ (got "${options.table}")`);
  }
  if (options.format !== undefined && !FORMATS.includes(options.format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${options.format}")`);
  if (options.mode !== 'append' && options.mode !== 'replace') throw new UsageError(`--mode must be append or replace (got "${options.mode}")`);
  const formatOptions = parseFormatOptions(options.option ?? []);
  const full = path.resolve(ctx.io.cwd, file);
  const stat = await fs.stat(full).catch(() => null);
  if (!stat || !stat.isFile()) throw new CliFailure(`${file} is not a readable file`);

  const name = path.basename(full);
  const progress = new ByteProgress(ctx.io.stderr, `uploading ${name}`, stat.size);
  let uploaded;
  try {
    uploaded = await ctx.client.upload(
      name,
      () => {
        const meter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            progress.advance(chunk.length);
            done(null, chunk);
          },
        });
        return { body: Readable.toWeb(createReadStream(full).pipe(meter)) as ReadableStream<Uint8Array>, length: stat.size };
      },
      ctx.signal,
    );
  } catch (err) {
    progress.abort();
    throw err;
  }
  if (!ctx.json) progress.done(`uploaded ${name} (${formatBytes(stat.size)}) as uploads/${uploaded.path}`);

  const { workflow, yaml } = ingestDocuments(namespace, table, { format: options.format, mode: options.mode, formatOptions });
  await ctx.client.applyYaml(yaml, ctx.signal);
  const { run } = await ctx.client.createRun({ workflow, params: { path: uploaded.path }, idempotencyKey: `ingest-${uploaded.id}` }, ctx.signal);
  if (!options.wait) {
    if (ctx.json) ctx.out.data({ upload: uploaded, run });
    else ctx.out.line(`run ${run.id} started (${workflow}); follow it with: flowforge logs ${run.id} --follow`);
    return ExitCodes.ok;
  }
  if (!ctx.json) ctx.out.line(`run ${run.id} started (${workflow})`);
  const code = await waitForRun(ctx, run);
  const final = await ctx.client.getRun(run.id, ctx.signal);
  const step: StepDto | undefined = final.steps?.find((s) => s.stepId === 'load');
  const out = (step?.outputs ?? {}) as { rowsWritten?: number; rowsRejected?: number; snapshot?: string; asset?: string };
  if (code === ExitCodes.ok && !ctx.json) {
    ctx.out.line(
      `${namespace}.${table}: ${out.rowsWritten ?? 0} rows written, ${out.rowsRejected ?? 0} rejected${out.snapshot ? ` (snapshot ${out.snapshot})` : ''}`,
    );
  }
  return code;
}
