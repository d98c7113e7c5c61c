import { Inject, Injectable } from '@nestjs/common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import {
  attemptPrefix,
  EngineError,
  openDuckDb,
  sqlString,
  tableRoot,
  writeParquet,
  type DuckDb,
  type DuckDbSession,
  type LakeTableRef,
  type WrittenTable,
} from '@flowforge/engine';
import { JobError, type CommitBody, type JobContext, type JobResult } from '@flowforge/executor';
import { serviceConfigToken, servicePoolToken } from '@flowforge/service-kit';
import { openSandbox, registerInputs, tableName, TransformError, type CompiledJob, type LakeInput } from '@flowforge/transform';
import { LakeInputs } from '../lake/lake-inputs';
import { TransformCatalogClient } from '../lake/transform-catalog.client';
import type { TransformationConfig } from '../transformation.config';
import type { TransformKind } from './transform-kind';

/** What a table-writing transformation step returns as its outputs (services/transformation/README.md). */
export interface TransformOutputs {
  asset: string;
  snapshot: string;
  table: string;
  rowsWritten: number;
  rowsRejected: number;
  /** The snapshots read, by table: with the job's config, what reproduces the result. */
  inputs: { table: string; snapshot: string | null }[];
  rejectsAsset?: { asset: string; snapshot: string; table: string };
}

const REJECTS_SUFFIX = '__rejects';
const GUARD_SAMPLE = 20;

/** A TransformError or an engine failure as the step's failure: code and message, never retried (the same input fails again). */
export function asJobError(err: unknown): unknown {
  if (err instanceof JobError) return err;
  if (err instanceof TransformError) {
    const where = err.problems.map((p) => `${p.field}${p.position !== undefined ? ` (at ${p.position})` : ''}: ${p.message}`).join('; ');
    const message = err.message.replace(/^FF_[A-Z_]+: /, '');
    return new JobError(err.code, where && !message.includes(where) ? `${message} — ${where}` : message, { retryable: false, cause: err });
  }
  if (err instanceof EngineError && err.code === 'FF_ENGINE_SQL') {
    return new JobError('FF_TRANSFORM_SQL', err.message.replace(/^FF_[A-Z_]+: /, ''), { retryable: false, cause: err });
  }
  return err;
}

/**
 * One attempt of a table-writing transformation (services/transformation/README.md): resolve the inputs to
 * their current snapshots, register them in a private DuckDB, compile the config, run the guards, write
 * the result as Parquet under the attempt's folder and commit it ONCE (naming every snapshot read), then
 * the rejected rows to `<table>__rejects`. Anything failing before the commit leaves the table as it was.
 */
@Injectable()
export class TransformRunner {
  constructor(
    private readonly lakeInputs: LakeInputs,
    private readonly catalog: TransformCatalogClient,
    @Inject(servicePoolToken('transformation')) private readonly pool: Pool,
    @Inject(serviceConfigToken('transformation')) private readonly config: TransformationConfig,
  ) {}

  async run<C>(kind: TransformKind<C>, ctx: JobContext<C>): Promise<JobResult> {
    try {
      const target = kind.target(ctx.config);
      if (!kind.exclusive) return await this.attempt(kind, ctx, target);
      return await this.exclusively(target, ctx, () => this.attempt(kind, ctx, target));
    } catch (err) {
      throw asJobError(err);
    }
  }

