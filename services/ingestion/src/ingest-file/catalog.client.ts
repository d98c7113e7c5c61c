import { Inject, Injectable } from '@nestjs/common';
import { LakeCatalogClient } from '@flowforge/executor';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime } from '@flowforge/service-kit';
import type { IngestionConfig } from '../ingestion.config';

export type { AssetInfo, CommitBody, ExecutorConnection, SnapshotInfo, SourceInput, StepCall } from '@flowforge/executor';

/** The ingestion executor's client of the catalog's internal API (libs/executor LakeCatalogClient). */
@Injectable()
export class CatalogClient extends LakeCatalogClient {
  constructor(@Inject(HOST_RUNTIME) runtime: HostRuntime, @Inject(serviceConfigToken('ingestion')) config: IngestionConfig) {
    super(runtime, { executor: 'ingestion', baseUrl: config.FLOWFORGE_CATALOG_URL });
  }
}
