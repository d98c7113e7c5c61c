import { defineService } from '@flowforge/service-kit';
import { transformationConfigVariables } from './transformation.config';
import { TransformationModule } from './transformation.module';

export const transformationService = defineService({ service: 'transformation', module: TransformationModule, config: transformationConfigVariables });
