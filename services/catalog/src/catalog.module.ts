import { Module } from '@nestjs/common';
import { AssetsModule } from './assets/assets.module';
import { CatalogDataModule } from './catalog.database';
import { ConnectionsModule } from './connections/connections.module';
import { LakeMaintenanceModule } from './lake/lake-maintenance.module';

/** The catalog service as a Nest module: hosted alone (main.ts) or with every other service (embedded). */
@Module({
  imports: [CatalogDataModule, ConnectionsModule, AssetsModule, LakeMaintenanceModule],
})
export class CatalogModule {}
