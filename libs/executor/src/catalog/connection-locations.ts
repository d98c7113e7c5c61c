import type { Pool } from 'pg';
import { localPathPolicy, LocationError, openLocation, type FileLocation, type LocalPathPolicy } from '@flowforge/connectors';
import { JobError } from '../job.error';
import type { LakeCatalogClient, StepCall } from './lake-catalog.client';

export interface ResolvedLocation {
  /** The connection name the files are named by (AssetCommitted inputs, ingested_files, export history). */
  connection: string;
  type: string;
  location: FileLocation;
}

export interface ConnectionLocationsOptions {
  /** FLOWFORGE_HOME, resolved. */
  home: string;
  /** The local lake's folder (null when the lake is on S3): never reachable through a `local` connection. */
  lakeDir: string | null;
  /** FLOWFORGE_LOCAL_CONNECTION_ROOTS. */
  roots: string;
  /** The service's pool: the platform's PostgreSQL data folder is guarded too, when the server says where it is. */
  pool: Pool;
}

/**
 * Turns a connection name into an open FileLocation, for an executor: the connection is read from the
 * catalog's executor-only route (secrets included, the read audited there) and opened through libs/connectors
 * `openLocation`, which knows every file type. `local` paths are judged by the same rule the catalog applies
 * (localPathPolicy from the same variables), again at every use: this process reads and writes the files.
 */
export class ConnectionLocations {
  private policy?: Promise<LocalPathPolicy>;

  constructor(
    private readonly catalog: LakeCatalogClient,
    private readonly opts: ConnectionLocationsOptions,
  ) {}

  async open(name: string, call: StepCall): Promise<ResolvedLocation> {
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

  /** The local-path rule, built once (the data folder query is the only I/O). */
  localPolicy(): Promise<LocalPathPolicy> {
    return (this.policy ??= (async () => {
      const extraGuarded: { dir: string; what: string }[] = [];
      try {
        const { rows } = await this.opts.pool.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
        if (rows[0]?.dir) extraGuarded.push({ dir: rows[0].dir, what: "the platform's PostgreSQL data" });
      } catch {
        // Not a superuser nor pg_read_all_settings: the server's folder stays unknown here.
      }
      return localPathPolicy({ home: this.opts.home, lakeDir: this.opts.lakeDir, roots: this.opts.roots, extraGuarded });
    })());
  }
}
