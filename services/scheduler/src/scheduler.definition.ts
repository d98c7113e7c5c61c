import { defineService } from '@flowforge/service-kit';
import { SchedulerModule } from './scheduler.module';

export const schedulerService = defineService({ service: 'scheduler', module: SchedulerModule });
