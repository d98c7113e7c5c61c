import { Module } from '@nestjs/common';
import { GatewayApiDocument } from './gateway-api.document';
import { OpenApiController } from './openapi.controller';

/** GET /api/openapi.json. */
@Module({
  controllers: [OpenApiController],
  providers: [GatewayApiDocument],
  exports: [GatewayApiDocument],
})
export class OpenApiModule {}
