import { alertingService } from '@flowforge/service-alerting';
import { authService } from '@flowforge/service-auth';
import { catalogService } from '@flowforge/service-catalog';
import { gatewayService } from '@flowforge/service-gateway';
import { ingestionService } from '@flowforge/service-ingestion';
import { lineageService } from '@flowforge/service-lineage';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { qualityService } from '@flowforge/service-quality';
import { reconciliationService } from '@flowforge/service-reconciliation';
import { schedulerService } from '@flowforge/service-scheduler';
import { transformationService } from '@flowforge/service-transformation';
import { triggersService } from '@flowforge/service-triggers';
import type { ServiceDefinition } from '@flowforge/service-kit';

/** Every service module the embedded host loads (the host is the only place that imports services). */
export const embeddedServices: ServiceDefinition[] = [
  gatewayService,
  authService,
  catalogService,
  orchestratorService,
  schedulerService,
  triggersService,
  ingestionService,
  transformationService,
  qualityService,
  reconciliationService,
  lineageService,
  alertingService,
];
