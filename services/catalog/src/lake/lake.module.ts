import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { openDuckDb, type DuckDb } from '@flowforge/engine';
import {
  COMMON_CONFIG,
  describeLake,
  lakeObjectStoreConfig,
  LOGGER,
  serviceConfigToken,
  type CommonConfig,
  type FlowForgeLogger,
} from '@flowforge/service-kit';
import { createObjectStore, type ObjectStore } from '@flowforge/storage';
import type { CatalogConfig } from '../catalog.config';

/** The lake's object store (docs/architecture.md, The lake): a local directory when embedded, S3 when distributed. */
export const LAKE_STORE = Symbol.for('flowforge.catalog.lake-store');
/** The catalog's DuckDB (previews, exports), memory- and thread-bounded by configuration. */
export const CATALOG_DUCKDB = Symbol.for('flowforge.catalog.duckdb');

export function lakeStoreFrom(config: CatalogConfig, home: string): ObjectStore {
  return createObjectStore(lakeObjectStoreConfig(config, home));
}

@Module({
  providers: [
    {
      provide: LAKE_STORE,
      inject: [serviceConfigToken('catalog'), COMMON_CONFIG, LOGGER],
      useFactory: (config: CatalogConfig, common: CommonConfig, logger: FlowForgeLogger) => {
        const store = lakeStoreFrom(config, common.FLOWFORGE_HOME);
        const where = describeLake(config, common.FLOWFORGE_HOME);
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
