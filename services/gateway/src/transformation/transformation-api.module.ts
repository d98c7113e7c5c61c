import { Module } from '@nestjs/common';
import { AssetAsOfController } from './asset-as-of.controller';
import { ExportsController } from './exports.controller';
import { SqlController } from './sql.controller';
import { TransformController } from './transform.controller';
import { TransformationClient } from './transformation.client';

/** /api/v1/transform, /api/v1/sql, /api/v1/exports (and the as-of query of /api/v1/assets), forwarded to the transformation service. */
@Module({
  controllers: [TransformController, SqlController, ExportsController, AssetAsOfController],
  providers: [TransformationClient],
  exports: [TransformationClient],
})
export class TransformationApiModule {}
