import { Inject, Injectable } from '@nestjs/common';
import path from 'node:path';
import { LocalLocation, localPathPolicy } from '@flowforge/connectors';
import { ConnectionLocations, type ResolvedLocation } from '@flowforge/executor';
import { COMMON_CONFIG, localLakeDir, serviceConfigToken, servicePoolToken, type CommonConfig } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { IngestionConfig } from '../ingestion.config';
import { uploadDirOf } from '../uploads/uploads.module';
import { CatalogClient, type StepCall } from './catalog.client';

export type { ResolvedLocation } from '@flowforge/executor';

/**
 * Turns a connection name into an open FileLocation: the one place the ingestion executor resolves where
 * files come from — the catalog's connections (libs/executor ConnectionLocations) and this service's own
 * upload folder.
 */
@Injectable()
export class LocationResolver {
  private readonly locations: ConnectionLocations;

  constructor(
    catalog: CatalogClient,
    @Inject(serviceConfigToken('ingestion')) private readonly config: IngestionConfig,
    @Inject(COMMON_CONFIG) private readonly common: CommonConfig,
    @Inject(servicePoolToken('ingestion')) pool: Pool,
  ) {
    const home = path.resolve(common.FLOWFORGE_HOME);
    this.locations = new ConnectionLocations(catalog, { home, lakeDir: localLakeDir(config, home), roots: config.FLOWFORGE_LOCAL_CONNECTION_ROOTS, pool });
  }

  async resolveLocation(name: string, call: StepCall): Promise<ResolvedLocation> {
    // The folder of POST /api/v1/uploads: a location of this service's own, not a catalog connection (the
    // catalog refuses the name). Each upload is a folder named by a random id (its path: `<id>/<name>`).
    if (name === 'uploads') {
      const dir = uploadDirOf(this.config, this.common);
      const home = path.resolve(this.common.FLOWFORGE_HOME);
      const policy = localPathPolicy({ home, lakeDir: localLakeDir(this.config, home), roots: dir });
      return { connection: 'uploads', type: 'local', location: new LocalLocation(dir, policy) };
    }
    return this.locations.open(name, call);
  }
}
