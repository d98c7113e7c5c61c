import { env, lakeConfigVariables, type ConfigOf } from '@flowforge/service-kit';

/** Variables the transformation service reads: the lake's (the same definition as the catalog's) and its own. */
export const transformationConfigVariables = {
  ...lakeConfigVariables,
  // Unset: the process's own port when embedded, else http://127.0.0.1:8102.
  FLOWFORGE_CATALOG_URL: env.optionalUrl(['http:', 'https:'], 'http://catalog:8102'),
  // Where inputs are downloaded and DuckDB spills (one folder per attempt or request, removed after it). Unset: the OS temp dir.
  FLOWFORGE_TRANSFORM_WORK_DIR: env.string('', { expected: 'an absolute directory path', pattern: /^(\/[^\0]*)?$/ }),
  // DuckDB's memory_limit per job attempt (beyond it DuckDB spills to the work dir), e.g. 1GB.
  FLOWFORGE_TRANSFORM_MEMORY_LIMIT: env.string('1GB', {
    expected: 'a DuckDB size such as 512MB or 2GB',
    pattern: /^\d{1,6}(\.\d+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/,
  }),
  // DuckDB threads per job attempt (0: DuckDB's default, one per core).
  FLOWFORGE_TRANSFORM_THREADS: env.int({ min: 0, max: 256, def: 0 }),
  // Interactive queries (preview, SQL, expression tests): memory and time limits of their sandbox. The time limit
  // stays under the gateway's 30 s wait for an answer, so a slow query ends with FF_SQL_LIMIT, not a 504.
  FLOWFORGE_QUERY_MEMORY_LIMIT: env.string('512MB', {
    expected: 'a DuckDB size such as 512MB or 2GB',
    pattern: /^\d{1,6}(\.\d+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/,
  }),
  FLOWFORGE_QUERY_TIMEOUT_MS: env.int({ min: 100, max: 3_600_000, def: 20_000 }),
};

export type TransformationConfig = ConfigOf<typeof transformationConfigVariables>;
