import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail';
import { ReadinessRegistry } from '../health/readiness.registry';
import type { FlowForgeLogger } from '../logging/logger';
import { COMMON_CONFIG, HOST_RUNTIME, LOGGER, serviceConfigToken } from '../tokens';
import type { CommonConfig } from '../config/common-config';
import type { HostRuntime } from './host-runtime';

export interface KitModuleOptions {
  common: CommonConfig;
  services: Record<string, unknown>;
  runtime: HostRuntime;
  logger: FlowForgeLogger;
}

/** Process-wide providers: validated config, logger, host runtime, readiness registry, audit trail. */
@Global()
@Module({})
export class KitModule {
  static forRoot(opts: KitModuleOptions): DynamicModule {
    const serviceConfigs = Object.entries(opts.services).map(([name, value]) => ({ provide: serviceConfigToken(name), useValue: value }));
    return {
      module: KitModule,
      providers: [
        { provide: COMMON_CONFIG, useValue: opts.common },
        { provide: HOST_RUNTIME, useValue: opts.runtime },
        { provide: LOGGER, useValue: opts.logger },
        ReadinessRegistry,
        AuditTrail,
        ...serviceConfigs,
      ],
      exports: [COMMON_CONFIG, HOST_RUNTIME, LOGGER, ReadinessRegistry, AuditTrail, ...serviceConfigs.map((p) => p.provide)],
    };
  }
}
