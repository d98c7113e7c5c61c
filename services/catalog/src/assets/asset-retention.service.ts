import { Inject, Injectable } from '@nestjs/common';
import { tableRoot } from '@flowforge/engine';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import type { ObjectStore } from '@flowforge/storage';
import { LAKE_STORE } from '../lake/lake.module';
import { assetNotFound } from './asset.errors';
import type { RetentionRequest } from '@flowforge/http';
import { AssetStore, type AssetRecord } from './asset.store';
import { withTransaction } from '@flowforge/db';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

export interface RetentionReport {
  assetId: string;
  policy: { keepLast: number | null; maxAgeSeconds: number | null };
  expiredSnapshotIds: string[];
  keptSnapshots: number;
  /** Data files no remaining snapshot lists, removed from the lake. */
  deletedFiles: string[];
}

/**
 * Snapshot retention: a snapshot stays while it is the current one, among the last `keepLast`, or
 * younger than `maxAgeSeconds` (either rule keeps it); the rest are forgotten in one transaction, then
 * the files only they listed are deleted. A file another snapshot still lists is never deleted.
 */
@Injectable()
export class AssetRetentionService {
  constructor(
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly assets: AssetStore,
    @Inject(LAKE_STORE) private readonly store: ObjectStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  /** Sets the policy (an absent field keeps its rule, null clears it). */
  async setPolicy(assetId: string, req: RetentionRequest): Promise<AssetRecord> {
    const q = this.pool;
    const asset = await this.assets.find(q, assetId);
    if (!asset) throw assetNotFound(assetId);
    const keepLast = req.keepLast === undefined ? asset.retentionKeepLast : req.keepLast;
    const maxAge = req.maxAgeSeconds === undefined ? asset.retentionMaxAgeSeconds : req.maxAgeSeconds;
    await this.assets.setRetention(q, assetId, keepLast, maxAge);
    return { ...asset, retentionKeepLast: keepLast, retentionMaxAgeSeconds: maxAge };
  }

  async apply(assetId: string, now = new Date()): Promise<RetentionReport> {
    const found = await this.assets.find(this.pool, assetId);
    if (!found) throw assetNotFound(assetId);
    const root = tableRoot(found);
    const report = await withTransaction(this.pool, async (tx) => {
      await this.assets.lockTable(tx, root); // same order as a commit: table lock, then the asset row
      const asset = (await this.assets.find(tx, assetId, { forUpdate: true }))!;
      const policy = { keepLast: asset.retentionKeepLast, maxAgeSeconds: asset.retentionMaxAgeSeconds };
      const candidates = await this.assets.retentionCandidates(tx, assetId);
      const hasPolicy = policy.keepLast !== null || policy.maxAgeSeconds !== null;
      const expired = !hasPolicy
        ? []
        : candidates.filter((s, newestFirst) => {
            if (s.id === asset.currentSnapshotId) return false;
            const byCount = policy.keepLast !== null && newestFirst < policy.keepLast;
            const byAge = policy.maxAgeSeconds !== null && now.getTime() - s.committedAt.getTime() < policy.maxAgeSeconds * 1000;
            return !byCount && !byAge;
          });
      const ids = expired.map((s) => s.id);
      const deletedFiles = ids.length > 0 ? await this.assets.filesOnlyIn(tx, assetId, ids) : [];
      if (ids.length > 0) await this.assets.deleteSnapshots(tx, ids);
      return { assetId, policy, expiredSnapshotIds: ids, keptSnapshots: candidates.length - ids.length, deletedFiles };
    });
    if (report.deletedFiles.length > 0) {
      // After COMMIT: no snapshot lists these files any more. A failure here leaves orphans the lake GC removes.
      await this.store
        .deleteMany(report.deletedFiles)
        .catch((err: unknown) =>
          this.logger.warn(
            { module: 'catalog', assetId, files: report.deletedFiles.length, err },
            'FF_RETENTION_DELETE: expired files stay until the lake GC removes them',
          ),
        );
    }
    if (report.expiredSnapshotIds.length > 0) {
      this.logger.info(
        { module: 'catalog', assetId, expired: report.expiredSnapshotIds.length, deletedFiles: report.deletedFiles.length },
        `retention expired ${report.expiredSnapshotIds.length} snapshot(s) of ${root}`,
      );
    }
    return report;
  }
}
