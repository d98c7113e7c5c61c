import { Inject, Injectable } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocationError, selectFiles, type FileEntry, type FileLocation, type FileSelector } from '@flowforge/connectors';
import {
  attemptPrefix,
  localCopiesOf,
  openDuckDb,
  sqlIdent,
  sqlString,
  sqlStringList,
  tableRoot,
  writeParquet,
  type ColumnSchema,
  type LakeTableRef,
  type LocalFiles,
  type WrittenTable,
} from '@flowforge/engine';
import { JobError, type JobContext, type JobResult } from '@flowforge/executor';
import { AUDIT_COLUMNS, IngestError, readToParquet, RESCUE_COLUMN, type ReadResult } from '@flowforge/ingest';
import { serviceConfigToken, servicePoolToken } from '@flowforge/service-kit';
import type { ObjectStore } from '@flowforge/storage';
import type { Pool } from 'pg';
import type { IngestionConfig } from '../ingestion.config';
import { CatalogClient, type AssetInfo, type SourceInput, type StepCall } from './catalog.client';
import { IngestedFileStore, identityOf, type IngestedFileRecord } from './ingested-file.store';
import type { IngestFileConfig } from './ingest-file.schema';
import { LocationResolver } from './location.resolver';

/** The lake's object store as the ingestion service sees it (the same FLOWFORGE_LAKE_* as the catalog). */
export const INGESTION_LAKE_STORE = Symbol.for('flowforge.ingestion.lake-store');

/** What `ingest.file` returns as the step's outputs (docs: services/ingestion/README.md). */
export interface IngestFileOutputs {
  /** The table's asset id (null when nothing was ever committed to it). */
  asset: string | null;
  /** The table's current snapshot after the step: the new one, or the unchanged one when every file was skipped. */
  snapshot: string | null;
  /** false when the step committed nothing (every selected file was already ingested). */
  committed: boolean;
  rowsWritten: number;
  rowsRejected: number;
  bytesRead: number;
  files: { path: string; size: number | null; etag: string | null; rows: number; rejected: number }[];
  /** Selected files skipped because this table already ingested them (same path, size and version). */
  skipped: string[];
  rejectsAsset?: { asset: string; snapshot: string; table: string };
}

const TRAILER = new Set<string>([RESCUE_COLUMN, ...AUDIT_COLUMNS]);
const REJECTS_SUFFIX = '__rejects';

interface FileRead {
  entry: FileEntry;
  result: ReadResult;
}

/** `ctx.config` errors and failures of the pieces below, as the step's failure: code and message, never a secret. */
function asJobError(err: unknown): unknown {
  if (err instanceof JobError) return err;
  if (err instanceof IngestError) {
    if (err.code === 'FF_INGEST_CANCELLED') return err;
    return new JobError(err.code, err.message.replace(/^FF_[A-Z_]+: /, ''), { retryable: false, cause: err });
  }
  if (err instanceof LocationError) return new JobError(err.code, err.message.replace(/^FF_[A-Z_]+: /, ''), { retryable: err.retryable, cause: err });
  return err;
}

/**
 * One attempt of `ingest.file` (services/ingestion/README.md): resolve the connection, select the files,
 * skip the ones this table already has, read each into Parquet parts (libs/ingest, with the table's
 * schema), stage them in the lake under the attempt's folder, commit ONCE (then the rejects to
 * `<table>__rejects`), record the files, then archive or delete them. Anything failing before the commit
 * leaves the table as it was: staged files are invisible and the lake GC removes them.
 */
@Injectable()
export class IngestFileRunner {
  constructor(
    private readonly locations: LocationResolver,
    private readonly catalog: CatalogClient,
    private readonly files: IngestedFileStore,
    @Inject(INGESTION_LAKE_STORE) private readonly lake: ObjectStore,
    @Inject(servicePoolToken('ingestion')) private readonly pool: Pool,
    @Inject(serviceConfigToken('ingestion')) private readonly config: IngestionConfig,
  ) {}

  async run(ctx: JobContext<IngestFileConfig>): Promise<JobResult> {
    try {
      return await this.attempt(ctx);
    } catch (err) {
      throw asJobError(err);
    }
  }

