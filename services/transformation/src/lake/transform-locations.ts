import { Inject, Injectable } from '@nestjs/common';
import path from 'node:path';
import type { Pool } from 'pg';
import { ConnectionLocations, type ResolvedLocation, type StepCall } from '@flowforge/executor';
import { COMMON_CONFIG, localLakeDir, serviceConfigToken, servicePoolToken, type CommonConfig } from '@flowforge/service-kit';
import type { TransformationConfig } from '../transformation.config';
import { TransformCatalogClient } from './transform-catalog.client';

/** The file connections exports write into (libs/executor ConnectionLocations, with this service's variables). */
@Injectable()
export class TransformLocations {
  private readonly locations: ConnectionLocations;

  constructor(
    catalog: TransformCatalogClient,
    @Inject(serviceConfigToken('transformation')) config: TransformationConfig,
    @Inject(COMMON_CONFIG) common: CommonConfig,
    @Inject(servicePoolToken('transformation')) pool: Pool,
  ) {
    const home = path.resolve(common.FLOWFORGE_HOME);
    this.locations = new ConnectionLocations(catalog, { home, lakeDir: localLakeDir(config, home), roots: config.FLOWFORGE_LOCAL_CONNECTION_ROOTS, pool });
  }

  open(name: string, call: StepCall): Promise<ResolvedLocation> {
    return this.locations.open(name, call);
  }
}
