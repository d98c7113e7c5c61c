import { Module } from '@nestjs/common';
import { AuthApiModule } from '../auth/auth-api.module';
import { AssetsController } from './assets.controller';
import { CatalogClient } from './catalog.client';
import { ConnectionsController } from './connections.controller';
import { SecretsController } from './secrets.controller';

/** /api/v1/connections, /api/v1/assets and /api/v1/system/secrets, forwarded to the catalog's internal API. */
@Module({
  imports: [AuthApiModule],
  controllers: [ConnectionsController, AssetsController, SecretsController],
  providers: [CatalogClient],
})
export class CatalogApiModule {}
