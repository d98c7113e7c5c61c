import { bootstrapService } from '@flowforge/service-kit';
import { reconciliationService } from './reconciliation.definition';

bootstrapService(reconciliationService);
