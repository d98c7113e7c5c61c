import { defineService } from '@flowforge/service-kit';
import { AlertingModule } from './alerting.module';

export const alertingService = defineService({ service: 'alerting', module: AlertingModule });
