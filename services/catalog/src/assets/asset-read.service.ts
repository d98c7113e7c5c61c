import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { EXPORT_CONTENT_TYPES, openExportStream, previewParquet, type DuckDb, type ExportFormat, type PreviewResult } from '@flowforge/engine';
import { ObjectNotFoundError, type ObjectStore } from '@flowforge/storage';
import { CATALOG_DUCKDB, LAKE_STORE } from '../lake/lake.module';
import { assetEmpty, assetNotFound, snapshotNotFound, SnapshotGoneProblem } from './asset.errors';
import type { ListAssetsQuery, ListSnapshotsQuery } from '@flowforge/http';
import { AssetStore, type AssetRecord, type SnapshotRecord } from './asset.store';
import {
  assetView,
  schemaVersionView,
  snapshotDetailView,
  snapshotView,
  type AssetView,
  type SchemaVersionView,
  type SnapshotDetailView,
  type SnapshotView,
} from './asset.views';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

export interface PreviewView extends PreviewResult {
  assetId: string;
  snapshotId: string;
  sequence: number;
  limit: number;
}

export interface DownloadStream {
  stream: Readable;
  contentType: string;
  filename: string;
}

/**
 * Reads of the catalog: assets, snapshots, schema history, and the data of a committed snapshot.
 * Only committed snapshots are reachable, so staged or half-written files are never served.
 */
@Injectable()
export class AssetReadService {
  constructor(
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly assets: AssetStore,
    @Inject(LAKE_STORE) private readonly store: ObjectStore,
    @Inject(CATALOG_DUCKDB) private readonly db: DuckDb,
  ) {}

  async list(query: ListAssetsQuery): Promise<AssetView[]> {
    const q = this.pool;
    const assets = await this.assets.list(q, query);
    const current = await this.assets.snapshotsByIds(
      q,
      assets.flatMap((a) => (a.currentSnapshotId ? [a.currentSnapshotId] : [])),
    );
    return assets.map((a) => assetView(a, a.currentSnapshotId ? (current.get(a.currentSnapshotId) ?? null) : null));
  }

  async get(id: string): Promise<AssetView> {
    const asset = await this.asset(id);
    const q = this.pool;
    return assetView(asset, asset.currentSnapshotId ? await this.assets.snapshot(q, id, asset.currentSnapshotId) : null);
  }

  async snapshots(id: string, page: ListSnapshotsQuery): Promise<SnapshotView[]> {
    await this.asset(id);
    return (await this.assets.snapshots(this.pool, id, page)).map(snapshotView);
  }

  async snapshot(id: string, snapshotId: string): Promise<SnapshotDetailView> {
    const snapshot = await this.resolve(await this.asset(id), snapshotId);
    return snapshotDetailView(snapshot, await this.assets.files(this.pool, snapshot.id));
  }

  async schemaHistory(id: string): Promise<SchemaVersionView[]> {
    await this.asset(id);
    return (await this.assets.schemaHistory(this.pool, id)).map(schemaVersionView);
  }

  async preview(id: string, snapshotId: string | undefined, limit: number): Promise<PreviewView> {
    const asset = await this.asset(id);
    const snapshot = await this.resolve(asset, snapshotId);
    const files = await this.assets.files(this.pool, snapshot.id);
    const result = await this.reading(asset, snapshot, () => previewParquet(this.db, this.store, files, limit));
    return { assetId: id, snapshotId: snapshot.id, sequence: snapshot.sequence, limit, ...result };
  }

  async download(id: string, snapshotId: string | undefined, format: ExportFormat): Promise<DownloadStream> {
    const asset = await this.asset(id);
    const snapshot = await this.resolve(asset, snapshotId);
    const files = await this.assets.files(this.pool, snapshot.id);
    const stream = await this.reading(asset, snapshot, () =>
      openExportStream(
        this.db,
        this.store,
        files.map((f) => f.path),
        format,
      ),
    );
    return {
      stream,
      contentType: EXPORT_CONTENT_TYPES[format],
      filename: `${asset.layer}.${asset.namespace}.${asset.table}.${snapshot.sequence}.${format}`,
    };
  }

  private async asset(id: string): Promise<AssetRecord> {
    const asset = await this.assets.find(this.pool, id);
    if (!asset) throw assetNotFound(id);
    return asset;
  }

  /** The named snapshot of the asset, or its current one. */
  private async resolve(asset: AssetRecord, snapshotId: string | undefined): Promise<SnapshotRecord> {
    const wanted = snapshotId ?? asset.currentSnapshotId;
    if (!wanted) throw assetEmpty(asset.id);
    const snapshot = await this.assets.snapshot(this.pool, asset.id, wanted);
    if (!snapshot) throw snapshotNotFound(asset.id, wanted);
    return snapshot;
  }

  /** A file deleted under a reader (retention of an old snapshot) is a clear 409, not a 500. */
  private async reading<T>(asset: AssetRecord, snapshot: SnapshotRecord, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof ObjectNotFoundError ||
        (err as { cause?: unknown }).cause instanceof ObjectNotFoundError ||
        /No files found|does not exist/i.test((err as Error).message)
      ) {
        throw new SnapshotGoneProblem(asset.id, snapshot.id);
      }
      throw err;
    }
  }
}
