import { env, type ConfigOf } from '@flowforge/service-kit';

/** Variables only the gateway reads. */
export const gatewayConfigVariables = {
  // Unset: the process's own port when embedded, the orchestrator's standalone port otherwise.
  FLOWFORGE_ORCHESTRATOR_URL: env.optionalUrl(['http:', 'https:'], 'http://orchestrator:8103'),
  // Unset: the process's own port when embedded, the catalog's standalone port otherwise.
  FLOWFORGE_CATALOG_URL: env.optionalUrl(['http:', 'https:'], 'http://catalog:8102'),
  // Unset: the process's own port when embedded, the ingestion service's standalone port otherwise.
  FLOWFORGE_INGESTION_URL: env.optionalUrl(['http:', 'https:'], 'http://ingestion:8106'),
  // Unset: the process's own port when embedded, the triggers service's standalone port otherwise.
  FLOWFORGE_TRIGGERS_URL: env.optionalUrl(['http:', 'https:'], 'http://triggers:8105'),
  // Unset: the process's own port when embedded, the transformation service's standalone port otherwise.
  FLOWFORGE_TRANSFORMATION_URL: env.optionalUrl(['http:', 'https:'], 'http://transformation:8107'),
  // Unset: the process's own port when embedded, the scheduler's standalone port otherwise.
  FLOWFORGE_SCHEDULER_URL: env.optionalUrl(['http:', 'https:'], 'http://scheduler:8104'),
  // Unset: the process's own port when embedded, the auth service's standalone port otherwise.
  FLOWFORGE_AUTH_URL: env.optionalUrl(['http:', 'https:'], 'http://auth:8101'),
  // The built-in issuer (the auth service): its `iss` (same variable as the auth service reads) and whether it is trusted.
  FLOWFORGE_AUTH_ISSUER: env.string('flowforge', { expected: "the built-in issuer name, the same as the auth service's" }),
  FLOWFORGE_AUTH_BUILTIN: env.enumOf(['true', 'false'] as const, 'true', { description: 'trust tokens of the built-in issuer (local accounts)' }),
  FLOWFORGE_AUTH_AUDIENCE: env.string('flowforge-gateway', { expected: 'the audience access tokens must carry' }),
  // Keycloak (or any OIDC provider): the realm's issuer URL. Unset: only the built-in issuer is trusted.
  FLOWFORGE_OIDC_ISSUER: env.optionalUrl(['http:', 'https:'], 'https://sso.example.com/realms/flowforge'),
  // Unset: read from the issuer's discovery document.
  FLOWFORGE_OIDC_JWKS_URL: env.optionalUrl(['http:', 'https:'], 'https://sso.example.com/realms/flowforge/protocol/openid-connect/certs'),
  // Realm role -> FlowForge role; a realm role named like a FlowForge role maps to it anyway. e.g. "flowforge-admins=admin,data-team=developer".
  FLOWFORGE_OIDC_ROLE_MAP: env.string('', {
    expected: 'comma-separated realm-role=flowforge-role pairs',
    pattern: /^([^=,\s]+=[a-z][a-z0-9-]*(,[^=,\s]+=[a-z][a-z0-9-]*)*)?$/,
  }),
  // Fallback only: changes reach every gateway through the bus (auth.session-revoked, auth.access-changed)
  // within a second; this is how long a gateway may go on with what it learnt of roles, revocations and
  // API tokens before asking the auth service again, should an event be lost.
  FLOWFORGE_AUTH_CACHE_SECONDS: env.int({ min: 1, max: 3600, def: 60 }),
  // Rate limit of the public API (token bucket): requests per second refilled, and the burst allowed at
  // once, per principal (a user with its API tokens) and per client address for anonymous calls. 0 per second: no limit.
  FLOWFORGE_RATE_LIMIT_PER_SECOND: env.int({ min: 0, max: 1_000_000, def: 50 }),
  FLOWFORGE_RATE_LIMIT_BURST: env.int({ min: 1, max: 1_000_000, def: 500 }),
  FLOWFORGE_RATE_LIMIT_ANONYMOUS_PER_SECOND: env.int({ min: 0, max: 1_000_000, def: 20 }),
  FLOWFORGE_RATE_LIMIT_ANONYMOUS_BURST: env.int({ min: 1, max: 1_000_000, def: 400 }),
};

export type GatewayConfig = ConfigOf<typeof gatewayConfigVariables>;
