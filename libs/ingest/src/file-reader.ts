import fs from 'node:fs/promises';
import path from 'node:path';
import { openDuckDb, sqlIdent, sqlString, sqlStringList, type ColumnSchema, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { extractInput, sniffCompression, type InputMember } from './archive-extract';
import { AUDIT_COLUMNS, looksLikeHeader, parseCsvHead, RESCUE_COLUMN, sniffDelimiter, uniqueColumnNames } from './csv-dialect';
import {
  DEFAULT_LIMITS,
  parseFormatOptions,
  type Compression,
  type FileFormat,
  type FormatOptions,
  type IngestLimits,
  type TextEncoding,
} from './format-options';
import { IngestError } from './ingest.errors';
import { decodeHead, readHead, sniffFormat, zipIsWorkbook } from './input-detect';
import { flattenSelect } from './json-shape';
import { reconcileSchema, type OnSchemaChange } from './schema-reconcile';
import { detectEncoding, lineEndings, longestLineOver, normalizeLineEndings, transcodeToUtf8 } from './text-encoding';
import { candidatesOf, castExpr, inferenceQuery, keepsValueExpr, localeOf, pickType, type InferredType, type Locale } from './type-inference';
import { XLSX_LINE_COLUMN, xlsxSheetToCsv } from './xlsx-reader';

export interface ReadProgress {
  /** extract | transcode | read | rejects */
  stage: string;
  member: string;
  /** Input bytes consumed so far (compressed bytes while extracting; DuckDB's estimate while reading). */
  bytesRead: number;
  /** Rows written so far (at member boundaries, and DuckDB's estimate while it reads). */
  rows: number;
}

export interface ReadToParquetInput {
  /** The local file to read (already downloaded). */
  file: string;
  /** How audit columns and rejects name the file (its object key or URL); archive members add `!/<member>`. */
  sourceName: string;
  options?: FormatOptions;
  audit: { runId: string; ingestedAt: Date | string };
  /** A directory this read owns: parts, rejects and temp files go under it; the caller removes it. */
  workDir: string;
  limits?: IngestLimits;
  /** The table's schema (null for a first load) and the policy for a file that does not fit it. */
  table?: { schema: ColumnSchema[] | null; onSchemaChange: OnSchemaChange };
  /** Roll to a new part file past this size (default 128 MiB). */
  targetFileBytes?: number;
  onProgress?: (p: ReadProgress) => void;
  signal?: AbortSignal;
}

export interface MemberReport {
  name: string;
  format: FileFormat;
  encoding?: TextEncoding;
  rows: number;
  rejected: number;
  /** Rows whose `_rescued_data` holds values that did not fit their column's type. */
  rescued: number;
  /** How format, encoding, delimiter and header were decided. */
  notes: string[];
}

export interface ReadResult {
  /** Parquet files written under workDir, every one with `schema`. */
  parts: string[];
  rows: number;
  rejected: { count: number; file: string | null };
  rescued: number;
  bytesRead: number;
  schema: ColumnSchema[];
  members: MemberReport[];
  compression: Compression;
  notes: string[];
}

/** Columns of every rejects file: where the row was, its raw text and why it was refused. */
export const REJECT_COLUMNS = ['file', 'line', 'raw', 'reason'] as const;

const DEFAULT_MAX_LINE = 16 * 1024 * 1024;
const WIDE_COLUMNS = 1000;
/** Rows of the sample on which every candidate type is checked (inferTypes). */
const FIRST_ROWS = 1000;

/** "512MB", "1.5GiB" → bytes. */
function parseBytes(text: string): number {
  const m = /^([0-9.]+)\s*(B|KB|MB|GB|KiB|MiB|GiB)$/.exec(text.trim());
  if (!m) return 512 * 1024 * 1024;
  const unit: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };
  return Math.floor(Number(m[1]) * unit[m[2]!]!);
}
const HEAD_BYTES = 1024 * 1024;

interface Ctx {
  db: DuckDb;
  /** This read's temp folder (under workDir, removed at the end): rewritten copies of the input go here, never beside it. */
  tmp: string;
  input: ReadToParquetInput;
  options: FormatOptions;
  locale: Locale;
  seq: number;
  bytesBefore: number;
  rowsBefore: number;
}

interface MemberRead {
  report: MemberReport;
  parts: string[];
  rejects: string | null;
  schema: ColumnSchema[];
}

/**
 * Reads one local file (or every matching member of an archive) into Parquet parts for Bronze, with
 * audit columns, plus a rejects file of the rows that could not be read (file, line, raw, reason).
 * All or nothing: on any error, a maxRejected breach or a schema the table refuses, nothing is left in
 * the parts folder. The pipeline, its guards and its choices are described in libs/ingest/README.md.
 */
export async function readToParquet(input: ReadToParquetInput): Promise<ReadResult> {
  return run(input, 'read');
}

/** The schema readToParquet would write (audit columns included), from a sample; nothing is written. */
export async function inferSchema(
  input: Omit<ReadToParquetInput, 'audit' | 'table' | 'targetFileBytes'>,
): Promise<{ schema: ColumnSchema[]; members: MemberReport[] }> {
  const r = await run({ ...input, audit: { runId: 'infer', ingestedAt: new Date(0) } }, 'describe');
  return { schema: r.schema, members: r.members };
}

