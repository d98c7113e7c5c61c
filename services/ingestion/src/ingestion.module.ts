import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { ingestionMigrations } from './migrations';
import { UploadsModule } from './uploads/uploads.module';

/** The ingestion service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'ingestion', entities: [], migrations: ingestionMigrations }), UploadsModule],
})
export class IngestionModule {}
