import { bootstrapService } from '@flowforge/service-kit';
import { lineageService } from './lineage.definition';

bootstrapService(lineageService);
