import { bootstrapService } from '@flowforge/service-kit';
import { schedulerService } from './scheduler.definition';

bootstrapService(schedulerService);
