import { defineService } from '@flowforge/service-kit';
import { gatewayConfigVariables } from './gateway.config';
import { GatewayModule } from './gateway.module';

export const gatewayService = defineService({ service: 'gateway', module: GatewayModule, config: gatewayConfigVariables });
