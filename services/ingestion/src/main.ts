import { bootstrapService } from '@flowforge/service-kit';
import { ingestionService } from './ingestion.definition';

bootstrapService(ingestionService);
