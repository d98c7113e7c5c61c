import { bootstrapService } from '@flowforge/service-kit';
import { orchestratorService } from './orchestrator.definition';

bootstrapService(orchestratorService);
