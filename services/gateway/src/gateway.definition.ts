import { defineService } from '@flowforge/service-kit';
import { gatewayConfigVariables } from './gateway.config';
import { GATEWAY_API_MODULES, GatewayModule } from './gateway.module';
import { GatewayApiDocument } from './openapi/gateway-api.document';
import { hookRawBody } from './triggers/hooks.controller';

export const gatewayService = defineService({
  service: 'gateway',
  module: GatewayModule,
  config: gatewayConfigVariables,
  // /api/openapi.json is generated from the running application's route metadata.
  // Webhook deliveries are read raw, bounded, before the JSON body parser (their signature covers the exact bytes).
  configureApp: (app) => {
    app.use(hookRawBody);
    app.get(GatewayApiDocument).attach(app, GATEWAY_API_MODULES);
  },
});
