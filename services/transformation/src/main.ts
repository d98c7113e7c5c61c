import { bootstrapService } from '@flowforge/service-kit';
import { transformationService } from './transformation.definition';

bootstrapService(transformationService);
