import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EventBus } from '@flowforge/bus';
import { AssetCommitted } from '@flowforge/contracts';
import { withTransaction, type Queryable } from '@flowforge/db';
import { mergeStats, parseDataKey, tableRoot, type LakeTableRef, type TableStats } from '@flowforge/engine';
import { EVENT_BUS, LOGGER, ValidationProblem, type FlowForgeLogger } from '@flowforge/service-kit';
import type { ObjectStore } from '@flowforge/storage';
import { LAKE_STORE } from '../lake/lake.module';
import { assetNotFound, AppendSchemaMismatchProblem, CommitConflictProblem, CommitFilesProblem, IdempotencyKeyReusedProblem } from './asset.errors';
import type { CommitRequest } from '@flowforge/http';
import { AssetStore, type AssetRecord, type SnapshotFileRecord, type SnapshotRecord, type SnapshotSource } from './asset.store';
import { snapshotView, type SnapshotView } from './asset.views';
import { diffSchemas, isSchemaChange } from './schema-history';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

export interface CommitResult {
  snapshot: SnapshotView;
  /** false when the idempotency key had already made this snapshot (a retry). */
  created: boolean;
}

/**
 * The commit side of the lake (docs/architecture.md, The lake): a writer staged files under its attempt folder and
 * asks for a new snapshot. In one transaction, under the table's lock: the asset is created on its first
 * commit, a repeated idempotency key answers the snapshot it made, the parent is compared-and-set, the
 * files are checked to exist with the sizes given, the snapshot, its files and any schema change are
 * recorded, and AssetCommitted is published with the same transaction — all of it, or nothing.
 */
@Injectable()
export class AssetCommitService {
  constructor(
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly assets: AssetStore,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LAKE_STORE) private readonly store: ObjectStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  async commit(req: CommitRequest): Promise<CommitResult> {
    const ref = await this.refOf(req);
    const root = tableRoot(ref);
    const files = this.checkLayout(req, root);
    const result = await withTransaction(this.pool, async (tx) => {
      await this.assets.lockTable(tx, root);
      const asset = await this.assets.ensureLocked(tx, ref, randomUUID());
      const previous = await this.assets.snapshotByKey(tx, asset.id, req.idempotencyKey);
      if (previous) return { snapshot: await this.replayed(tx, asset, previous, req), created: false };
      if (asset.currentSnapshotId !== req.parentSnapshotId) throw new CommitConflictProblem(asset.id, req.parentSnapshotId, asset.currentSnapshotId);
      // Inside the table lock: the lake GC cannot remove a file between this check and COMMIT.
      await this.checkStaged(req);
      const sources = await this.sourcesOf(tx, req);
      const snapshot = await this.record(tx, asset, req, files, sources);
      await this.bus.publish(
        AssetCommitted,
        {
          assetId: asset.id,
          layer: asset.layer,
          namespace: asset.namespace,
          table: asset.table,
          snapshotId: snapshot.id,
          parentSnapshotId: snapshot.parentSnapshotId,
          rowCount: snapshot.rowCount,
          runId: snapshot.runId,
          files: snapshot.fileCount,
          inputs: snapshot.inputs,
          sourceSnapshots: snapshot.sourceSnapshots,
        },
        { key: asset.id, tx },
      );
      return { snapshot, created: true };
    });
    const s = result.snapshot;
    this.logger.info(
      { module: 'catalog', assetId: s.assetId, snapshotId: s.id, sequence: s.sequence, rows: s.rowCount, files: s.fileCount, created: result.created },
      result.created ? `committed snapshot ${s.sequence} of ${root}` : `commit retried: snapshot ${s.sequence} of ${root} already exists`,
    );
    return { snapshot: snapshotView(s), created: result.created };
  }

  private async refOf(req: CommitRequest): Promise<LakeTableRef> {
    if (!req.assetId) return { layer: req.layer!, namespace: req.namespace!, table: req.table! };
    const asset = await this.assets.find(this.pool, req.assetId);
    if (!asset) throw assetNotFound(req.assetId);
    const named = { layer: req.layer, namespace: req.namespace, table: req.table };
    const mismatched = (Object.keys(named) as (keyof typeof named)[]).filter(
      (k) => named[k] !== undefined && named[k] !== (k === 'table' ? asset.table : asset[k]),
    );
    if (mismatched.length > 0) {
      throw new ValidationProblem(mismatched.map((field) => ({ field, message: `does not match asset ${asset.id} (${tableRoot(asset)})` })));
    }
    return { layer: asset.layer, namespace: asset.namespace, table: asset.table };
  }

  /** Every file must be a part of an attempt folder of this very table. */
  private checkLayout(req: CommitRequest, root: string): SnapshotFileRecord[] {
    const errors: { field: string; message: string }[] = [];
    const files = req.files.map((f, i) => {
      const parsed = parseDataKey(f.path);
      if (!parsed || tableRoot(parsed.ref) !== root || !/\.parquet$/.test(parsed.file)) {
        errors.push({ field: `files[${i}].path`, message: `must be a Parquet file under ${root}/data/<attempt-id>/ (got ${JSON.stringify(f.path)})` });
      }
      return { path: f.path, attemptId: parsed?.attemptId ?? '', rows: f.rows, bytes: f.bytes };
    });
    if (errors.length > 0) throw new CommitFilesProblem('FF_ASSET_FILE_PATH', errors);
    return files;
  }

