import { defineService } from '@flowforge/service-kit';
import { TransformationModule } from './transformation.module';

export const transformationService = defineService({ service: 'transformation', module: TransformationModule });
