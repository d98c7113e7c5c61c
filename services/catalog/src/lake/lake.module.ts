import { Module, type OnApplicationShutdown } from '@nestjs/common';
import path from 'node:path';
import { openDuckDb, type DuckDb } from '@flowforge/engine';
import { COMMON_CONFIG, ConfigError, LOGGER, serviceConfigToken, type CommonConfig, type FlowForgeLogger } from '@flowforge/service-kit';
import { createObjectStore, type ObjectStore } from '@flowforge/storage';
import type { CatalogConfig } from '../catalog.config';

/** The lake's object store (docs/architecture.md, The lake): a local directory when embedded, S3 when distributed. */
export const LAKE_STORE = Symbol.for('flowforge.catalog.lake-store');
/** The catalog's DuckDB (previews, exports), memory- and thread-bounded by configuration. */
export const CATALOG_DUCKDB = Symbol.for('flowforge.catalog.duckdb');

export function lakeStoreFrom(config: CatalogConfig, home: string): ObjectStore {
  if (config.FLOWFORGE_LAKE_STORE === 'local') {
    return createObjectStore({ kind: 'local', root: config.FLOWFORGE_LAKE_DIR || path.join(path.resolve(home), 'lake') });
  }
  if (!config.FLOWFORGE_LAKE_S3_BUCKET) {
    throw new ConfigError(['FF_CONFIG: FLOWFORGE_LAKE_S3_BUCKET must be an S3 bucket name (it is not set, and FLOWFORGE_LAKE_STORE=s3 needs it)']);
  }
  const keyId = config.FLOWFORGE_LAKE_S3_ACCESS_KEY_ID;
  const secret = config.FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY;
  if (Boolean(keyId) !== Boolean(secret)) {
    throw new ConfigError([
      `FF_CONFIG: ${keyId ? 'FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY' : 'FLOWFORGE_LAKE_S3_ACCESS_KEY_ID'} must be set together with ${keyId ? 'FLOWFORGE_LAKE_S3_ACCESS_KEY_ID' : 'FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY'} (or leave both unset for the SDK's default credentials)`,
    ]);
  }
  return createObjectStore({
    kind: 's3',
    bucket: config.FLOWFORGE_LAKE_S3_BUCKET,
    region: config.FLOWFORGE_LAKE_S3_REGION,
    endpoint: config.FLOWFORGE_LAKE_S3_ENDPOINT,
    forcePathStyle: config.FLOWFORGE_LAKE_S3_FORCE_PATH_STYLE === 'true',
    prefix: config.FLOWFORGE_LAKE_S3_PREFIX || undefined,
    credentials: keyId && secret ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
  });
}

@Module({
  providers: [
    {
      provide: LAKE_STORE,
      inject: [serviceConfigToken('catalog'), COMMON_CONFIG, LOGGER],
      useFactory: (config: CatalogConfig, common: CommonConfig, logger: FlowForgeLogger) => {
        const store = lakeStoreFrom(config, common.FLOWFORGE_HOME);
        const where =
          config.FLOWFORGE_LAKE_STORE === 'local'
            ? (store as { root?: string }).root
            : `s3://${config.FLOWFORGE_LAKE_S3_BUCKET}/${config.FLOWFORGE_LAKE_S3_PREFIX}`;
        logger.info({ module: 'catalog', lake: where }, `lake: ${where}`);
        return store;
      },
    },
    {
      provide: CATALOG_DUCKDB,
      inject: [serviceConfigToken('catalog')],
      useFactory: (config: CatalogConfig) => openDuckDb({ memoryLimit: config.FLOWFORGE_DUCKDB_MEMORY_LIMIT, threads: config.FLOWFORGE_DUCKDB_THREADS }),
    },
    {
      provide: 'flowforge.catalog.duckdb.lifecycle',
      inject: [CATALOG_DUCKDB],
      useFactory: (db: DuckDb): OnApplicationShutdown => ({ onApplicationShutdown: () => db.close() }),
    },
  ],
  exports: [LAKE_STORE, CATALOG_DUCKDB],
})
export class LakeModule {}
