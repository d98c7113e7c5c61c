import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { lineageMigrations } from './migrations';

/** The lineage service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'lineage', entities: [], migrations: lineageMigrations })],
})
export class LineageModule {}
