import { env, type ConfigOf } from '@flowforge/service-kit';

/** Variables only the embedded host reads. */
export const embeddedConfigVariables = {
  FLOWFORGE_PG_PORT: env.port(5433, { description: 'port of the embedded PostgreSQL (when DATABASE_URL is unset)' }),
};

export type EmbeddedConfig = ConfigOf<typeof embeddedConfigVariables>;
