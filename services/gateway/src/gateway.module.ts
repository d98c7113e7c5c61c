import { Module } from '@nestjs/common';
import { CatalogApiModule } from './catalog/catalog-api.module';
import { gatewayDatabase } from './gateway.database';
import { OrchestrationModule } from './orchestration/orchestration.module';
import { SystemModule } from './system/system.module';

/** The gateway as a Nest module: hosted alone (main.ts) or in the embedded host. */
@Module({
  imports: [gatewayDatabase, SystemModule, CatalogApiModule, OrchestrationModule],
})
export class GatewayModule {}
