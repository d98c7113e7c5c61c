import { bootstrapService } from '@flowforge/service-kit';
import { triggersService } from './triggers.definition';

bootstrapService(triggersService);
