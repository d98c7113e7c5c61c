import { Inject, Injectable } from '@nestjs/common';
import { LakeCatalogClient } from '@flowforge/executor';
import { HOST_RUNTIME, serviceConfigToken, type HostRuntime } from '@flowforge/service-kit';
import type { TransformationConfig } from '../transformation.config';

/** The transformation executor's client of the catalog's internal API (libs/executor LakeCatalogClient). */
@Injectable()
export class TransformCatalogClient extends LakeCatalogClient {
  constructor(@Inject(HOST_RUNTIME) runtime: HostRuntime, @Inject(serviceConfigToken('transformation')) config: TransformationConfig) {
    super(runtime, { executor: 'transformation', baseUrl: config.FLOWFORGE_CATALOG_URL });
  }
}
