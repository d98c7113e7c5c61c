import { defineService } from '@flowforge/service-kit';
import { gatewayConfigVariables } from './gateway.config';
import { GATEWAY_API_MODULES, GatewayModule } from './gateway.module';
import { GatewayApiDocument } from './openapi/gateway-api.document';

export const gatewayService = defineService({
  service: 'gateway',
  module: GatewayModule,
  config: gatewayConfigVariables,
  // /api/openapi.json is generated from the running application's route metadata.
  configureApp: (app) => app.get(GatewayApiDocument).attach(app, GATEWAY_API_MODULES),
});
