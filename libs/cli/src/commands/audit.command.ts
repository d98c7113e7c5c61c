import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { ChainedAuditRecord } from '@flowforge/access';
import { addAuditFilters, filtersOf, type AuditFilterOptions } from '../audit/audit.filters';
import { findHeadSeq, verifyRemoteChain } from '../audit/chain.verify';
import { streamToOutput, writeFileAtomically } from '../audit/export.download';
import { intArg, type CliContext, type CommandRunner } from '../cli.context';
import { CliFailure, ExitCodes, UsageError } from '../cli.errors';
import { renderTable, type TableColumn } from '../output/table.renderer';
import { formatLocalTime } from '../output/time.format';
import { formatBytes } from '../output/byte-progress';

interface SearchOptions extends AuditFilterOptions {
  limit?: number;
  afterSeq?: number;
}

interface ExportOptions extends AuditFilterOptions {
  format?: 'csv' | 'json';
  output?: string;
}

export function registerAuditCommand(program: Command, runner: CommandRunner): void {
  const audit = program.command('audit').description('The hash-chained audit log: verify it here, search it, export it');
  audit
    .command('verify')
    .description('Download the whole audit chain and re-check every hash locally; exit 1 naming the first broken entry')
    .addHelpText(
      'after',
      `
Needs audit:view. The server's own verdict is not used: every entry is re-hashed here. A rewrite of
every entry from some point to the end, or the last entries deleted, is consistent in itself: keep the
printed "last seq:hash" of an earlier run and pass it back with --expect to catch that too.

Example:
  flowforge audit verify --expect 1042:5f0c…e9   # the line printed by last week's run`,
    )
    .option('--expect <seq:hash>', 'an entry recorded by an earlier run: it must still be there, unchanged (repeatable)', collectCheckpoint, [])
    .action(runner.action<[VerifyOptions]>(verifyAudit));
  addAuditFilters(
    audit
      .command('search')
      .description('Search the audit log, oldest first (needs audit:view)')
      .option('-n, --limit <n>', 'how many (1-1000)', intArg(1, 1000), 100)
      .option('--after-seq <seq>', 'the page after this entry (printed with a full page)', intArg(0, Number.MAX_SAFE_INTEGER)),
  ).action(runner.action<[SearchOptions]>(searchAudit));
  addAuditFilters(
    audit
      .command('export')
      .description('Stream the matching entries, with their hashes, as CSV or JSON to a file or stdout (needs audit:export)')
      .addOption(new Option('--format <format>', 'csv or json (default: from the -o file name)').choices(['csv', 'json']))
      .option('-o, --output <file>', 'write this file (whole or not at all) instead of stdout'),
  )
    .addHelpText('after', '\nExample:\n  flowforge audit export --format csv -o audit-2026-01.csv --since 2026-01-01 --until 2026-02-01')
    .action(runner.action<[ExportOptions]>(exportAudit));
}

export interface VerifyOptions {
  expect?: Checkpoint[];
}

interface Checkpoint {
  seq: number;
  hash: string;
}

/** commander collector for --expect `<seq>:<hash>` (the "last seq:hash" an earlier run printed). */
function collectCheckpoint(value: string, previous: Checkpoint[]): Checkpoint[] {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected <seq>:<hash>, e.g. 1042:<64 hex digits> as printed by an earlier `audit verify`');
  return [...previous, { seq: Number(m[1]), hash: m[2]! }];
}

/** What the checkpoints of earlier runs say about the chain just verified: [] when all hold. */
export function checkpointProblems(checkpoints: readonly Checkpoint[], seen: ReadonlyMap<number, string>, lastSeq: number | null): string[] {
  const problems: string[] = [];
  for (const c of checkpoints) {
    const hash = seen.get(c.seq);
    if (hash === undefined) {
      problems.push(`entry ${c.seq} recorded earlier is gone: the log now ends at seq ${lastSeq ?? 0} (entries deleted from the end)`);
    } else if (hash !== c.hash) {
      problems.push(`entry ${c.seq} now hashes to ${hash}, not ${c.hash} as recorded earlier (the chain was rewritten from there or before)`);
    }
  }
  return problems;
}

