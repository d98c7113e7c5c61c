import { defineService } from '@flowforge/service-kit';
import { ReconciliationModule } from './reconciliation.module';

export const reconciliationService = defineService({ service: 'reconciliation', module: ReconciliationModule });