  private async attempt(ctx: JobContext<IngestFileConfig>): Promise<JobResult> {
    const cfg = ctx.config;
    const call: StepCall = { runId: ctx.runId, stepId: ctx.stepId, attempt: ctx.attempt, signal: ctx.signal };
    const ref: LakeTableRef = { layer: 'bronze', namespace: cfg.target.namespace, table: cfg.target.table };
    const target = tableRoot(ref);
    const resolved = await this.locations.resolveLocation(cfg.connection, call);
    const workRoot = this.config.FLOWFORGE_INGEST_WORK_DIR || os.tmpdir();
    let work = '';
    try {
      await fs.mkdir(workRoot, { recursive: true });
      work = await fs.mkdtemp(path.join(workRoot, 'ff-ingest-'));
      const selected = await selectFiles(resolved.location, selectorOf(cfg), { maxFiles: cfg.limits?.maxFiles ?? 1000, signal: ctx.signal });
      const asset = await this.catalog.asset(ref, ctx.signal);
      const identities = selected.map((e) => identityOf(resolved.connection, e));
      const done = cfg.reprocess ? new Set<string>() : await this.files.alreadyIngested(this.pool, target, identities);
      const fresh = selected.filter((e) => !done.has(e.path));
      const skipped = selected.filter((e) => done.has(e.path)).map((e) => e.path);
      ctx.log.info(`${selected.length} file(s) selected in connection "${resolved.connection}", ${skipped.length} already ingested into ${target}`, {
        selected: selected.length,
        skipped: skipped.length,
      });
      if (fresh.length === 0) return { outputs: this.nothingNew(asset, skipped) as unknown as Record<string, unknown> };
      this.checkSizes(fresh, cfg);

      const ingestedAt = new Date();
      const reads = await this.readAll(ctx, resolved.location, fresh, asset, work, ingestedAt);
      const rows = reads.reduce((n, r) => n + r.result.rows, 0);
      const rejected = reads.reduce((n, r) => n + r.result.rejected.count, 0);
      const bytesRead = reads.reduce((n, r) => n + r.result.bytesRead, 0);
      await this.checkRejected(cfg, reads, rows, rejected);
      const schema = reads.map((r) => r.result.schema).findLast((s) => s.length > 0) ?? [];
      if (schema.length === 0) {
        throw new JobError('FF_INGEST_NO_COLUMNS', `none of the ${fresh.length} file(s) holds a column (empty files): nothing to commit to ${target}`, {
          retryable: false,
        });
      }

      // Staged under this attempt's folder; invisible until the commit lists them.
      const attemptId = attemptIdOf(ctx);
      const inputs: SourceInput[] = fresh.map((e) => ({ connection: resolved.connection, path: e.path, size: e.size, etag: e.etag }));
      const parent = asset?.currentSnapshot ?? null;
      const rewrite = cfg.mode === 'append' && parent !== null && !sameSchema(parent.schema, schema);
      ctx.progress({ message: `staging ${rows} rows in the lake`, metrics: { files: fresh.length, rows, bytes: bytesRead, rejected } });
      const written = await this.stage(ctx, ref, attemptId, schema, reads, rewrite ? { asset: asset!, snapshotId: parent.id } : null, work);
      const commit = await this.catalog.commit(
        {
          ...ref,
          parentSnapshotId: parent?.id ?? null,
          // An append whose schema changed (evolve) rewrites the parent's rows with the new schema: an overwrite.
          mode: cfg.mode === 'replace' || rewrite ? 'overwrite' : 'append',
          files: written.files,
          schema: written.schema,
          stats: written.stats,
          rowCount: written.rowCount,
          runId: ctx.runId,
          idempotencyKey: `${ctx.runId}/${ctx.stepId}/${ctx.attempt}`,
          inputs,
        },
        ctx.signal,
      );
      const snapshot = commit.snapshot;
      ctx.log.info(`committed snapshot ${snapshot.sequence} of ${target}: ${rows} rows from ${fresh.length} file(s)`, { snapshotId: snapshot.id, rows });

      // Recorded as soon as the rows are in: a retry after this point skips them instead of loading them twice.
      const perFile = new Map(reads.map((r) => [r.entry.path, r.result]));
      const records: IngestedFileRecord[] = fresh.map((e) => ({
        ...identityOf(resolved.connection, e),
        assetId: snapshot.assetId,
        snapshotId: snapshot.id,
        runId: ctx.runId,
        stepId: ctx.stepId,
        attempt: ctx.attempt,
        rows: perFile.get(e.path)?.rows ?? 0,
        rejected: perFile.get(e.path)?.rejected.count ?? 0,
      }));
      await this.files.record(this.pool, target, records);

      let rejectsAsset: IngestFileOutputs['rejectsAsset'];
      if (rejected > 0) rejectsAsset = await this.commitRejects(ctx, ref, attemptId, reads, ingestedAt, inputs, work);
      await this.afterSuccess(ctx, resolved.location, fresh);

      const outputs: IngestFileOutputs = {
        asset: snapshot.assetId,
        snapshot: snapshot.id,
        committed: true,
        rowsWritten: rows,
        rowsRejected: rejected,
        bytesRead,
        files: fresh.map((e) => ({ path: e.path, size: e.size, etag: e.etag, rows: perFile.get(e.path)!.rows, rejected: perFile.get(e.path)!.rejected.count })),
        skipped,
        ...(rejectsAsset ? { rejectsAsset } : {}),
      };
      ctx.progress({ percent: 100, message: 'done', metrics: { files: fresh.length, rows, bytes: bytesRead, rejected } });
      return { outputs: outputs as unknown as Record<string, unknown>, metrics: { rowsWritten: rows, rowsRejected: rejected, bytesRead, files: fresh.length } };
    } finally {
      await resolved.location.close().catch(() => undefined);
      if (work) await fs.rm(work, { recursive: true, force: true });
    }
  }

