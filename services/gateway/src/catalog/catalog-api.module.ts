import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';
import { CatalogClient } from './catalog.client';
import { ConnectionsController } from './connections.controller';

/** /api/v1/connections and /api/v1/assets, forwarded to the catalog's internal API. */
@Module({
  controllers: [ConnectionsController, AssetsController],
  providers: [CatalogClient],
})
export class CatalogApiModule {}
