import { defineService } from '@flowforge/service-kit';
import { ingestionConfigVariables } from './ingestion.config';
import { IngestionModule } from './ingestion.module';

export const ingestionService = defineService({ service: 'ingestion', module: IngestionModule, config: ingestionConfigVariables });
