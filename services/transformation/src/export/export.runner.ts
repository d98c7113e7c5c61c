import { Inject, Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { JobError, type JobContext, type JobResult, type StepCall } from '@flowforge/executor';
import { servicePoolToken } from '@flowforge/service-kit';
import {
  describeSelect,
  effectiveWriteMode,
  exportDestination,
  exportInput,
  exportSelectSql,
  normalizeExportConfig,
  parseTableName,
  planExport,
  registerInputs,
  writeExportFile,
  type ExportConfig,
  type ExportPlan,
  type RawExportConfig,
} from '@flowforge/transform';
import { LakeInputs } from '../lake/lake-inputs';
import { TransformCatalogClient } from '../lake/transform-catalog.client';
import { TransformLocations } from '../lake/transform-locations';
import { asJobError, TransformRunner } from '../run/transform.runner';
import { ExportHistoryStore } from './export-history.store';
import { warehouseConnectionConfig } from './warehouse-connection';

/** What an `export` step returns as its outputs (services/transformation/README.md, Exports). */
export interface ExportOutputs {
  destination: string;
  table: string;
  snapshot: string;
  /** incremental: the snapshot exported last time (the rows since it were sent); null for a full export. */
  since: string | null;
  mode: 'full' | 'incremental' | 'unchanged';
  rows: number;
  reason: string;
}

/**
 * One attempt of `export` (services/transformation/README.md, Exports): the source table's current snapshot
 * (or, incremental, only the files added since the snapshot last exported to the same destination) read by
 * DuckDB and written as a file into a file connection, or loaded into a warehouse through its official client
 * (libs/transform/src/export). Every outcome is recorded in the export history of the destination.
 */
@Injectable()
export class ExportRunner {
  private readonly history: ExportHistoryStore;

  constructor(
    private readonly runner: TransformRunner,
    private readonly lakeInputs: LakeInputs,
    private readonly catalog: TransformCatalogClient,
    private readonly locations: TransformLocations,
    @Inject(servicePoolToken('transformation')) pool: Pool,
  ) {
    this.history = new ExportHistoryStore(pool);
  }

  async run(ctx: JobContext<RawExportConfig>): Promise<JobResult> {
    const startedAt = new Date();
    let cfg: ExportConfig;
    try {
      cfg = normalizeExportConfig(ctx.config);
    } catch (err) {
      throw asJobError(err);
    }
    const destination = destinationKey(cfg);
    const sourceRef = parseTableName(cfg.source, 'source');
    const call: StepCall = { runId: ctx.runId, stepId: ctx.stepId, attempt: ctx.attempt, signal: ctx.signal };
    let known: { assetId: string; snapshotId: string; since: string | null; mode: 'full' | 'incremental' } | null = null;
    try {
      return await this.runner.withEngine('ff-export-', async (db, work) => {
        const resolved = await this.lakeInputs.resolve([sourceRef], { workDir: work, signal: ctx.signal });
        try {
          const source = resolved.inputs[0]!;
          const input = source.input!;
          const assetId = source.asset!.id;
          const snapshot = await this.catalog.snapshot(assetId, input.snapshotId, ctx.signal);
          const keys = snapshot.files.map((f) => f.path);
          const localOf = new Map(keys.map((k, i) => [k, input.files[i]!]));
          const plan = await this.plan(cfg, destination, assetId, { snapshotId: input.snapshotId, files: keys }, ctx.signal);
          known = { assetId, snapshotId: input.snapshotId, since: plan.since, mode: plan.plan.mode === 'full' ? 'full' : 'incremental' };
          ctx.log.info(`export of ${cfg.source}@${input.snapshotId} to ${destination}: ${plan.plan.reason}`, {
            mode: plan.plan.mode,
            files: plan.plan.files.length,
          });
          if (plan.plan.mode === 'unchanged') {
            await this.history.record({ ...this.base(ctx, cfg, destination, known), rows: 0, status: 'succeeded', error: null, startedAt });
            return this.result(cfg, destination, input.snapshotId, plan.since, plan.plan, 0);
          }
          // The plan names catalog keys; DuckDB reads their local copies.
          const restricted = exportInput(input, { ...plan.plan, files: plan.plan.files.map((k) => localOf.get(k)!) });
          const rows = await db.withSession(async (session) => {
            await registerInputs(session, [restricted]);
            const selectSql = exportSelectSql(cfg.source, cfg.columns);
            const schema = await describeSelect(session, selectSql);
            if (cfg.destination.kind === 'file') {
              const file = path.join(work, `export.${cfg.destination.file.format}`);
              const written = await writeExportFile(session, selectSql, cfg.destination.file, file, {
                signal: ctx.signal,
                onProgress: (p) =>
                  ctx.progress({ message: `writing ${cfg.destination.kind === 'file' ? cfg.destination.path : ''}`, metrics: { rows: p.rows } }),
              });
              const target = await this.locations.open(cfg.destination.connection, call);
              try {
                ctx.progress({ percent: 90, message: `uploading ${written.bytes} bytes to ${cfg.destination.connection}:${cfg.destination.path}` });
                await target.location.write(cfg.destination.path, createReadStream(file), { signal: ctx.signal });
              } finally {
                await target.location.close().catch(() => undefined);
              }
              return written.rows;
            }
            const dest = exportDestination(cfg.destination.kind);
            const connection = await this.catalog.connection(cfg.destination.connection, call);
            const resolvedConnection = dest.validateConfig(await warehouseConnectionConfig(cfg.destination.kind, connection.type, connection.config));
            const loaded = await dest.load({
              connection: resolvedConnection,
              session,
              selectSql,
              schema,
              table: cfg.destination.table,
              writeMode: effectiveWriteMode(cfg.destination.writeMode, plan.plan, cfg.mode),
              key: cfg.destination.key,
              signal: ctx.signal,
              onProgress: (p) =>
                ctx.progress({
                  message: `loading ${cfg.destination.kind === 'file' ? '' : `${cfg.destination.table.schema}.${cfg.destination.table.table}`}`,
                  metrics: { rows: p.rows },
                }),
              tmpDir: work,
            });
            return loaded.rows;
          });
          await this.history.record({ ...this.base(ctx, cfg, destination, known), rows, status: 'succeeded', error: null, startedAt });
          ctx.log.info(`exported ${rows} rows of ${cfg.source} to ${destination}`, { rows });
          return this.result(cfg, destination, input.snapshotId, plan.since, plan.plan, rows);
        } finally {
          await resolved.cleanup();
        }
      });
    } catch (err) {
      const failure = asJobError(err);
      if (known) {
        const message = failure instanceof Error ? failure.message : String(failure);
        await this.history.record({ ...this.base(ctx, cfg, destination, known), rows: 0, status: 'failed', error: message, startedAt }).catch(() => undefined);
      }
      throw failure;
    }
  }

  /** The plan against the last successful export of this destination (full when that snapshot's files are gone). */
  private async plan(
    cfg: ExportConfig,
    destination: string,
    assetId: string,
    current: { snapshotId: string; files: string[] },
    signal: AbortSignal,
  ): Promise<{ plan: ExportPlan; since: string | null }> {
    if (cfg.mode === 'full') return { plan: planExport('full', current), since: null };
    const last = await this.history.lastSucceeded(destination, assetId);
    if (!last) return { plan: planExport('incremental', current), since: null };
    let lastFiles: string[] | null = null;
    try {
      lastFiles = (await this.catalog.snapshot(assetId, last, signal)).files.map((f) => f.path);
    } catch (err) {
      // The last exported snapshot was expired by retention: nothing to diff against.
      if (!(err instanceof JobError && /NOT_FOUND/.test(err.code))) throw err;
    }
    const plan = lastFiles
      ? planExport('incremental', current, { snapshotId: last, files: lastFiles })
      : { mode: 'full' as const, files: current.files, reason: `snapshot ${last}, exported last, is no longer in the catalog: exporting every row` };
    return { plan, since: plan.mode === 'full' ? null : last };
  }

  private base(
    ctx: JobContext<unknown>,
    cfg: ExportConfig,
    destination: string,
    known: { assetId: string; snapshotId: string; since: string | null; mode: 'full' | 'incremental' },
  ) {
    return {
      destination,
      sourceAssetId: known.assetId,
      sourceTable: cfg.source,
      snapshotId: known.snapshotId,
      sinceSnapshotId: known.since,
      mode: known.mode,
      runId: ctx.runId,
      stepId: ctx.stepId,
    };
  }

  private result(cfg: ExportConfig, destination: string, snapshot: string, since: string | null, plan: ExportPlan, rows: number): JobResult {
    const outputs: ExportOutputs = { destination, table: cfg.source, snapshot, since, mode: plan.mode, rows, reason: plan.reason };
    return { outputs: outputs as unknown as Record<string, unknown>, metrics: { rowsExported: rows } };
  }
}

/** `file:landing/exports/daily.parquet`, `redshift:warehouse/analytics.daily_sales`: one export history per destination. */
export function destinationKey(cfg: ExportConfig): string {
  const d = cfg.destination;
  return d.kind === 'file' ? `file:${d.connection}/${d.path}` : `${d.kind}:${d.connection}/${d.table.schema}.${d.table.table}`;
}
