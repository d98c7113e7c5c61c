import { Module, type Type } from '@nestjs/common';
import { AuthApiModule } from './auth/auth-api.module';
import { CatalogApiModule } from './catalog/catalog-api.module';
import { IngestionApiModule } from './ingestion/ingestion-api.module';
import { gatewayDatabase } from './gateway.database';
import { LimitsModule } from './limits/limits.module';
import { OpenApiModule } from './openapi/openapi.module';
import { OrchestrationModule } from './orchestration/orchestration.module';
import { SchedulingApiModule } from './scheduling/scheduling-api.module';
import { SystemModule } from './system/system.module';
import { TransformationApiModule } from './transformation/transformation-api.module';
import { TriggersApiModule } from './triggers/triggers-api.module';

/**
 * The modules holding the public API's controllers: exactly what the OpenAPI document describes (the
 * embedded host mounts every service's internal controllers in the same application). A feature module
 * imported below but missing here fails services/gateway/src/openapi/openapi.int-spec.ts.
 */
export const GATEWAY_API_MODULES: Type<unknown>[] = [
  AuthApiModule,
  SystemModule,
  CatalogApiModule,
  OrchestrationModule,
  IngestionApiModule,
  TriggersApiModule,
  SchedulingApiModule,
  TransformationApiModule,
  OpenApiModule,
];

/** The gateway as a Nest module: hosted alone (main.ts) or in the embedded host. */
@Module({
  // LimitsModule last: its guard must run after AuthApiModule's AuthGuard.
  imports: [gatewayDatabase, ...GATEWAY_API_MODULES, LimitsModule],
})
export class GatewayModule {}