  private nothingNew(asset: AssetInfo | null, skipped: string[]): IngestFileOutputs {
    return {
      asset: asset?.id ?? null,
      snapshot: asset?.currentSnapshot?.id ?? null,
      committed: false,
      rowsWritten: 0,
      rowsRejected: 0,
      bytesRead: 0,
      files: [],
      skipped,
    };
  }

  private checkSizes(fresh: FileEntry[], cfg: IngestFileConfig): void {
    const maxFile = cfg.limits?.maxFileBytes;
    const big = maxFile === undefined ? undefined : fresh.find((e) => (e.size ?? 0) > maxFile);
    if (big) {
      throw new JobError('FF_INGEST_FILE_TOO_LARGE', `${big.path} has ${big.size} bytes, over limits.maxFileBytes ${maxFile}`, { retryable: false });
    }
    const maxTotal = cfg.limits?.maxTotalBytes;
    const total = fresh.reduce((n, e) => n + (e.size ?? 0), 0);
    if (maxTotal !== undefined && total > maxTotal) {
      throw new JobError('FF_INGEST_FILE_TOO_LARGE', `the ${fresh.length} selected file(s) hold ${total} bytes, over limits.maxTotalBytes ${maxTotal}`, {
        retryable: false,
      });
    }
  }

  /** Downloads and reads the files one after the other, each against the table's schema as the files before it left it. */
  private async readAll(
    ctx: JobContext<IngestFileConfig>,
    location: FileLocation,
    fresh: FileEntry[],
    asset: AssetInfo | null,
    work: string,
    ingestedAt: Date,
  ): Promise<FileRead[]> {
    const cfg = ctx.config;
    const { maxFiles: _f, maxFileBytes: _b, maxTotalBytes, ...readLimits } = cfg.limits ?? {};
    let tableSchema: ColumnSchema[] | null = asset?.currentSnapshot ? dataColumns(asset.currentSnapshot.schema) : null;
    // replace: the table becomes these files; their schema is still checked against the current one.
    const reads: FileRead[] = [];
    let bytesBefore = 0;
    let rowsBefore = 0;
    for (const [i, entry] of fresh.entries()) {
      ctx.signal.throwIfAborted();
      const dir = path.join(work, `f${String(i).padStart(5, '0')}`);
      await fs.mkdir(dir, { recursive: true });
      // A file on this host (a local connection, an upload) is read where it is: copying a large file first
      // would cost as much as reading it (bench/ingest-job.bench.ts). Anything else is downloaded, streaming.
      const inPlace = location.localPath ? await location.localPath(entry.path, ctx.signal) : null;
      const local = inPlace ?? path.join(dir, `input-${path.posix.basename(entry.path)}`);
      const downloaded = inPlace
        ? (await fs.stat(inPlace)).size
        : await download(location, entry.path, local, ctx.signal, (bytes) =>
            ctx.progress({
              message: `downloading ${entry.path}`,
              metrics: { files: i, bytes: bytesBefore + bytes, rows: rowsBefore },
            }),
          );
      if (maxTotalBytes !== undefined && bytesBefore + downloaded > maxTotalBytes) {
        throw new JobError('FF_INGEST_FILE_TOO_LARGE', `downloading ${entry.path} passed limits.maxTotalBytes ${maxTotalBytes}`, { retryable: false });
      }
      const result = await readToParquet({
        file: local,
        sourceName: entry.path,
        options: { ...(cfg.options ?? {}), format: cfg.format },
        audit: { runId: ctx.runId, ingestedAt },
        workDir: path.join(dir, 'read'),
        limits: readLimits,
        table: { schema: tableSchema, onSchemaChange: cfg.onSchemaChange },
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress({
            percent: Math.min(99, Math.floor((100 * i) / fresh.length)),
            message: `${p.stage} ${entry.path}`,
            metrics: { files: i, bytes: bytesBefore + p.bytesRead, rows: rowsBefore + p.rows },
          }),
      });
      if (!inPlace) await fs.rm(local, { force: true });
      if (result.schema.length > 0) tableSchema = dataColumns(result.schema);
      bytesBefore += downloaded;
      rowsBefore += result.rows;
      reads.push({ entry, result });
      ctx.progress({
        percent: Math.min(99, Math.floor((100 * (i + 1)) / fresh.length)),
        message: `read ${entry.path}: ${result.rows} rows, ${result.rejected.count} rejected`,
        metrics: { files: i + 1, bytes: bytesBefore, rows: rowsBefore },
      });
      ctx.log.info(`read ${entry.path}: ${result.rows} rows, ${result.rejected.count} rejected`, {
        rows: result.rows,
        rejected: result.rejected.count,
        notes: result.notes,
      });
    }
    return reads;
  }