/** `audit verify`: see verifyRemoteChain; a progress bar on a terminal (stderr), one result line. */
export async function verifyAudit(ctx: CliContext, options: VerifyOptions = {}): Promise<number> {
  const checkpoints = options.expect ?? [];
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const seen = new Map<number, string>();
  const fetchPage = async (afterSeq: number, limit: number) => {
    const page = await ctx.client.auditEntries({ afterSeq, limit }, ctx.signal);
    for (const e of page.items) if (wanted.has(e.seq)) seen.set(e.seq, e.hash);
    return page;
  };
  const showBar = ctx.io.stderr.isTTY === true && !ctx.json;
  let bar: SingleBar | undefined;
  try {
    if (showBar) {
      const head = await findHeadSeq(async (seq) => (await fetchPage(seq, 1)).items.length > 0);
      bar = new SingleBar({
        format: 'verifying audit chain [{bar}] {value}/{total} entries {percentage}% | eta {eta_formatted}',
        stream: ctx.io.stderr as unknown as NodeJS.WritableStream,
        clearOnComplete: true,
        hideCursor: true,
        barsize: 30,
      });
      bar.start(head, 0);
    }
    const result = await verifyRemoteChain(fetchPage, {
      onPage: ({ lastSeq }) => {
        if (!bar || lastSeq === null) return;
        if (lastSeq > bar.getTotal()) bar.setTotal(lastSeq); // appended while verifying
        bar.update(lastSeq);
      },
    });
    bar?.stop();
    bar = undefined;
    const problems = result.ok ? checkpointProblems(checkpoints, seen, result.lastSeq) : [];
    if (ctx.json) {
      ctx.out.data({ ...result, checkpoints: { checked: checkpoints.length, problems } });
      return result.ok && problems.length === 0 ? ExitCodes.ok : ExitCodes.failed;
    }
    if (problems.length > 0)
      throw new CliFailure(`audit chain does not match an earlier run (FF_AUDIT_CHECKPOINT_MISMATCH): ${problems[0]}`, problems.slice(1));
    if (!result.ok) {
      const { seq, reason, message } = result.brokenAt;
      throw new CliFailure(`audit chain broken at ${seq === null ? 'an entry' : `seq ${seq}`} (FF_AUDIT_CHAIN_BROKEN, ${reason}): ${message}`, [
        `${result.checked} entr${result.checked === 1 ? 'y' : 'ies'} before it verified intact`,
      ]);
    }
    ctx.out.line(
      result.checked === 0
        ? 'audit chain intact: 0 entries (the log is empty)'
        : `audit chain intact: ${result.checked} entries${checkpoints.length ? `, ${checkpoints.length} earlier checkpoint(s) unchanged` : ''}; last ${result.lastSeq ?? '-'}:${result.lastHash ?? '-'} (keep it for --expect)`,
    );
    return ExitCodes.ok;
  } finally {
    bar?.stop();
  }
}

const COLUMNS: TableColumn<ChainedAuditRecord>[] = [
  { header: 'seq', value: (e) => e.seq, align: 'right' },
  { header: 'at', value: (e) => formatLocalTime(e.at) },
  { header: 'actor', value: (e) => e.actorName ?? e.actorId ?? e.actorType, maxWidth: 40 },
  { header: 'action', value: (e) => e.action },
  { header: 'resource', value: (e) => (e.resourceType ? `${e.resourceType}${e.resourceId ? `/${e.resourceId}` : ''}` : ''), maxWidth: 50 },
  { header: 'outcome', value: (e) => e.outcome },
  { header: 'status', value: (e) => e.status, align: 'right' },
  { header: 'ip', value: (e) => e.ip },
];

export async function searchAudit(ctx: CliContext, options: SearchOptions): Promise<number> {
  const page = await ctx.client.auditEntries({ ...filtersOf(options), afterSeq: options.afterSeq, limit: options.limit }, ctx.signal);
  if (ctx.json) {
    ctx.out.data(page);
    return ExitCodes.ok;
  }
  if (page.items.length === 0) {
    ctx.out.note('no audit entries');
    return ExitCodes.ok;
  }
  ctx.out.text(renderTable(COLUMNS, page.items));
  if (page.nextAfterSeq !== null) ctx.out.note(`more: add --after-seq ${page.nextAfterSeq} to the same command`);
  return ExitCodes.ok;
}

/**
 * `audit export`: GET /audit/export streamed as it arrives — to stdout, or into a temp file renamed
 * to -o's name once complete. The format defaults from -o's extension.
 */
export async function exportAudit(ctx: CliContext, options: ExportOptions): Promise<number> {
  const output = options.output === '-' ? undefined : options.output;
  const ext = output ? path.extname(output).toLowerCase().slice(1) : '';
  const format = options.format ?? (ext === 'csv' || ext === 'json' ? ext : undefined);
  if (!format) throw new UsageError('--format csv|json is required (or an -o file ending in .csv or .json)');
  const res = await ctx.client.auditExport(format, filtersOf(options), ctx.signal);
  const type = res.headers.get('content-type') ?? '';
  const expected = format === 'csv' ? 'text/csv' : 'application/json';
  if (!type.startsWith(expected)) throw new CliFailure(`the gateway answered the export with "${type}", not ${expected}`);
  if (!res.body) throw new CliFailure('the gateway answered the export without a body');
  const body = res.body as unknown as AsyncIterable<Uint8Array>;
  if (!output) {
    await streamToOutput(ctx.io.stdout, body);
    return ExitCodes.ok;
  }
  // A JSON export ends with "]": a stream that stops early without a network error is caught too.
  const complete = format === 'json' ? (tail: string) => (tail.trimEnd().endsWith(']') ? undefined : 'the JSON array is not closed') : undefined;
  const bytes = await writeFileAtomically(path.resolve(ctx.io.cwd, output), body, complete);
  if (ctx.json) ctx.out.data({ file: output, format, bytes });
  else ctx.out.note(`wrote ${formatBytes(bytes)} of audit log to ${output} (${format})`);
  return ExitCodes.ok;
}
