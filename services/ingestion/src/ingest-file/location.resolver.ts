import { Inject, Injectable } from '@nestjs/common';
import path from 'node:path';
import { LocalLocation, localPathPolicy, LocationError, openLocation, type FileLocation, type LocalPathPolicy } from '@flowforge/connectors';
import { JobError } from '@flowforge/executor';
import { COMMON_CONFIG, localLakeDir, serviceConfigToken, servicePoolToken, type CommonConfig } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { IngestionConfig } from '../ingestion.config';
import { uploadDirOf } from '../uploads/uploads.module';
import { CatalogClient, type StepCall } from './catalog.client';

export interface ResolvedLocation {
  /** The connection name the files are named by (AssetCommitted inputs, ingested_files). */
  connection: string;
  type: string;
  location: FileLocation;
}

/**
 * Turns a connection name into an open FileLocation: the one place the ingestion executor resolves where
 * files come from. Connections are read from the catalog's executor-only route (secrets included, the
 * read audited there) and opened through libs/connectors `openLocation`, which knows every file type.
 */
@Injectable()
export class LocationResolver {
  private policy?: Promise<LocalPathPolicy>;

  constructor(
    private readonly catalog: CatalogClient,
    @Inject(serviceConfigToken('ingestion')) private readonly config: IngestionConfig,
    @Inject(COMMON_CONFIG) private readonly common: CommonConfig,
    @Inject(servicePoolToken('ingestion')) private readonly pool: Pool,
  ) {}

  async resolveLocation(name: string, call: StepCall): Promise<ResolvedLocation> {
    // The folder of POST /api/v1/uploads: a location of this service's own, not a catalog connection (the
    // catalog refuses the name). Each upload is a folder named by a random id (its path: `<id>/<name>`).
    if (name === 'uploads') {
      const dir = uploadDirOf(this.config, this.common);
      const home = path.resolve(this.common.FLOWFORGE_HOME);
      const policy = localPathPolicy({ home, lakeDir: localLakeDir(this.config, home), roots: dir });
      return { connection: 'uploads', type: 'local', location: new LocalLocation(dir, policy) };
    }
    const connection = await this.catalog.connection(name, call);
    try {
      const location = openLocation(connection.type, connection.config, { localPolicy: await this.localPolicy() });
      return { connection: connection.name, type: connection.type, location };
    } catch (err) {
      if (err instanceof LocationError) {
        throw new JobError(err.code, `connection "${name}": ${err.message.replace(/^FF_[A-Z_]+: /, '')}`, { retryable: err.retryable, cause: err });
      }
      throw err;
    }
  }

  /**
   * The same rule the catalog applies to local connections (libs/connectors localPathPolicy, from the same
   * variables), judged again here at every use: this process reads the files.
   */
  private localPolicy(): Promise<LocalPathPolicy> {
    return (this.policy ??= (async () => {
      const extraGuarded: { dir: string; what: string }[] = [];
      try {
        const { rows } = await this.pool.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
        if (rows[0]?.dir) extraGuarded.push({ dir: rows[0].dir, what: "the platform's PostgreSQL data" });
      } catch {
        // Not a superuser nor pg_read_all_settings: the server's folder stays unknown here.
      }
      const home = path.resolve(this.common.FLOWFORGE_HOME);
      return localPathPolicy({ home, lakeDir: localLakeDir(this.config, home), roots: this.config.FLOWFORGE_LOCAL_CONNECTION_ROOTS, extraGuarded });
    })());
  }
}
