import { bootstrapService } from '@flowforge/service-kit';
import { catalogService } from './catalog.definition';

bootstrapService(catalogService);
