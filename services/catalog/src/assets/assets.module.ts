import { Module } from '@nestjs/common';
import { CatalogDataModule } from '../catalog.database';
import { LakeModule } from '../lake/lake.module';
import { AssetCommitService } from './asset-commit.service';
import { AssetDeleteService } from './asset-delete.service';
import { AssetReadService } from './asset-read.service';
import { AssetRetentionService } from './asset-retention.service';
import { AssetsInternalController } from './assets-internal.controller';

@Module({
  imports: [CatalogDataModule, LakeModule],
  controllers: [AssetsInternalController],
  providers: [AssetCommitService, AssetDeleteService, AssetReadService, AssetRetentionService],
  exports: [AssetRetentionService],
})
export class AssetsModule {}
