import { env, type ConfigOf } from '@flowforge/service-kit';
import { masterKeyProblem } from './secrets/master-key';

const bool = (def: 'true' | 'false', description: string) => env.enumOf(['true', 'false'] as const, def, { description });

/**
 * Variables only the catalog reads. Lake variables live here until another service writes the lake
 * through its own process (then they move to the common config, unchanged).
 */
export const catalogConfigVariables = {
  // Unset: embedded mode generates $FLOWFORGE_HOME/master.key (0600) on first start; standalone refuses to boot.
  FLOWFORGE_MASTER_KEY: {
    ...env.string('', { sensitive: true, expected: 'the base64 encoding of 32 random bytes (e.g. `openssl rand -base64 32`)' }),
    check: (v: string) => (v === '' ? null : masterKeyProblem('FLOWFORGE_MASTER_KEY', v)),
  },
  // Keys that may still decrypt secrets while a rotation is in progress (comma-separated base64); never used to encrypt.
  FLOWFORGE_MASTER_KEY_PREVIOUS: {
    ...env.string('', { sensitive: true, expected: 'a comma-separated list of base64 32-byte keys' }),
    check: (v: string) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map((k) => masterKeyProblem('FLOWFORGE_MASTER_KEY_PREVIOUS', k))
        .find((p) => p !== null) ?? null,
  },
  FLOWFORGE_LAKE_STORE: env.enumOf(['local', 's3'] as const, 'local', { description: 'where the lake lives' }),
  // Unset: $FLOWFORGE_HOME/lake.
  FLOWFORGE_LAKE_DIR: env.string('', { expected: 'a directory path' }),
  FLOWFORGE_LAKE_S3_BUCKET: env.string('', { expected: 'an S3 bucket name' }),
  FLOWFORGE_LAKE_S3_REGION: env.string('us-east-1', { expected: 'an AWS region, e.g. eu-west-1' }),
  FLOWFORGE_LAKE_S3_ENDPOINT: env.optionalUrl(['http:', 'https:'], 'http://minio:9000'),
  FLOWFORGE_LAKE_S3_PREFIX: env.string('', { expected: 'a key prefix ending with "/", e.g. lake/', pattern: /^([^/].*\/)?$/ }),
  FLOWFORGE_LAKE_S3_FORCE_PATH_STYLE: bool('false', 'path-style addressing (MinIO and most S3-compatible servers)'),
  FLOWFORGE_LAKE_S3_ACCESS_KEY_ID: env.string('', { sensitive: true, expected: 'an access key id' }),
  FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY: env.string('', { sensitive: true, expected: 'a secret access key' }),
  // Folders `local` connections may point into, separated by ':' (path.delimiter). Unset: $FLOWFORGE_HOME/landing.
  FLOWFORGE_LOCAL_CONNECTION_ROOTS: env.string('', { expected: 'absolute directories separated by ":"', pattern: /^(\/[^\0:]*)(:\/[^\0:]*)*$/ }),
  FLOWFORGE_DUCKDB_MEMORY_LIMIT: env.string('512MB', {
    expected: 'a DuckDB memory size such as 512MB or 2GB',
    pattern: /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i,
  }),
  FLOWFORGE_DUCKDB_THREADS: env.int({ min: 1, max: 256, def: 2 }),
  // Attempt folders nobody committed are deleted once older than this (a writer must commit within it).
  FLOWFORGE_LAKE_GC_GRACE_MINUTES: env.int({ min: 1, max: 525_600, def: 1440 }),
  // 0 disables the periodic sweep (POST /internal/catalog/lake/gc still works).
  FLOWFORGE_LAKE_GC_INTERVAL_MINUTES: env.int({ min: 0, max: 10_080, def: 60 }),
};

export type CatalogConfig = ConfigOf<typeof catalogConfigVariables>;
