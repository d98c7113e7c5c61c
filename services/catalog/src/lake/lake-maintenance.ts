import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { dataSourceToken, LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { DataSource } from 'typeorm';
import type { CatalogConfig } from '../catalog.config';
import { AssetRetentionService } from '../assets/asset-retention.service';
import { assetStore } from '../assets/asset.store';
import { queryableOf } from '../catalog.transaction';
import { LakeGcService, type GcReport } from './lake-gc.service';

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
    @Inject(dataSourceToken('catalog')) private readonly dataSource: DataSource,
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
    for (const assetId of await assetStore.withRetention(queryableOf(this.dataSource))) await this.retention.apply(assetId);
    return this.gc.collect(this.graceMs);
  }
}
