import { Inject, Injectable } from '@nestjs/common';
import { tableRoot } from '@flowforge/engine';
import { AuditTrail, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { assetNotFound } from './asset.errors';
import { AssetStore } from './asset.store';
import { assetView } from './asset.views';
import { withTransaction } from '@flowforge/db';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

/**
 * Soft delete of an asset: lists and reads no longer show it, a commit by its id is refused (404), and a
 * commit naming its layer/namespace/table starts a new asset. Its snapshots and lake files stay (the
 * lake GC still counts them as referenced). A writer that read the asset before the delete commits with
 * the old parent snapshot and gets FF_ASSET_COMMIT_CONFLICT from the new one, never a silent write.
 */
@Injectable()
export class AssetDeleteService {
  constructor(
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly assets: AssetStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly audit: AuditTrail,
  ) {}

  async delete(id: string): Promise<void> {
    const root = await withTransaction(this.pool, async (tx) => {
      const seen = await this.assets.find(tx, id);
      if (!seen) throw assetNotFound(id);
      // The table lock first, as commits and retention take it: a commit in flight finishes before.
      await this.assets.lockTable(tx, tableRoot(seen));
      const asset = await this.assets.find(tx, id, { forUpdate: true });
      if (!asset) throw assetNotFound(id);
      const current = asset.currentSnapshotId ? await this.assets.snapshot(tx, id, asset.currentSnapshotId) : null;
      await this.assets.softDelete(tx, id);
      await this.audit.change(tx, 'catalog', { action: 'asset:delete', resourceType: 'asset', resourceId: id, before: assetView(asset, current), after: null });
      return tableRoot(asset);
    });
    this.logger.info({ module: 'catalog', assetId: id }, `asset ${root} deleted (soft: snapshots and files kept)`);
  }
}