  /** maxRejected over the whole run (count and/or percent of all rows read): a breach commits nothing. */
  private async checkRejected(cfg: IngestFileConfig, reads: FileRead[], rows: number, rejected: number): Promise<void> {
    const max = cfg.maxRejected;
    if (!max || rejected === 0) return;
    const pct = (100 * rejected) / Math.max(1, rows + rejected);
    const over = (max.count !== undefined && rejected > max.count) || (max.percent !== undefined && pct > max.percent);
    if (!over) return;
    const first = await firstRejects(reads);
    throw new JobError(
      'FF_INGEST_TOO_MANY_REJECTED',
      `${rejected} of ${rows + rejected} rows rejected (${pct.toFixed(2)}%), over maxRejected ${JSON.stringify(max)}; first: ${first}. Nothing was committed`,
      { retryable: false },
    );
  }

  /** Every file's parts, cast to the final schema (an earlier file may lack a column a later one added), into the attempt folder. */
  private async stage(
    ctx: JobContext<IngestFileConfig>,
    ref: LakeTableRef,
    attemptId: string,
    schema: ColumnSchema[],
    reads: FileRead[],
    rewriteParent: { asset: AssetInfo; snapshotId: string } | null,
    work: string,
  ): Promise<WrittenTable> {
    const parts = reads.flatMap((r) => r.result.parts);
    let parent: LocalFiles | null = null;
    if (rewriteParent) {
      const keys = (await this.catalog.snapshotFiles(rewriteParent.asset.id, rewriteParent.snapshotId, ctx.signal)).map((f) => f.path);
      parent = await localCopiesOf(this.lake, keys, { tmpDir: work });
      parts.unshift(...parent.paths);
    }
    const db = await openDuckDb({ memoryLimit: ctx.config.limits?.memoryLimit ?? '512MB', tempDirectory: path.join(work, 'duckdb-stage') });
    try {
      const columns = schema.map((c) => `CAST(${sqlIdent(c.name)} AS ${c.type}) AS ${sqlIdent(c.name)}`);
      const empty = schema.map((c) => `CAST(NULL AS ${c.type}) AS ${sqlIdent(c.name)}`);
      // No rows at all (files with a header only): one Parquet file carrying the schema, as a commit needs.
      const sql =
        parts.length > 0
          ? `SELECT ${columns.join(', ')} FROM read_parquet(${sqlStringList(parts)}, union_by_name = true)`
          : `SELECT ${empty.join(', ')} WHERE false`;
      return await writeParquet(this.lake, attemptPrefix(ref, attemptId), { sql }, { db, tmpDir: work });
    } finally {
      db.close();
      await parent?.cleanup();
    }
  }

