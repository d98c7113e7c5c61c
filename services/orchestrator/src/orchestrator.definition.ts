import { defineService } from '@flowforge/service-kit';
import { OrchestratorModule } from './orchestrator.module';

export const orchestratorService = defineService({ service: 'orchestrator', module: OrchestratorModule });
