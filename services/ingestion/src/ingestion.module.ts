import { Module } from '@nestjs/common';
import { ExecutorModule } from '@flowforge/executor';
import {
  COMMON_CONFIG,
  describeLake,
  lakeObjectStoreConfig,
  LOGGER,
  ServiceDatabaseModule,
  serviceConfigToken,
  type CommonConfig,
  type FlowForgeLogger,
} from '@flowforge/service-kit';
import { createObjectStore } from '@flowforge/storage';
import { CatalogClient } from './ingest-file/catalog.client';
import { IngestedFileStore } from './ingest-file/ingested-file.store';
import { ingestFileJob } from './ingest-file/ingest-file.job';
import { INGESTION_LAKE_STORE, IngestFileRunner } from './ingest-file/ingest-file.runner';
import { LocationResolver } from './ingest-file/location.resolver';
import type { IngestionConfig } from './ingestion.config';
import { ingestionMigrations } from './migrations';
import { UploadsModule } from './uploads/uploads.module';

const ingestionDatabase = ServiceDatabaseModule.forService({ service: 'ingestion', entities: [], migrations: ingestionMigrations });

/** What the ingest job types need: the service's database, the lake, the catalog client and the locations. */
@Module({
  imports: [ingestionDatabase],
  providers: [
    {
      provide: INGESTION_LAKE_STORE,
      inject: [serviceConfigToken('ingestion'), COMMON_CONFIG, LOGGER],
      useFactory: (config: IngestionConfig, common: CommonConfig, logger: FlowForgeLogger) => {
        logger.info({ module: 'ingestion', lake: describeLake(config, common.FLOWFORGE_HOME) }, 'ingestion writes the lake');
        return createObjectStore(lakeObjectStoreConfig(config, common.FLOWFORGE_HOME));
      },
    },
    CatalogClient,
    IngestedFileStore,
    LocationResolver,
    IngestFileRunner,
  ],
  exports: [ingestionDatabase, IngestFileRunner],
})
export class IngestionCoreModule {}

/** The ingestion service as a Nest module: hosted alone (main.ts) or with every other service (embedded); the `ingestion` executor. */
@Module({
  imports: [
    IngestionCoreModule,
    UploadsModule,
    ExecutorModule.register<IngestionConfig>({
      executor: 'ingestion',
      imports: [IngestionCoreModule],
      inject: [IngestFileRunner],
      jobTypes: (runner: IngestFileRunner) => [ingestFileJob(runner)],
    }),
  ],
})
export class IngestionModule {}
