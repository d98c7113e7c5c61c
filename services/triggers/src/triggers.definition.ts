import { defineService } from '@flowforge/service-kit';
import { TriggersModule } from './triggers.module';

export const triggersService = defineService({ service: 'triggers', module: TriggersModule });
