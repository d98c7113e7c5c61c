import { env, lakeConfigVariables, type ConfigOf } from '@flowforge/service-kit';
import { masterKeyProblem } from './secrets/master-key';

/** Variables the catalog reads: its own, and the lake's (the same definition the executors read). */
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
  // The lake and the local connection roots: shared with the executors (libs/service-kit lake-config.ts).
  ...lakeConfigVariables,
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