  /** The rejected rows (file, line, raw, reason + audit) appended to `<table>__rejects`, after the main commit. */
  private async commitRejects(
    ctx: JobContext<IngestFileConfig>,
    ref: LakeTableRef,
    attemptId: string,
    reads: FileRead[],
    ingestedAt: Date,
    inputs: SourceInput[],
    work: string,
  ): Promise<NonNullable<IngestFileOutputs['rejectsAsset']>> {
    const rejectsRef: LakeTableRef = { ...ref, table: `${ref.table}${REJECTS_SUFFIX}` };
    const files = reads.flatMap((r) => (r.result.rejected.file ? [r.result.rejected.file] : []));
    const sql =
      `SELECT CAST(file AS VARCHAR) AS file, CAST(line AS BIGINT) AS line, CAST(raw AS VARCHAR) AS raw, CAST(reason AS VARCHAR) AS reason, ` +
      `${sqlString(ctx.runId)} AS _ff_run_id, CAST(${sqlString(ingestedAt.toISOString())} AS TIMESTAMPTZ) AS _ff_ingested_at ` +
      `FROM read_parquet(${sqlStringList(files)}) ORDER BY file, line`;
    const written = await writeParquet(this.lake, attemptPrefix(rejectsRef, attemptId), { sql }, { tmpDir: work });
    // Appends of one fixed schema: when another run appended meanwhile, the same staged files fit the new
    // parent as well, so a conflict is retried here (the main commit is done; failing now would lose these rows).
    let commit: Awaited<ReturnType<CatalogClient['commit']>> | undefined;
    for (let tries = 1; !commit; tries++) {
      const asset = await this.catalog.asset(rejectsRef, ctx.signal);
      try {
        commit = await this.catalog.commit(
          {
            ...rejectsRef,
            parentSnapshotId: asset?.currentSnapshot?.id ?? null,
            mode: 'append',
            files: written.files,
            schema: written.schema,
            stats: written.stats,
            rowCount: written.rowCount,
            runId: ctx.runId,
            idempotencyKey: `${ctx.runId}/${ctx.stepId}/${ctx.attempt}/rejects`,
            inputs,
          },
          ctx.signal,
        );
      } catch (err) {
        if (!(err instanceof JobError && err.code === 'FF_ASSET_COMMIT_CONFLICT' && tries < 5)) throw err;
        ctx.log.info(`the rejects table moved on meanwhile; committing again (try ${tries + 1})`);
      }
    }
    ctx.log.info(`${written.rowCount} rejected rows committed to ${tableRoot(rejectsRef)}`, { snapshotId: commit.snapshot.id });
    return { asset: commit.snapshot.assetId, snapshot: commit.snapshot.id, table: rejectsRef.table };
  }

  /** Archive or delete each source file. Its rows are committed already: a failure here is logged, not fatal. */
  private async afterSuccess(ctx: JobContext<IngestFileConfig>, location: FileLocation, fresh: FileEntry[]): Promise<void> {
    const action = ctx.config.afterSuccess?.action ?? 'none';
    if (action === 'none') return;
    const prefix = ctx.config.afterSuccess?.archivePrefix ?? 'archive/';
    for (const e of fresh) {
      try {
        if (action === 'archive') await location.archive(e.path, `${prefix}${e.path}`, { move: true, signal: ctx.signal });
        else await location.delete(e.path, ctx.signal);
      } catch (err) {
        ctx.log.warn(`afterSuccess ${action} of ${e.path} failed: ${(err as Error).message}`, { path: e.path });
      }
    }
  }
}

function selectorOf(cfg: IngestFileConfig): FileSelector {
  if (cfg.path !== undefined) return { kind: 'path', path: cfg.path };
  if (cfg.glob !== undefined) return { kind: 'glob', glob: cfg.glob };
  if (cfg.regex !== undefined) return { kind: 'regex', regex: cfg.regex, under: cfg.under };
  throw new JobError('FF_JOB_CONFIG_INVALID', 'config needs exactly one of path, glob, regex', { retryable: false });
}

/** The lake folder of this attempt (libs/engine attemptPrefix: 1-128 of [A-Za-z0-9._-]). */
function attemptIdOf(ctx: Pick<JobContext<unknown>, 'runId' | 'stepId' | 'attempt'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(ctx.runId).slice(0, 64)}-${safe(ctx.stepId).slice(0, 50)}-${ctx.attempt}`;
}

function dataColumns(schema: readonly ColumnSchema[]): ColumnSchema[] {
  return schema.filter((c) => !TRAILER.has(c.name));
}

function sameSchema(a: readonly ColumnSchema[], b: readonly ColumnSchema[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name && c.type === b[i]!.type);
}

/** Streams one file of the location to `to`, counting bytes. */
async function download(location: FileLocation, from: string, to: string, signal: AbortSignal, onBytes: (n: number) => void): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      onBytes(bytes);
      cb(null, chunk);
    },
  });
  await pipeline(await location.open(from, signal), counter, createWriteStream(to), { signal });
  return bytes;
}

async function firstRejects(reads: FileRead[]): Promise<string> {
  const files = reads.flatMap((r) => (r.result.rejected.file ? [r.result.rejected.file] : []));
  if (files.length === 0) return '(none recorded)';
  const db = await openDuckDb({ memoryLimit: '256MB', threads: 1 });
  try {
    const res = await db.withSession((s) => s.all(`SELECT file, line, reason FROM read_parquet(${sqlStringList(files)}) ORDER BY file, line LIMIT 3`));
    return res.rows.map((r) => `${String(r.file)} line ${String(r.line)}: ${String(r.reason)}`).join('; ');
  } finally {
    db.close();
  }
}
