import { Module } from '@nestjs/common';
import { ServiceDatabaseModule } from '@flowforge/service-kit';
import { catalogMigrations } from './migrations';

/** The catalog service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [ServiceDatabaseModule.forService({ service: 'catalog', entities: [], migrations: catalogMigrations })],
})
export class CatalogModule {}
