import { defineService } from '@flowforge/service-kit';
import { IngestionModule } from './ingestion.module';

export const ingestionService = defineService({ service: 'ingestion', module: IngestionModule });
