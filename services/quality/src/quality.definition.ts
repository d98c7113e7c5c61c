import { defineService } from '@flowforge/service-kit';
import { QualityModule } from './quality.module';

export const qualityService = defineService({ service: 'quality', module: QualityModule });