async function run(input: ReadToParquetInput, mode: 'read' | 'describe'): Promise<ReadResult> {
  const { options, limits } = parseFormatOptions(input.options ?? {}, input.limits ?? {});
  const guards = { ...DEFAULT_LIMITS, ...limits };
  await fs.mkdir(input.workDir, { recursive: true });
  const tmp = path.join(input.workDir, 'tmp');
  const partsRoot = path.join(input.workDir, 'parts');
  await fs.rm(partsRoot, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  const size = (
    await fs.stat(input.file).catch((err: unknown) => {
      throw new IngestError('FF_INGEST_READ', `${input.sourceName}: cannot read ${input.file} (${(err as Error).message})`, { cause: err });
    })
  ).size;
  const progress = (p: ReadProgress): void => input.onProgress?.(p);
  const db = await openDuckDb({ memoryLimit: guards.memoryLimit, threads: guards.threads, tempDirectory: path.join(tmp, 'duckdb') });
  try {
    const head = await readHead(input.file, 4096);
    let compression: Compression = options.compression && options.compression !== 'auto' ? options.compression : sniffCompression(head);
    const forcedXlsx = options.format === 'xlsx' || /\.xls[xm]$/i.test(input.sourceName);
    if (compression === 'zip' && (options.compression ?? 'auto') === 'auto' && (forcedXlsx || (await zipIsWorkbook(input.file)))) compression = 'none';
    const members = await extractInput(input.file, path.posix.basename(input.sourceName) || 'input', compression, {
      maxMembers: guards.maxMembers,
      maxExtractedBytes: guards.maxExtractedBytes,
      maxCompressionRatio: guards.maxCompressionRatio,
      members: options.members,
      workDir: tmp,
      signal: input.signal,
      onBytes: (b) => progress({ stage: 'extract', member: input.sourceName, bytesRead: b, rows: 0 }),
    });
    if (compression !== 'none' && members.length === 0) {
      throw new IngestError(
        'FF_INGEST_NO_MEMBERS',
        `${input.sourceName} (${compression}) holds no member${options.members ? ` matching ${JSON.stringify(options.members)}` : ''}`,
      );
    }
    const ctx: Ctx = { db, tmp, input, options, locale: localeOf(options), seq: 0, bytesBefore: 0, rowsBefore: 0 };
    const reads: MemberRead[] = [];
    for (const m of members) {
      const sourceFile = compression === 'none' ? input.sourceName : `${input.sourceName}!/${m.name}`;
      const outDir = path.join(partsRoot, `m${String(reads.length).padStart(5, '0')}`);
      reads.push(await readMember(ctx, m, sourceFile, outDir, mode));
      ctx.bytesBefore += m.bytes;
      ctx.rowsBefore += reads[reads.length - 1]!.report.rows;
    }
    const result = await finish(ctx, reads, compression, size, mode);
    return result;
  } catch (err) {
    await fs.rm(partsRoot, { recursive: true, force: true });
    if (err instanceof IngestError) throw err;
    if (input.signal?.aborted) throw new IngestError('FF_INGEST_CANCELLED', `reading ${input.sourceName} was cancelled`, { cause: err });
    throw new IngestError('FF_INGEST_READ', `${input.sourceName}: ${(err as Error).message}`, { cause: err });
  } finally {
    db.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

async function finish(ctx: Ctx, reads: MemberRead[], compression: Compression, size: number, mode: 'read' | 'describe'): Promise<ReadResult> {
  const { input } = ctx;
  const rows = reads.reduce((n, r) => n + r.report.rows, 0);
  const rejectedCount = reads.reduce((n, r) => n + r.report.rejected, 0);
  const notes: string[] = [];
  const max = input.limits?.maxRejected;
  if (max && rejectedCount > 0) {
    const pct = (100 * rejectedCount) / Math.max(1, rows + rejectedCount);
    const over = (max.count !== undefined && rejectedCount > max.count) || (max.percent !== undefined && pct > max.percent);
    if (over) {
      throw new IngestError(
        'FF_INGEST_TOO_MANY_REJECTED',
        `${input.sourceName}: ${rejectedCount} of ${rows + rejectedCount} rows rejected (${pct.toFixed(2)}%), over limits.maxRejected ${JSON.stringify(max)}; first: ${await firstRejects(ctx, reads)}. Nothing was kept`,
      );
    }
  }
  // Members of one archive become one table: their schemas are unified (evolve rules), then fitted to the table's.
  const withData = reads.filter((r) => r.schema.length > 0);
  let unified: ColumnSchema[] | null = null;
  for (const r of withData) {
    const rec = reconcileSchema(unified, dataColumns(r.schema), 'evolve');
    if (rec.error)
      throw new IngestError(
        'FF_INGEST_SCHEMA_CHANGE',
        `${input.sourceName}: member ${JSON.stringify(r.report.name)} does not fit the members before it: ${rec.error}`,
      );
    unified = rec.schema;
  }
  let target = unified ?? [];
  let quarantine: { column: string; type: string; reason: string }[] = [];
  if (input.table && unified) {
    const rec = reconcileSchema(input.table.schema, unified, input.table.onSchemaChange);
    if (rec.error) throw new IngestError('FF_INGEST_SCHEMA_CHANGE', `${input.sourceName}: ${rec.error}`);
    target = rec.schema;
    quarantine = rec.quarantined.map((q) => ({ column: q.column, type: q.oldType, reason: q.message }));
    if (rec.added.length && input.table.schema?.length) notes.push(`new columns: ${rec.added.join(', ')}`);
    if (rec.widened.length) notes.push(`widened: ${rec.widened.map((w) => `${w.column} ${w.from} → ${w.to}`).join(', ')}`);
  }
  const trailer = unionTrailer(withData.map((r) => r.schema));
  const finalSchema = [...target, ...trailer];
  let parts: string[] = [];
  const rejectFiles = reads.map((r) => r.rejects).filter((f): f is string => f !== null);
  let extraRejected = 0;
  if (mode === 'read') {
    for (const [i, r] of withData.entries()) {
      if (sameSchema(r.schema, finalSchema)) {
        parts.push(...r.parts);
        continue;
      }
      const conformed = await conform(ctx, r, finalSchema, quarantine, path.join(input.workDir, 'parts', `c${String(i).padStart(5, '0')}`));
      parts.push(...conformed.parts);
      extraRejected += conformed.rejected;
      if (conformed.rejects) rejectFiles.push(conformed.rejects);
    }
    parts = parts.filter(Boolean);
  }
  let rejectsFile: string | null = null;
  const totalRejected = rejectedCount + extraRejected;
  if (mode === 'read' && rejectFiles.length > 0 && totalRejected > 0) {
    rejectsFile = path.join(input.workDir, 'parts', 'rejects.parquet');
    await ctx.db.withSession((s) =>
      s.run(
        `COPY (SELECT * FROM read_parquet(${sqlStringList(rejectFiles)}) ORDER BY file, line) TO ${sqlString(rejectsFile!)} (FORMAT parquet, COMPRESSION zstd)`,
      ),
    );
  }
  for (const f of rejectFiles) await fs.rm(f, { force: true });
  const rescued = reads.reduce((n, r) => n + r.report.rescued, 0);
  input.onProgress?.({ stage: 'done', member: input.sourceName, bytesRead: size, rows: rows - extraRejected });
  return {
    parts,
    rows: rows - extraRejected,
    rejected: { count: totalRejected, file: rejectsFile },
    rescued,
    bytesRead: size,
    schema: finalSchema,
    members: reads.map((r) => r.report),
    compression,
    notes,
  };
}

const TRAILER = new Set<string>([RESCUE_COLUMN, ...AUDIT_COLUMNS]);
function dataColumns(schema: ColumnSchema[]): ColumnSchema[] {
  return schema.filter((c) => !TRAILER.has(c.name));
}
/** `_rescued_data` (when any member has it) then the audit columns, always last. */
function unionTrailer(schemas: ColumnSchema[][]): ColumnSchema[] {
  const all = schemas.flat();
  const pick = (n: string): ColumnSchema[] => {
    const c = all.find((x) => x.name === n);
    return c ? [c] : [];
  };
  return [...pick(RESCUE_COLUMN), ...AUDIT_COLUMNS.flatMap(pick)];
}
function sameSchema(a: ColumnSchema[], b: ColumnSchema[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name && c.type === b[i]!.type);
}

/** Rewrites a member's parts to the final schema: casts, NULL for absent columns; quarantined values' rows to rejects. */
async function conform(
  ctx: Ctx,
  r: MemberRead,
  schema: ColumnSchema[],
  quarantine: { column: string; type: string; reason: string }[],
  outDir: string,
): Promise<{ parts: string[]; rejected: number; rejects: string | null }> {
  const have = new Map(r.schema.map((c) => [c.name.toLowerCase(), c]));
  const src = `read_parquet(${sqlStringList(r.parts)})`;
  const cols = schema.map((c) => {
    const own = have.get(c.name.toLowerCase());
    if (!own) return `CAST(NULL AS ${c.type}) AS ${sqlIdent(c.name)}`;
    return own.type === c.type
      ? sqlIdent(own.name) + (own.name === c.name ? '' : ` AS ${sqlIdent(c.name)}`)
      : `TRY_CAST(${sqlIdent(own.name)} AS ${c.type}) AS ${sqlIdent(c.name)}`;
  });
  const bad = quarantine
    .filter((q) => have.has(q.column.toLowerCase()))
    .map((q) => ({
      ...q,
      cond: `(${sqlIdent(have.get(q.column.toLowerCase())!.name)} IS NOT NULL AND TRY_CAST(${sqlIdent(have.get(q.column.toLowerCase())!.name)} AS ${q.type}) IS NULL)`,
    }));
  const anyBad = bad.length ? bad.map((b) => b.cond).join(' OR ') : 'false';
  return ctx.db.withSession(async (s) => {
    await fs.mkdir(outDir, { recursive: true });
    await s.run(
      `COPY (SELECT ${cols.join(', ')} FROM ${src} WHERE NOT (${anyBad})) TO ${sqlString(outDir)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${fileBytes(ctx)}, FILENAME_PATTERN 'part-{i}')`,
    );
    let rejected = 0;
    let rejects: string | null = null;
    if (bad.length) {
      rejects = path.join(outDir, '..', `rejects-q${ctx.seq++}.parquet`);
      const reason = `CASE ${bad.map((b) => `WHEN ${b.cond} THEN ${sqlString(b.reason)}`).join(' ')} END`;
      const data = dataColumns(r.schema).map((c) => sqlIdent(c.name));
      const res = await s.all(
        `COPY (SELECT _ff_source_file AS file, _ff_source_line AS line, CAST(to_json(struct_pack(${data.map((d) => `${d} := ${d}`).join(', ')})) AS VARCHAR) AS raw, ${reason} AS reason FROM ${src} WHERE ${anyBad}) TO ${sqlString(rejects)} (FORMAT parquet)`,
      );
      rejected = Number(res.rows[0]?.Count ?? 0);
    }
    await Promise.all(r.parts.map((p) => fs.rm(p, { force: true })));
    return { parts: await listParts(outDir), rejected, rejects };
  });
}

async function listParts(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /^part-\d+\.parquet$/.test(n))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    .map((n) => path.join(dir, n));
}

function fileBytes(ctx: Ctx): number {
  return Math.max(1024, Math.floor(ctx.input.targetFileBytes ?? 128 * 1024 * 1024));
}

async function firstRejects(ctx: Ctx, reads: MemberRead[]): Promise<string> {
  const files = reads.map((r) => r.rejects).filter((f): f is string => f !== null);
  if (!files.length) return '(none recorded)';
  const res = await ctx.db.withSession((s) => s.all(`SELECT file, line, reason FROM read_parquet(${sqlStringList(files)}) ORDER BY file, line LIMIT 3`));
  return res.rows.map((r) => `${r.file} line ${r.line}: ${r.reason}`).join('; ');
}

async function readMember(ctx: Ctx, m: InputMember, sourceFile: string, outDir: string, mode: 'read' | 'describe'): Promise<MemberRead> {
  const { options } = ctx;
  const notes: string[] = [];
  const empty = (format: FileFormat): MemberRead => ({
    report: { name: m.name, format, rows: 0, rejected: 0, rescued: 0, notes: [...notes, 'empty file (0 bytes): no rows'] },
    parts: [],
    rejects: null,
    schema: [],
  });
  if (m.bytes === 0) return empty(options.format && options.format !== 'auto' ? options.format : 'csv');
  const head = await readHead(m.path, HEAD_BYTES);
  const enc =
    options.encoding && options.encoding !== 'auto'
      ? { encoding: options.encoding, bomBytes: bomLength(head, options.encoding), reason: 'configured' }
      : detectEncoding(head);
  const text = decodeHead(head, enc.encoding, enc.bomBytes);
  const format = options.format && options.format !== 'auto' ? options.format : sniffFormat(head, text, m.name);
  notes.push(options.format && options.format !== 'auto' ? `format ${format} (configured)` : `format ${format} (detected)`);
  const nested = sniffCompression(head);
  if (nested !== 'none' && format !== 'xlsx' && format !== 'parquet') {
    throw new IngestError('FF_INGEST_FORMAT', `${sourceFile} is itself compressed (${nested}); archives inside archives are not read`);
  }
  if (format === 'parquet') return readParquetMember(ctx, m, sourceFile, outDir, mode, notes);
  if (format === 'xlsx') {
    const csv = path.join(ctx.tmp, `sheet-${ctx.seq++}.csv`);
    const sheet = await xlsxSheetToCsv(m.path, csv, options.xlsx, ctx.input.signal);
    notes.push(`sheet ${JSON.stringify(sheet.sheet)}: ${sheet.rows} rows`);
    const width = Math.max(sheet.header?.length ?? 0, sheet.width);
    const names = uniqueColumnNames([XLSX_LINE_COLUMN, ...Array.from({ length: width }, (_, i) => sheet.header?.[i] ?? '')]);
    if (width === 0)
      return { ...empty('xlsx'), report: { name: m.name, format: 'xlsx', rows: 0, rejected: 0, rescued: 0, notes: [...notes, 'the sheet has no columns'] } };
    return readCsvMember(ctx, { ...m, path: csv }, sourceFile, outDir, mode, notes, 'xlsx', {
      delimiter: ',',
      quote: '"',
      escape: '"',
      header: false,
      skipRows: 0,
      columns: names,
      lineColumn: names[0]!,
      headerLines: 0,
      pad: true,
      bufferBytes: defaultBuffer(ctx),
    });
  }
  // Text formats: DuckDB reads UTF-8; anything else is transcoded first, streaming.
  let utf8 = m.path;
  if (enc.encoding !== 'utf-8') {
    utf8 = path.join(ctx.tmp, `utf8-${ctx.seq++}.txt`);
    await transcodeToUtf8(m.path, utf8, enc.encoding, enc.bomBytes, ctx.input.signal, (b) =>
      ctx.input.onProgress?.({ stage: 'transcode', member: m.name, bytesRead: ctx.bytesBefore + b, rows: ctx.rowsBefore }),
    );
  }
  notes.push(`encoding ${enc.encoding} (${enc.reason})`);
  if (format === 'json' || format === 'ndjson') return readJsonMember(ctx, { ...m, path: utf8 }, sourceFile, outDir, mode, notes, format, enc.encoding);
  const csv = options.csv ?? {};
  const complete = head.length < HEAD_BYTES;
  const quote = csv.quote ?? '"';
  const escape = csv.escape ?? quote;
  let delimiter = csv.delimiter && csv.delimiter !== 'auto' ? csv.delimiter : null;
  const skipRows = csv.skipRows ?? 0;
  const afterSkip = skipLines(text, skipRows);
  if (!delimiter) {
    const sniffed = sniffDelimiter(afterSkip, quote, complete);
    delimiter = sniffed.delimiter;
    notes.push(sniffed.note);
  }
  const records = parseCsvHead(afterSkip, delimiter, quote, escape, 200, complete);
  if (records.length === 0)
    return {
      ...empty('csv'),
      report: { name: m.name, format: 'csv', encoding: enc.encoding, rows: 0, rejected: 0, rescued: 0, notes: [...notes, 'no records'] },
    };
  const header = csv.header === undefined || csv.header === 'auto' ? looksLikeHeader(records) : csv.header;
  notes.push(`header: ${header ? 'yes' : 'no'}${csv.header === undefined || csv.header === 'auto' ? ' (detected)' : ''}`);
  const width = header ? records[0]!.length : Math.max(...records.map((r) => r.length));
  const names = uniqueColumnNames(header ? records[0]! : Array.from({ length: width }, () => ''));
  const normalise = async (): Promise<string> => {
    const out = path.join(ctx.tmp, `lf-${ctx.seq++}.txt`);
    await normalizeLineEndings(utf8, out, quote, escape, ctx.input.signal);
    return out;
  };
  let normalised = false;
  if (lineEndings(afterSkip).mixed) {
    utf8 = await normalise();
    normalised = true;
    notes.push('mixed line breaks: normalised to \\n outside quoted values');
  }
  const spec: CsvSpec = {
    delimiter,
    quote,
    escape,
    header,
    skipRows,
    columns: names,
    lineColumn: null,
    headerLines: skipRows + (header ? 1 : 0),
    pad: csv.raggedRows === 'pad',
    bufferBytes: await readBufferFor(ctx, utf8, sourceFile, notes),
  };
  try {
    return await readCsvMember(ctx, { ...m, path: utf8 }, sourceFile, outDir, mode, notes, 'csv', spec, enc.encoding);
  } catch (err) {
    // Mixed line breaks past the head: DuckDB's strict parser stops with this error; normalise and read again.
    if (normalised || !/state machine reached an invalid state/i.test((err as Error).message)) throw err;
    await fs.rm(outDir, { recursive: true, force: true });
    utf8 = await normalise();
    notes.push('mixed line breaks past the head: normalised to \\n outside quoted values and read again');
    return readCsvMember(ctx, { ...m, path: utf8 }, sourceFile, outDir, mode, notes, 'csv', spec, enc.encoding);
  }
}

function bomLength(head: Buffer, encoding: TextEncoding): number {
  const d = detectEncoding(head.subarray(0, 4));
  return d.encoding === encoding ? d.bomBytes : 0;
}

/** The text after `n` lines (for skipRows: lines before the header are not records). */
function skipLines(text: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n && at < text.length; i++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return '';
    at = nl + 1;
  }
  return text.slice(at);
}

interface CsvSpec {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  skipRows: number;
  columns: string[];
  /** A column of the file holding each record's source line (xlsx rows), or null: counted. */
  lineColumn: string | null;
  /** Lines before the first record (skipped lines and the header). */
  headerLines: number;
  pad: boolean;
  /** DuckDB's read buffer: longer than the longest line (readBufferFor). */
  bufferBytes: number;
}

function maxLineOf(ctx: Ctx): number {
  return ctx.options.csv?.maxLineBytes ?? DEFAULT_MAX_LINE;
}
function defaultBuffer(ctx: Ctx): number {
  return Math.max(2 * maxLineOf(ctx), 8 * 1024 * 1024);
}

/**
 * DuckDB 1.5 rejects a line longer than max_line_size (LINE SIZE OVER MAXIMUM) only while the line fits its
 * read buffer; a longer one is dropped without a trace. So the file's lines are measured first (a few KiB read
 * per half buffer, see longestLineOver): a longer line grows the buffer to hold it, so that DuckDB rejects it
 * with its reason, up to a quarter of limits.memoryLimit; beyond that the file is refused, naming the line's
 * offset, its length and the limits.
 */
async function readBufferFor(ctx: Ctx, file: string, sourceFile: string, notes: string[]): Promise<number> {
  const buffer = defaultBuffer(ctx);
  const long = await longestLineOver(file, buffer, ctx.input.signal);
  if (!long) return buffer;
  const maxLine = maxLineOf(ctx);
  const memoryLimit = ctx.input.limits?.memoryLimit ?? DEFAULT_LIMITS.memoryLimit;
  const cap = Math.max(buffer, Math.floor(parseBytes(memoryLimit) / 4));
  const needed = Math.ceil((long.bytes + 1024 * 1024) / (1024 * 1024)) * 1024 * 1024;
  if (needed > cap) {
    throw new IngestError(
      'FF_INGEST_READ',
      `${sourceFile}: the line at byte ${long.offset} is ${long.bytes} bytes long, over csv.maxLineBytes (${maxLine}) and too long to be read and rejected within limits.memoryLimit ${memoryLimit} (at most ${cap} bytes a line); nothing was read`,
    );
  }
  notes.push(
    `a line of ${long.bytes} bytes at byte ${long.offset} (over csv.maxLineBytes ${maxLine}): read buffer raised to ${needed} bytes so that it is rejected, not dropped`,
  );
  return needed;
}

function readCsvSql(ctx: Ctx, file: string, spec: CsvSpec, rejects: { table: string; scan: string; limit: number } | null): string {
  const csv = ctx.options.csv ?? {};
  const maxLine = maxLineOf(ctx);
  const nulls = csv.nullValues ?? [''];
  const args = [
    'auto_detect = false',
    `header = ${spec.header}`,
    `skip = ${spec.skipRows}`,
    `delim = ${sqlString(spec.delimiter)}`,
    `quote = ${sqlString(spec.quote)}`,
    `escape = ${sqlString(spec.escape)}`,
    `columns = {${spec.columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ')}}`,
    `nullstr = [${nulls.map(sqlString).join(', ')}]`,
    // "" stays an empty text, distinct from an absent value.
    'allow_quoted_nulls = false',
    // Strict: a record with extra fields is rejected (lenient mode drops them silently). Strict mode needs one
    // line-break style per file: mixed files are normalised first (normalizeLineEndings).
    'strict_mode = true',
    `null_padding = ${spec.pad}`,
    `max_line_size = ${maxLine}`,
    `buffer_size = ${spec.bufferBytes}`,
  ];
  if (rejects)
    args.push(
      'store_rejects = true',
      `rejects_table = ${sqlString(rejects.table)}`,
      `rejects_scan = ${sqlString(rejects.scan)}`,
      `rejects_limit = ${rejects.limit}`,
    );
  else args.push('ignore_errors = true');
  return `read_csv(${sqlString(file)}, ${args.join(', ')})`;
}

async function inferTypes(ctx: Ctx, s: DuckDbSession, file: string, spec: CsvSpec): Promise<string[]> {
  const overrides = new Map(Object.entries(ctx.options.columns ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const types: string[] = spec.columns.map((c) => overrides.get(c.toLowerCase()) ?? 'VARCHAR');
  if (ctx.options.inferTypes === false) return types;
  const toInfer = spec.columns.map((c, i) => ({ c, i })).filter(({ c }) => !overrides.has(c.toLowerCase()) && c !== spec.lineColumn);
  if (toInfer.length === 0) return types;
  const sample = `ff_sample_${ctx.seq++}`;
  await s.run(`CREATE TEMP TABLE ${sample} AS SELECT * FROM ${readCsvSql(ctx, file, spec, null)} LIMIT ${ctx.options.sampleRows ?? 100_000}`);
  try {
    // Two steps: every type checked on the first rows rules most types out, then the whole sample is checked
    // only against the types each column can still have (most values are cast once, not five times).
    const sampleRows = ctx.options.sampleRows ?? 100_000;
    let candidates: Map<string, InferredType[]> | undefined;
    if (sampleRows > FIRST_ROWS) {
      const first = await s.all(inferenceQuery(sample, ctx.locale, { limit: FIRST_ROWS }));
      candidates = candidatesOf(
        first.rows,
        toInfer.map(({ c }) => c),
      );
    }
    const found = new Map((await s.all(inferenceQuery(sample, ctx.locale, candidates && { types: candidates }))).rows.map((r) => [String(r.col), r]));
    for (const { c, i } of toInfer) types[i] = pickType(found.get(c));
  } finally {
    await s.run(`DROP TABLE IF EXISTS ${sample}`);
  }
  return types;
}

async function readCsvMember(
  ctx: Ctx,
  m: InputMember,
  sourceFile: string,
  outDir: string,
  mode: 'read' | 'describe',
  notes: string[],
  format: FileFormat,
  spec: CsvSpec,
  encoding?: TextEncoding,
): Promise<MemberRead> {
  const explicit = new Set(Object.keys(ctx.options.columns ?? {}).map((k) => k.toLowerCase()));
  return ctx.db.withSession(async (s) => {
    // Wide files: DuckDB reserves memory per column (a 2048-row vector each, plus a Parquet column writer),
    // about 250 KiB a column at one thread, so the budget grows with the width and the read goes single-threaded.
    const wide = spec.columns.length > WIDE_COLUMNS;
    if (wide) {
      await s.run('SET threads = 1');
      await s.run(
        `SET memory_limit = '${Math.max(parseBytes(ctx.input.limits?.memoryLimit ?? DEFAULT_LIMITS.memoryLimit), spec.columns.length * 256 * 1024)}B'`,
      );
      await s.run(`CREATE SEQUENCE IF NOT EXISTS ff_row_seq_${ctx.seq} START 1`);
    }
    const rowSeq = `ff_row_seq_${ctx.seq++}`;
    const types = await inferTypes(ctx, s, m.path, spec);
    const rejectsTable = `ff_rejects_${ctx.seq++}`;
    const max = ctx.input.limits?.maxRejected;
    // Only the count bound needs no total: stop recording once it is exceeded (the scan goes on).
    const limit = max?.count !== undefined && max.percent === undefined ? max.count + 1 : 0;
    const source = readCsvSql(ctx, m.path, spec, { table: rejectsTable, scan: `${rejectsTable}_scans`, limit });
    const data = spec.columns.map((name, i) => ({ name, type: types[i]!, i })).filter((c) => c.name !== spec.lineColumn);
    const typed = data.filter((c) => c.type.toUpperCase() !== 'VARCHAR');
    const t = (i: number): string => `"__t${i}"`;
    const k = (i: number): string => `"__k${i}"`;
    // row_number() OVER () streams and keeps scan order; one thread plus a sequence does the same for wide
    // files, where the window operator's buffers do not fit.
    const inner = wide ? `SELECT *, nextval('${rowSeq}') AS __ff_row FROM ${source}` : `SELECT *, row_number() OVER () AS __ff_row FROM ${source}`;
    // Each typed column: its cast (__t), then once whether the value is kept (__k), which the value, the
    // rescue test and the rescued JSON all read (written out in each, DuckDB would evaluate it three times).
    const casts = typed.map((c) => `${castExpr(sqlIdent(c.name), c.type, ctx.locale)} AS ${t(c.i)}`);
    const kept = typed.map(
      (c) =>
        `(${sqlIdent(c.name)} IS NULL OR ${keepsValueExpr(sqlIdent(c.name), t(c.i), c.type, explicit.has(c.name.toLowerCase()), ctx.locale)}) AS ${k(c.i)}`,
    );
    const middle = casts.length ? `SELECT *, ${kept.join(', ')} FROM (SELECT *, ${casts.join(', ')} FROM (${inner}))` : `SELECT * FROM (${inner})`;
    const outCols = data.map((c) => (c.type.toUpperCase() === 'VARCHAR' ? sqlIdent(c.name) : `CASE WHEN ${k(c.i)} THEN ${t(c.i)} END AS ${sqlIdent(c.name)}`));
    const rescued = typed.length
      ? `CASE WHEN NOT (${typed.map((c) => k(c.i)).join(' AND ')}) THEN CAST(to_json(map_from_entries(list_filter([${typed
          .map((c) => `{'k': ${sqlString(c.name)}, 'v': CASE WHEN NOT ${k(c.i)} THEN ${sqlIdent(c.name)} END}`)
          .join(', ')}], x -> x.v IS NOT NULL))) AS JSON) END`
      : 'CAST(NULL AS JSON)';
    const line = spec.lineColumn ? `CAST(${sqlIdent(spec.lineColumn)} AS BIGINT)` : `__ff_row + ${spec.headerLines}`;
    const select = `SELECT ${[...outCols, `${rescued} AS ${RESCUE_COLUMN}`, ...auditCols(ctx, sourceFile, line)].join(', ')} FROM (${middle})`;
    const report: MemberReport = { name: m.name, format, encoding, rows: 0, rejected: 0, rescued: 0, notes };
    const typedNote = typed.length
      ? `typed columns: ${typed
          .map((c) => `${c.name} ${c.type}`)
          .slice(0, 20)
          .join(', ')}${typed.length > 20 ? ', …' : ''}`
      : 'every column VARCHAR';
    notes.push(typedNote);
    if (mode === 'describe') return { report, parts: [], rejects: null, schema: await describe(s, select) };
    const rows = await copyWithProgress(ctx, s, select, outDir, m);
    report.rows = rows;
    const rej = await collectRejects(ctx, s, rejectsTable, sourceFile, outDir, spec);
    report.rejected = rej.count;
    if (rej.file && !spec.lineColumn) await renumberPastRejects(ctx, s, outDir, rej.file);
    const parts = await listParts(outDir);
    const schema = await partsSchema(s, parts, select);
    if (typed.length && parts.length) {
      report.rescued = Number(
        (await s.all(`SELECT count(*) AS n FROM read_parquet(${sqlStringList(parts)}) WHERE ${RESCUE_COLUMN} IS NOT NULL`)).rows[0]?.n ?? 0,
      );
    }
    return { report, parts, rejects: rej.file, schema };
  });
}

/**
 * Rows are numbered as they come out of the scan, which skips rejected records; DuckDB numbers rejects
 * by record too (header = line 1). So a row's line is its provisional number plus the rejects before it:
 * with reject lines r_0 < r_1 < … a row numbered p moves down by j+1 once p ≥ r_j − j. Run only when
 * something was rejected (one Parquet-to-Parquet pass, in order).
 */
async function renumberPastRejects(ctx: Ctx, s: DuckDbSession, outDir: string, rejectsFile: string): Promise<void> {
  const parts = await listParts(outDir);
  if (parts.length === 0) return;
  const renumbered = `${outDir}-renumbered`;
  await s.run(
    `COPY (
       WITH r AS (SELECT DISTINCT line FROM read_parquet(${sqlString(rejectsFile)})),
            th AS (SELECT th, max(k) AS k FROM (SELECT line - (rn - 1) AS th, rn AS k FROM (SELECT line, row_number() OVER (ORDER BY line) AS rn FROM r)) GROUP BY th)
       SELECT p.* REPLACE (p._ff_source_line + coalesce(th.k, 0) AS _ff_source_line)
       FROM read_parquet(${sqlStringList(parts)}) p ASOF LEFT JOIN th ON p._ff_source_line >= th.th
       ORDER BY p._ff_source_line
     ) TO ${sqlString(renumbered)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${fileBytes(ctx)}, FILENAME_PATTERN 'part-{i}')`,
  );
  await fs.rm(outDir, { recursive: true, force: true });
  await fs.rename(renumbered, outDir);
}

function auditCols(ctx: Ctx, sourceFile: string, line: string): string[] {
  const at = ctx.input.audit.ingestedAt instanceof Date ? ctx.input.audit.ingestedAt.toISOString() : new Date(ctx.input.audit.ingestedAt).toISOString();
  return [
    `CAST(${sqlString(ctx.input.audit.runId)} AS VARCHAR) AS _ff_run_id`,
    `CAST(${sqlString(sourceFile)} AS VARCHAR) AS _ff_source_file`,
    `CAST(${line} AS BIGINT) AS _ff_source_line`,
    `CAST(${sqlString(at)} AS TIMESTAMPTZ) AS _ff_ingested_at`,
  ];
}

async function describe(s: DuckDbSession, select: string): Promise<ColumnSchema[]> {
  const d = await s.all(`DESCRIBE ${select}`);
  return d.rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: r.null !== 'NO' }));
}