  private async checkStaged(req: CommitRequest): Promise<void> {
    const missing: { field: string; message: string }[] = [];
    const wrongSize: { field: string; message: string }[] = [];
    await Promise.all(
      req.files.map(async (f, i) => {
        const head = await this.store.head(f.path);
        if (!head)
          missing.push({ field: `files[${i}].path`, message: `${f.path} is not in the lake (never staged, or removed by the lake GC after its grace period)` });
        else if (head.size !== f.bytes) wrongSize.push({ field: `files[${i}].bytes`, message: `${f.path} has ${head.size} bytes in the lake, not ${f.bytes}` });
      }),
    );
    if (missing.length > 0) throw new CommitFilesProblem('FF_ASSET_FILE_MISSING', missing);
    if (wrongSize.length > 0) throw new CommitFilesProblem('FF_ASSET_FILE_SIZE_MISMATCH', wrongSize);
  }

  /**
   * The lake snapshots the writer says it read, checked to exist and named by their table from the catalog's
   * own records (a writer cannot attribute its result to a snapshot that never was).
   */
  private async sourcesOf(tx: Queryable, req: CommitRequest): Promise<SnapshotSource[]> {
    if (req.sourceSnapshots.length === 0) return [];
    const found = await this.assets.snapshotsByIds(
      tx,
      req.sourceSnapshots.map((s) => s.snapshotId),
    );
    const tables = new Map<string, AssetRecord | null>();
    const errors: { field: string; message: string }[] = [];
    const sources: SnapshotSource[] = [];
    for (const [i, s] of req.sourceSnapshots.entries()) {
      const snap = found.get(s.snapshotId);
      if (!snap || snap.assetId !== s.assetId) {
        errors.push({ field: `sourceSnapshots[${i}].snapshotId`, message: `is not a snapshot of asset ${s.assetId}` });
        continue;
      }
      if (!tables.has(s.assetId)) tables.set(s.assetId, await this.assets.find(tx, s.assetId));
      const table = tables.get(s.assetId);
      if (!table) errors.push({ field: `sourceSnapshots[${i}].assetId`, message: `asset ${s.assetId} was deleted` });
      else sources.push({ assetId: s.assetId, snapshotId: s.snapshotId, layer: table.layer, namespace: table.namespace, table: table.table });
    }
    if (errors.length > 0) throw new ValidationProblem(errors);
    return sources;
  }

  /** A repeated key: the same request answers the snapshot it made; different files are a mistake, not a retry. */
  private async replayed(tx: Queryable, asset: AssetRecord, previous: SnapshotRecord, req: CommitRequest): Promise<SnapshotRecord> {
    const made = new Set((await this.assets.files(tx, previous.id)).map((f) => f.path));
    if (!req.files.every((f) => made.has(f.path))) throw new IdempotencyKeyReusedProblem(asset.id, req.idempotencyKey, previous.id);
    return previous;
  }

  private async record(tx: Queryable, asset: AssetRecord, req: CommitRequest, files: SnapshotFileRecord[], sources: SnapshotSource[]): Promise<SnapshotRecord> {
    let all = files;
    let rowCount = req.rowCount;
    let stats: TableStats = req.stats;
    if (req.mode === 'append' && asset.currentSnapshotId) {
      const parent = (await this.assets.snapshot(tx, asset.id, asset.currentSnapshotId))!;
      const change = diffSchemas(parent.schema, req.schema);
      if (isSchemaChange(change)) {
        throw new AppendSchemaMismatchProblem(
          asset.id,
          `added ${JSON.stringify(change.added)}, removed ${JSON.stringify(change.removed)}, changed ${JSON.stringify(change.changed)}${change.reordered ? ', reordered' : ''}`,
        );
      }
      const parentFiles = await this.assets.files(tx, parent.id);
      const existing = new Set(parentFiles.map((f) => f.path));
      const dup = req.files.findIndex((f) => existing.has(f.path));
      if (dup >= 0)
        throw new ValidationProblem([{ field: `files[${dup}].path`, message: 'is already part of the current snapshot; an append adds new files only' }]);
      all = [...parentFiles, ...files];
      rowCount += parent.rowCount;
      stats = mergeStats(req.schema, parent.stats, req.stats);
    }
    const id = randomUUID();
    const latest = await this.assets.latestSchemaVersion(tx, asset.id);
    const change = diffSchemas(latest?.schema ?? null, req.schema);
    let schemaVersion = latest?.version ?? 0;
    if (!latest || isSchemaChange(change)) {
      schemaVersion += 1;
      await this.assets.insertSchemaVersion(tx, asset.id, { version: schemaVersion, schema: req.schema, changes: change, introducedBySnapshotId: id });
    }
    const snapshot = await this.assets.insertSnapshot(
      tx,
      {
        id,
        assetId: asset.id,
        sequence: await this.assets.nextSequence(tx, asset.id),
        parentSnapshotId: asset.currentSnapshotId,
        operation: req.mode,
        rowCount,
        fileCount: all.length,
        totalBytes: all.reduce((n, f) => n + f.bytes, 0),
        schema: req.schema,
        schemaVersion,
        stats,
        runId: req.runId ?? null,
        idempotencyKey: req.idempotencyKey,
        inputs: req.inputs.map((i) => ({ connection: i.connection, path: i.path, size: i.size, etag: i.etag })),
        sourceSnapshots: sources,
      },
      all,
    );
    await this.assets.setCurrent(tx, asset.id, snapshot.id);
    return snapshot;
  }
}
