import { env, type ConfigOf } from '@flowforge/service-kit';

/** Variables only the gateway reads. */
export const gatewayConfigVariables = {
  // Unset: the process's own port when embedded, the orchestrator's standalone port otherwise.
  FLOWFORGE_ORCHESTRATOR_URL: env.optionalUrl(['http:', 'https:'], 'http://orchestrator:8103'),
  // Unset: the process's own port when embedded, the catalog's standalone port otherwise.
  FLOWFORGE_CATALOG_URL: env.optionalUrl(['http:', 'https:'], 'http://catalog:8102'),
};

export type GatewayConfig = ConfigOf<typeof gatewayConfigVariables>;
