import { defineService } from '@flowforge/service-kit';
import { schedulerConfigVariables } from './scheduler.config';
import { SchedulerModule } from './scheduler.module';

export const schedulerService = defineService({ service: 'scheduler', module: SchedulerModule, config: schedulerConfigVariables });
