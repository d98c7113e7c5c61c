import { env, lakeConfigVariables, type ConfigOf } from '@flowforge/service-kit';

/** Variables the ingestion service reads: the lake's (the same definition as the catalog's) and its own. */
export const ingestionConfigVariables = {
  ...lakeConfigVariables,
  // Unset: the process's own port when embedded, else http://127.0.0.1:8102.
  FLOWFORGE_CATALOG_URL: env.optionalUrl(['http:', 'https:'], 'http://catalog:8102'),
  // Where files are downloaded and read (one folder per attempt, removed after it). Unset: the OS temp dir.
  FLOWFORGE_INGEST_WORK_DIR: env.string('', { expected: 'an absolute directory path', pattern: /^(\/.*)?$/ }),
  // Where uploaded files land (POST /api/v1/uploads), one folder per upload. Unset: $FLOWFORGE_HOME/landing/uploads.
  // Every ingestion replica must see the same folder (a shared volume when there are several).
  FLOWFORGE_UPLOAD_DIR: env.string('', { expected: 'an absolute directory path', pattern: /^(\/[^\0]*)?$/ }),
  // The largest upload accepted, in bytes (default 10 GiB); a bigger one is refused with 413, nothing kept.
  FLOWFORGE_UPLOAD_MAX_BYTES: env.int({ min: 1, max: Number.MAX_SAFE_INTEGER, def: 10 * 1024 ** 3 }),
};

export type IngestionConfig = ConfigOf<typeof ingestionConfigVariables>;
