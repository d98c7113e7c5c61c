import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { CatalogConfig } from '../catalog.config';
import { AssetRetentionService } from '../assets/asset-retention.service';
import { AssetStore } from '../assets/asset.store';
import { LakeGcService, type GcReport } from './lake-gc.service';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

/**
 * The periodic sweep (FLOWFORGE_LAKE_GC_INTERVAL_MINUTES; 0 turns it off): retention of every asset that
 * has a policy, then the GC of uncommitted attempt folders. Replicas may sweep at the same time: every
 * decision is taken under the table's lock, so they only repeat each other's work.
 */
@Injectable()
export class LakeMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(serviceConfigToken('catalog')) private readonly config: CatalogConfig,
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly assets: AssetStore,
    private readonly retention: AssetRetentionService,
    private readonly gc: LakeGcService,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  get graceMs(): number {
    return this.config.FLOWFORGE_LAKE_GC_GRACE_MINUTES * 60_000;
  }

  onApplicationBootstrap(): void {
    const minutes = this.config.FLOWFORGE_LAKE_GC_INTERVAL_MINUTES;
    if (minutes === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the previous sweep is still going
      this.running = this.sweep()
        .catch((err: unknown) => this.logger.warn({ module: 'catalog', err }, 'FF_LAKE_SWEEP: lake maintenance failed; it runs again at the next interval'))
        .finally(() => (this.running = undefined));
    }, minutes * 60_000);
    this.timer.unref();
  }

  /** Before the DataSource and the lake close (their hooks are onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async sweep(): Promise<GcReport> {
    for (const assetId of await this.assets.withRetention(this.pool)) await this.retention.apply(assetId);
    return this.gc.collect(this.graceMs);
  }
}
