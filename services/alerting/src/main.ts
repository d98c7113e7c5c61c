import { bootstrapService } from '@flowforge/service-kit';
import { alertingService } from './alerting.definition';

bootstrapService(alertingService);