  /** A private work folder under FLOWFORGE_TRANSFORM_WORK_DIR for `fn` (downloads, spill), removed afterwards. */
  async withWorkDir<T>(prefix: string, fn: (work: string) => Promise<T>): Promise<T> {
    const root = this.config.FLOWFORGE_TRANSFORM_WORK_DIR || os.tmpdir();
    await fs.mkdir(root, { recursive: true });
    const work = await fs.mkdtemp(path.join(root, prefix));
    try {
      return await fn(work);
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  /** A work folder and a DuckDB bounded by the service's limits, for one attempt or one query. */
  async withEngine<T>(prefix: string, fn: (db: DuckDb, work: string) => Promise<T>, limits?: { memoryLimit?: string; threads?: number }): Promise<T> {
    return this.withWorkDir(prefix, async (work) => {
      const threads = limits?.threads ?? this.config.FLOWFORGE_TRANSFORM_THREADS;
      const db = await openDuckDb({
        memoryLimit: limits?.memoryLimit ?? this.config.FLOWFORGE_TRANSFORM_MEMORY_LIMIT,
        ...(threads > 0 ? { threads } : {}),
        tempDirectory: path.join(work, 'spill'),
      });
      try {
        return await fn(db, work);
      } finally {
        db.close();
      }
    });
  }

  private async attempt<C>(kind: TransformKind<C>, ctx: JobContext<C>, target: LakeTableRef): Promise<JobResult> {
    const cfg = ctx.config;
    return this.withEngine('ff-transform-', async (db, work) => {
      ctx.progress({ percent: 1, message: 'resolving inputs' });
      const refs = await kind.inputs(cfg);
      const resolved = await this.lakeInputs.resolve([...refs, target], {
        workDir: work,
        signal: ctx.signal,
        // The target is read only to know its current snapshot (the commit's parent), unless the kind reads it.
        mayBeMissing: (ref) => tableName(ref) === tableName(target) || (kind.mayBeMissing?.(cfg, ref) ?? false),
      });
      try {
        const readsTarget = refs.some((r) => tableName(r) === tableName(target));
        const registered = resolved.present.filter((i) => readsTarget || tableName(i.ref) !== tableName(target));
        const targetState = resolved.inputs.find((i) => tableName(i.ref) === tableName(target))!;
        const sources = resolved.inputs
          .filter((i) => i.asset && i.input && (readsTarget || tableName(i.ref) !== tableName(target)))
          .map((i) => ({ assetId: i.asset!.id, snapshotId: i.input!.snapshotId }));
        ctx.log.info(`inputs: ${registered.map((i) => `${tableName(i.ref)}@${i.snapshotId}`).join(', ') || '(none)'}`, {
          inputs: registered.map((i) => ({ table: tableName(i.ref), snapshot: i.snapshotId })),
        });
        const compiled = await db.withSession(async (session) => {
          await registerInputs(session, registered);
          const schemas = new Map(registered.map((i) => [tableName(i.ref), i.schema]));
          const job = await kind.compile(cfg, { schemas: (ref) => schemas.get(tableName(ref)), now: runNow(ctx) }, session, {
            resolved,
            catalog: this.catalog,
            pool: this.pool,
            log: ctx.log,
          });
          await this.checkGuards(session, job);
          return job;
        });
        ctx.signal.throwIfAborted();
        ctx.progress({ percent: 10, message: `computing ${tableName(target)}`, metrics: { rowsRead: resolved.rows } });
        const attemptId = attemptIdOf(ctx);
        const written = compiled.sandboxed
          ? await this.writeSandboxed(db, ctx, target, attemptId, compiled.sql, registered, work)
          : await this.write(db, ctx, target, attemptId, compiled.sql, work);
        const parent = targetState.asset?.currentSnapshot ?? null;
        const mode = kind.mode(cfg);
        const commit = await this.catalog.commit(
          {
            ...target,
            parentSnapshotId: parent?.id ?? null,
            mode: mode === 'append' && parent ? 'append' : 'overwrite',
            files: written.files,
            schema: written.schema,
            stats: written.stats,
            rowCount: written.rowCount,
            runId: ctx.runId,
            idempotencyKey: `${ctx.runId}/${ctx.stepId}/${ctx.attempt}`,
            inputs: [],
            sourceSnapshots: sources,
          },
          ctx.signal,
        );
        const snapshot = commit.snapshot;
        ctx.log.info(`committed snapshot ${snapshot.sequence} of ${tableRoot(target)}: ${written.rowCount} rows`, { snapshotId: snapshot.id });
        const read = Object.fromEntries(registered.map((i) => [tableName(i.ref), i.snapshotId]));
        await kind.onCommitted?.(cfg, { assetId: snapshot.assetId, snapshotId: snapshot.id, table: tableName(target), sources: read }, this.pool);
        let rejectsAsset: TransformOutputs['rejectsAsset'];
        let rejected = 0;
        if (compiled.rejectsSql) {
          const r = await this.commitRejects(db, ctx, target, attemptId, compiled.rejectsSql, sources, work);
          rejected = r?.rows ?? 0;
          rejectsAsset = r?.asset;
        }
        const outputs: TransformOutputs = {
          asset: snapshot.assetId,
          snapshot: snapshot.id,
          table: tableName(target),
          rowsWritten: written.rowCount,
          rowsRejected: rejected,
          inputs: registered.map((i) => ({ table: tableName(i.ref), snapshot: i.snapshotId })),
          ...(rejectsAsset ? { rejectsAsset } : {}),
        };
        ctx.progress({ percent: 100, message: 'done', metrics: { rowsRead: resolved.rows, rowsWritten: written.rowCount, rowsRejected: rejected } });
        return {
          outputs: outputs as unknown as Record<string, unknown>,
          metrics: { rowsRead: resolved.rows, rowsWritten: written.rowCount, rowsRejected: rejected },
        };
      } finally {
        await resolved.cleanup();
      }
    });
  }

  /** Each guard's first rows fail the job with its code, message and the offending rows. */
  async checkGuards(session: DuckDbSession, job: CompiledJob): Promise<void> {
    for (const guard of job.guards ?? []) {
      const found = await session.all(`SELECT * FROM (${guard.sql}) AS guard LIMIT ${GUARD_SAMPLE}`);
      if (found.rows.length > 0) {
        throw new JobError(
          guard.code,
          `${guard.message}: ${found.rows.map((r) => JSON.stringify(r)).join(', ')}${found.rows.length === GUARD_SAMPLE ? ', …' : ''}`,
          {
            retryable: false,
          },
        );
      }
    }
  }

  /** The result as Parquet parts in the attempt folder (staged: invisible until the commit lists them). */
  private async write<C>(db: DuckDb, ctx: JobContext<C>, target: LakeTableRef, attemptId: string, sql: string, work: string): Promise<WrittenTable> {
    const written = await writeParquet(this.lakeInputs.lake, attemptPrefix(target, attemptId), { sql }, { db, tmpDir: work });
    // A cancel during the write: the staged parts are left to the lake GC, nothing is committed.
    ctx.signal.throwIfAborted();
    return written;
  }

  /**
   * A custom SQL job's result: written by the SQL sandbox (locked DuckDB, only the inputs readable, one output
   * file it names) — the user's text never runs on a plain session — then staged like any other result.
   */
  private async writeSandboxed<C>(
    db: DuckDb,
    ctx: JobContext<C>,
    target: LakeTableRef,
    attemptId: string,
    sql: string,
    inputs: LakeInput[],
    work: string,
  ): Promise<WrittenTable> {
    const outputDir = path.join(work, 'sandbox-out');
    await fs.mkdir(outputDir, { recursive: true });
    const threads = this.config.FLOWFORGE_TRANSFORM_THREADS;
    const box = await openSandbox({
      inputs,
      outputDir,
      memoryLimit: this.config.FLOWFORGE_TRANSFORM_MEMORY_LIMIT,
      timeoutMs: ctx.deadlineAt ? Math.max(1, Math.min(3_600_000, ctx.deadlineAt.getTime() - Date.now())) : 3_600_000,
      threads: threads > 0 ? Math.min(64, threads) : 2,
    });
    let file: string;
    try {
      const onAbort = () => box.close();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        file = (await box.copyTo(sql)).file;
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    } finally {
      box.close();
    }
    ctx.signal.throwIfAborted();
    return this.write(db, ctx, target, attemptId, `SELECT * FROM read_parquet(${sqlString(file)})`, work);
  }

  /** The rows set aside (cast failures...) appended to `<table>__rejects`, after the main commit (retrying a conflict: appends of one schema). */
  private async commitRejects<C>(
    db: DuckDb,
    ctx: JobContext<C>,
    target: LakeTableRef,
    attemptId: string,
    rejectsSql: string,
    sources: CommitBody['sourceSnapshots'],
    work: string,
  ): Promise<{ rows: number; asset: NonNullable<TransformOutputs['rejectsAsset']> } | null> {
    const sql = `SELECT CAST(reason AS VARCHAR) AS reason, CAST(raw AS VARCHAR) AS raw, CAST('${ctx.runId.replace(/'/g, "''")}' AS VARCHAR) AS _ff_run_id, now() AS _ff_rejected_at FROM (${rejectsSql}) AS rejects`;
    const count = await db.withSession((s) => s.all(`SELECT count(*)::BIGINT AS n FROM (${rejectsSql}) AS rejects`));
    if (Number(count.rows[0]?.n ?? 0) === 0) return null;
    const rejectsRef: LakeTableRef = { ...target, table: `${target.table}${REJECTS_SUFFIX}`.slice(0, 63) };
    const written = await writeParquet(this.lakeInputs.lake, attemptPrefix(rejectsRef, attemptId), { sql }, { db, tmpDir: work });
    for (let tries = 1; ; tries++) {
      const asset = await this.catalog.asset(rejectsRef, ctx.signal);
      try {
        const commit = await this.catalog.commit(
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
            inputs: [],
            sourceSnapshots: sources,
          },
          ctx.signal,
        );
        ctx.log.warn(`${written.rowCount} rejected rows committed to ${tableRoot(rejectsRef)}`, { snapshotId: commit.snapshot.id });
        return { rows: written.rowCount, asset: { asset: commit.snapshot.assetId, snapshot: commit.snapshot.id, table: rejectsRef.table } };
      } catch (err) {
        if (!(err instanceof JobError && err.code === 'FF_ASSET_COMMIT_CONFLICT' && tries < 5)) throw err;
      }
    }
  }

  /**
   * Runs `fn` holding a session-level advisory lock on the target table in the service's database: two
   * merges of one table (two runs, two replicas) never interleave — the second starts when the first has
   * committed, and reads its result. The catalog's compare-and-set on the parent is the last word anyway.
   */
  private async exclusively<T>(target: LakeTableRef, ctx: JobContext<unknown>, fn: () => Promise<T>): Promise<T> {
    const key = `transformation:${tableRoot(target)}`;
    // A waiting attempt holds no connection between tries: only the holder keeps one (for the lock), and the
    // pool's others stay free for the holder's own queries (a waiter parked on a connection could starve it).
    let holder: PoolClient | undefined;
    while (!holder) {
      const client = await this.pool.connect();
      let ok = false;
      try {
        ok = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [key])).rows[0]?.ok === true;
      } finally {
        if (ok) holder = client;
        else client.release();
      }
      if (!holder) {
        ctx.signal.throwIfAborted();
        ctx.progress({ message: `waiting for another run writing ${tableName(target)}` });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    try {
      return await fn();
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
      holder.release();
    }
  }
}

/**
 * "now" of an attempt (relative date filters, SCD2 validity): taken once before compiling, so every part
 * of the attempt agrees; a retry takes its own (nothing of a failed attempt was committed).
 */
function runNow(_ctx: JobContext<unknown>): Date {
  return new Date();
}

/** The lake folder of this attempt (libs/engine attemptPrefix: 1-128 of [A-Za-z0-9._-]). */
export function attemptIdOf(ctx: Pick<JobContext<unknown>, 'runId' | 'stepId' | 'attempt'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(ctx.runId).slice(0, 64)}-${safe(ctx.stepId).slice(0, 50)}-${ctx.attempt}`;
}
