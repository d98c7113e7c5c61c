import { env, lakeConfigVariables, type ConfigOf } from '@flowforge/service-kit';

/** Variables the ingestion service reads: the lake's (the same definition as the catalog's) and its own. */
export const ingestionConfigVariables = {
  ...lakeConfigVariables,
  // Unset: the process's own port when embedded, else http://127.0.0.1:8102.
  FLOWFORGE_CATALOG_URL: env.optionalUrl(['http:', 'https:'], 'http://catalog:8102'),
  // Where files are downloaded and read (one folder per attempt, removed after it). Unset: the OS temp dir.
  FLOWFORGE_INGEST_WORK_DIR: env.string('', { expected: 'an absolute directory path', pattern: /^(\/.*)?$/ }),
};

export type IngestionConfig = ConfigOf<typeof ingestionConfigVariables>;
