import { Module } from '@nestjs/common';
import { catalogDatabase } from '../catalog.database';
import { LakeModule } from '../lake/lake.module';
import { AssetCommitService } from './asset-commit.service';
import { AssetReadService } from './asset-read.service';
import { AssetRetentionService } from './asset-retention.service';
import { AssetsInternalController } from './assets-internal.controller';

@Module({
  imports: [catalogDatabase, LakeModule],
  controllers: [AssetsInternalController],
  providers: [AssetCommitService, AssetReadService, AssetRetentionService],
  exports: [AssetRetentionService],
})
export class AssetsModule {}
