import { defineService } from '@flowforge/service-kit';
import { LineageModule } from './lineage.module';

export const lineageService = defineService({ service: 'lineage', module: LineageModule });
