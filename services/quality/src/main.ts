import { bootstrapService } from '@flowforge/service-kit';
import { qualityService } from './quality.definition';

bootstrapService(qualityService);
