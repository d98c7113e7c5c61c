import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CatalogDataModule } from '../catalog.database';
import { LakeGcService } from './lake-gc.service';
import { LakeInternalController } from './lake-internal.controller';
import { LakeMaintenance } from './lake-maintenance';
import { LakeModule } from './lake.module';

/** GC and the periodic sweep; separate from LakeModule (the store and DuckDB), which assets need too. */
@Module({
  imports: [CatalogDataModule, LakeModule, AssetsModule],
  controllers: [LakeInternalController],
  providers: [LakeGcService, LakeMaintenance],
})
export class LakeMaintenanceModule {}
