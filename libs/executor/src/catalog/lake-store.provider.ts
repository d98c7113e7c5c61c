import type { Provider } from '@nestjs/common';
import {
  COMMON_CONFIG,
  describeLake,
  lakeObjectStoreConfig,
  LOGGER,
  serviceConfigToken,
  type CommonConfig,
  type FlowForgeLogger,
  type LakeConfig,
  type ServiceName,
} from '@flowforge/service-kit';
import { createObjectStore } from '@flowforge/storage';

/**
 * The lake's object store for an executor service, as `token`: built from the service's FLOWFORGE_LAKE_*
 * (the same definition as the catalog's, libs/service-kit lake-config.ts), logged once at boot.
 */
export function lakeStoreProvider(token: symbol, service: ServiceName, verb = 'writes'): Provider {
  return {
    provide: token,
    inject: [serviceConfigToken(service), COMMON_CONFIG, LOGGER],
    useFactory: (config: LakeConfig, common: CommonConfig, logger: FlowForgeLogger) => {
      logger.info({ module: service, lake: describeLake(config, common.FLOWFORGE_HOME) }, `${service} ${verb} the lake`);
      return createObjectStore(lakeObjectStoreConfig(config, common.FLOWFORGE_HOME));
    },
  };
}
