import { Module } from '@nestjs/common';
import { ExecutorModule, lakeStoreProvider } from '@flowforge/executor';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
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
  providers: [lakeStoreProvider(INGESTION_LAKE_STORE, 'ingestion'), CatalogClient, IngestedFileStore, LocationResolver, IngestFileRunner],
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