async function partsSchema(s: DuckDbSession, parts: string[], select: string): Promise<ColumnSchema[]> {
  if (parts.length === 0) return describe(s, select);
  return describe(s, `SELECT * FROM read_parquet(${sqlStringList(parts)})`);
}

/** COPY to Parquet parts, reporting DuckDB's progress every 250 ms, interrupted by the caller's signal. */
async function copyWithProgress(ctx: Ctx, s: DuckDbSession, select: string, outDir: string, m: InputMember): Promise<number> {
  const { input } = ctx;
  if (input.signal?.aborted) throw new IngestError('FF_INGEST_CANCELLED', `reading ${input.sourceName} was cancelled`);
  await fs.mkdir(outDir, { recursive: true });
  await s.run('SET enable_progress_bar = true');
  await s.run('SET enable_progress_bar_print = false');
  const timer = setInterval(() => {
    const p = s.progress();
    if (p.percentage < 0) return;
    input.onProgress?.({
      stage: 'read',
      member: m.name,
      bytesRead: ctx.bytesBefore + Math.round((m.bytes * p.percentage) / 100),
      rows: ctx.rowsBefore + p.rowsProcessed,
    });
  }, 250);
  const onAbort = (): void => s.interrupt();
  input.signal?.addEventListener('abort', onAbort);
  try {
    const res = await s.all(
      `COPY (${select}) TO ${sqlString(outDir)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${fileBytes(ctx)}, FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE)`,
    );
    const rows = Number(res.rows[0]?.Count ?? 0);
    input.onProgress?.({ stage: 'read', member: m.name, bytesRead: ctx.bytesBefore + m.bytes, rows: ctx.rowsBefore + rows });
    return rows;
  } catch (err) {
    if (input.signal?.aborted) throw new IngestError('FF_INGEST_CANCELLED', `reading ${input.sourceName} was cancelled`, { cause: err });
    throw new IngestError('FF_INGEST_READ', `${input.sourceName}: reading ${m.name} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    clearInterval(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }
}

async function collectRejects(
  ctx: Ctx,
  s: DuckDbSession,
  table: string,
  sourceFile: string,
  outDir: string,
  spec: CsvSpec,
): Promise<{ count: number; file: string | null }> {
  const exists = await s.all(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = ?`, [table]);
  if (Number(exists.rows[0]?.n ?? 0) === 0) return { count: 0, file: null };
  // One reject per line: DuckDB may report several errors (columns) of one record.
  const line = spec.lineColumn ? `coalesce(TRY_CAST(split_part(csv_line, ',', 1) AS BIGINT), line)` : 'line';
  const file = path.join(outDir, '..', `rejects-${ctx.seq++}.parquet`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const res = await s.all(
    `COPY (SELECT ${sqlString(sourceFile)} AS file, CAST(${line} AS BIGINT) AS line, any_value(csv_line) AS raw,
       string_agg(error_type || coalesce(' in column ' || column_name, '') || ': ' || error_message, '; ') AS reason
     FROM ${table} GROUP BY ALL ORDER BY line) TO ${sqlString(file)} (FORMAT parquet)`,
  );
  const count = Number(res.rows[0]?.Count ?? 0);
  await s.run(`DROP TABLE IF EXISTS ${table}`);
  if (count === 0) {
    await fs.rm(file, { force: true });
    return { count: 0, file: null };
  }
  return { count, file };
}

async function readParquetMember(
  ctx: Ctx,
  m: InputMember,
  sourceFile: string,
  outDir: string,
  mode: 'read' | 'describe',
  notes: string[],
): Promise<MemberRead> {
  return ctx.db.withSession(async (s) => {
    const cols = (await describe(s, `SELECT * FROM read_parquet(${sqlString(m.path)})`)).map((c) => c.name);
    const names = uniqueColumnNames(cols);
    const select = `SELECT ${[...cols.map((c, i) => `${sqlIdent(c)} AS ${sqlIdent(names[i]!)}`), ...auditCols(ctx, sourceFile, 'file_row_number + 1')].join(', ')} FROM read_parquet(${sqlString(m.path)}, file_row_number = true)`;
    const report: MemberReport = { name: m.name, format: 'parquet', rows: 0, rejected: 0, rescued: 0, notes };
    if (mode === 'describe') return { report, parts: [], rejects: null, schema: await describe(s, select) };
    report.rows = await copyWithProgress(ctx, s, select, outDir, m);
    const parts = await listParts(outDir);
    return { report, parts, rejects: null, schema: await partsSchema(s, parts, select) };
  });
}

/**
 * JSON and NDJSON. NDJSON is read with `records = 'true'`, so a line holding no object fails rather than turning
 * the whole file into one JSON column. A read that fails on a malformed or non-object line is done again in two
 * steps (only then: the clean read needs no extra pass): the lines are checked (`json_valid`, an object), those
 * that fail go to the rejects with their line, text and reason, the others are copied to a clean file read as
 * before, and the rows are renumbered past the rejects. A value beyond `sampleRows` that does not fit its
 * field's type is never nulled: DuckDB fails, and the file is read again with every record sampled.
 */
async function readJsonMember(
  ctx: Ctx,
  m: InputMember,
  sourceFile: string,
  outDir: string,
  mode: 'read' | 'describe',
  notes: string[],
  format: FileFormat,
  encoding: TextEncoding,
): Promise<MemberRead> {
  const sample = ctx.options.sampleRows ?? -1;
  const attempt = async (file: string, records: 'true' | 'auto'): Promise<MemberRead> => {
    try {
      return await readJsonFile(ctx, { ...m, path: file }, sourceFile, outDir, mode, notes, format, encoding, sample, records);
    } catch (err) {
      if (sample === -1 || !/JSON transform error/i.test((err as Error).message)) throw err;
      await fs.rm(outDir, { recursive: true, force: true });
      notes.push(`a value past the first ${sample} records did not fit its field's type: read again with every record sampled`);
      return readJsonFile(ctx, { ...m, path: file }, sourceFile, outDir, mode, notes, format, encoding, -1, records);
    }
  };
  try {
    return await attempt(m.path, format === 'ndjson' ? 'true' : 'auto');
  } catch (err) {
    if (format !== 'ndjson' || !/Malformed JSON|non-record JSON|expected records/i.test((err as Error).message)) throw err;
    await fs.rm(outDir, { recursive: true, force: true });
    const split = await splitNdjson(ctx, m, sourceFile, outDir);
    // Only scalars or arrays, no object at all (and nothing malformed): the file is one JSON column, as DuckDB reads it.
    if (split.objects === 0 && split.malformed === 0) {
      await fs.rm(split.rejects, { force: true });
      return attempt(m.path, 'auto');
    }
    notes.push(`${split.rejected} malformed or non-object lines rejected`);
    const r =
      split.objects > 0 ? await attempt(split.clean, 'true') : { report: emptyReport(m, format, encoding, notes), parts: [], rejects: null, schema: [] };
    r.report.rejected = split.rejected;
    if (mode === 'read' && r.parts.length) await ctx.db.withSession((s) => renumberPastRejects(ctx, s, outDir, split.rejects));
    return { ...r, parts: await listParts(outDir), rejects: split.rejects };
  }
}

function emptyReport(m: InputMember, format: FileFormat, encoding: TextEncoding, notes: string[]): MemberReport {
  return { name: m.name, format, encoding, rows: 0, rejected: 0, rescued: 0, notes };
}

/**
 * Splits an NDJSON file into the rejects (Parquet: file, line, raw, reason) and a clean NDJSON file of its
 * object lines. Lines are numbered as DuckDB numbers NDJSON records: blank lines do not count.
 */
async function splitNdjson(
  ctx: Ctx,
  m: InputMember,
  sourceFile: string,
  outDir: string,
): Promise<{ clean: string; rejects: string; objects: number; malformed: number; rejected: number }> {
  const clean = path.join(ctx.tmp, `clean-${ctx.seq++}.ndjson`);
  const rejects = path.join(outDir, '..', `rejects-${ctx.seq++}.parquet`);
  await fs.mkdir(path.dirname(rejects), { recursive: true });
  const maxLine = Math.max(maxLineOf(ctx), 16 * 1024 * 1024);
  // One VARCHAR column per line: no quote, and a delimiter (U+0001) that valid JSON never holds raw. Blank lines are NULL.
  const lines = `read_csv(${sqlString(m.path)}, columns = {'l': 'VARCHAR'}, header = false, auto_detect = false, delim = chr(1), quote = '', escape = '', strict_mode = false, max_line_size = ${maxLine}, buffer_size = ${2 * maxLine})`;
  const numbered = `SELECT l, row_number() OVER () AS n, CASE WHEN NOT json_valid(l) THEN 'MALFORMED JSON' WHEN json_type(l) <> 'OBJECT' THEN 'NOT AN OBJECT' END AS bad FROM (SELECT l FROM ${lines} WHERE trim(l, ' ' || chr(9) || chr(13)) <> '')`;
  return ctx.db.withSession(async (s) => {
    await s.run(`CREATE TEMP TABLE ff_ndjson_bad AS SELECT n, bad FROM (${numbered}) WHERE bad IS NOT NULL`);
    try {
      const counts = (await s.all(`SELECT count(*) FILTER (WHERE bad = 'MALFORMED JSON') AS malformed, count(*) AS n FROM ff_ndjson_bad`)).rows[0]!;
      const malformed = Number(counts.malformed ?? 0);
      const rejected = Number(counts.n ?? 0);
      await s.run(
        `COPY (SELECT ${sqlString(sourceFile)} AS file, n AS line, l AS raw,
           CASE bad WHEN 'MALFORMED JSON' THEN 'MALFORMED JSON: the line is not valid JSON' ELSE 'NOT AN OBJECT: the line holds a JSON ' || lower(json_type(l)) || ', not an object' END AS reason
         FROM (${numbered}) SEMI JOIN ff_ndjson_bad USING (n) ORDER BY n) TO ${sqlString(rejects)} (FORMAT parquet)`,
      );
      const res = await s.all(
        `COPY (SELECT l FROM (${numbered}) WHERE bad IS NULL) TO ${sqlString(clean)} (FORMAT csv, HEADER false, DELIMITER chr(1), QUOTE '')`,
      );
      return { clean, rejects, objects: Number(res.rows[0]?.Count ?? 0), malformed, rejected };
    } finally {
      await s.run('DROP TABLE IF EXISTS ff_ndjson_bad');
    }
  });
}

async function readJsonFile(
  ctx: Ctx,
  m: InputMember,
  sourceFile: string,
  outDir: string,
  mode: 'read' | 'describe',
  notes: string[],
  format: FileFormat,
  encoding: TextEncoding,
  sample: number,
  records: 'true' | 'auto',
): Promise<MemberRead> {
  const json = ctx.options.json ?? {};
  const maxObject = Math.max(ctx.options.csv?.maxLineBytes ?? DEFAULT_MAX_LINE, 16 * 1024 * 1024);
  // sample_size -1 (every record) unless sampleRows is set: DuckDB then types each field from all values,
  // and a field with mixed types becomes JSON (values kept as written) rather than NULLs.
  const src = `read_json(${sqlString(m.path)}, format = ${format === 'json' ? "'array'" : "'newline_delimited'"}, records = '${records}', sample_size = ${sample}, maximum_object_size = ${maxObject}, union_by_name = false)`;
  return ctx.db.withSession(async (s) => {
    let described: ColumnSchema[];
    try {
      described = await describe(s, `SELECT * FROM ${src}`);
    } catch (err) {
      throw new IngestError('FF_INGEST_READ', `${sourceFile} is not readable as ${format.toUpperCase()}: ${(err as Error).message}`, { cause: err });
    }
    const names = uniqueColumnNames(described.map((c) => c.name));
    const renamed = described.map((c, i) => ({ ...c, out: names[i]! }));
    const overrides = new Map(Object.entries(ctx.options.columns ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    let items: { expr: string; name: string; type: string }[];
    if (json.nested === 'flatten') items = flattenSelect(renamed.map((c) => ({ name: c.name, type: c.type })));
    else items = renamed.map((c) => ({ expr: sqlIdent(c.name), name: c.out, type: c.type }));
    const explode = json.explode?.[0];
    if (explode) {
      const item = items.find((it) => it.name === explode);
      if (!item || !/\[\]$/.test(item.type)) {
        throw new IngestError(
          'FF_INGEST_OPTIONS',
          `options.json.explode names ${JSON.stringify(explode)}, which is not an array column of ${sourceFile} (columns: ${items.map((c) => `${c.name} ${c.type}`).join(', ')})`,
        );
      }
      item.expr = `unnest(${item.expr})`;
    }
    const projected = items.map((it) => {
      const type = overrides.get(it.name.toLowerCase());
      return `${type ? `CAST(${it.expr} AS ${type})` : it.expr} AS ${sqlIdent(it.name)}`;
    });
    const select = `SELECT ${[...projected, ...auditCols(ctx, sourceFile, '__ff_row')].join(', ')} FROM (SELECT *, row_number() OVER () AS __ff_row FROM ${src})`;
    const report: MemberReport = { name: m.name, format, encoding, rows: 0, rejected: 0, rescued: 0, notes };
    if (mode === 'describe') return { report, parts: [], rejects: null, schema: await describe(s, select) };
    report.rows = await copyWithProgress(ctx, s, select, outDir, m);
    const parts = await listParts(outDir);
    return { report, parts, rejects: null, schema: await partsSchema(s, parts, select) };
  });
}
