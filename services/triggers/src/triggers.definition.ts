import { defineService } from '@flowforge/service-kit';
import { chainingConfigVariables } from './chaining';
import { TriggersModule } from './triggers.module';

export const triggersService = defineService({ service: 'triggers', module: TriggersModule, config: { ...chainingConfigVariables } });
