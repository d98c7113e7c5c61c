import { defineService } from '@flowforge/service-kit';
import { orchestratorConfigVariables } from './orchestrator.config';
import { OrchestratorModule } from './orchestrator.module';

export const orchestratorService = defineService({ service: 'orchestrator', module: OrchestratorModule, config: orchestratorConfigVariables });
