import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { qualityMigrations } from './migrations';

/** The quality service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'quality', entities: [], migrations: qualityMigrations })],
})
export class QualityModule {}
