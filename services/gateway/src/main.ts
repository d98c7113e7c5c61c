import { bootstrapService } from '@flowforge/service-kit';
import { gatewayService } from './gateway.definition';

bootstrapService(gatewayService);
