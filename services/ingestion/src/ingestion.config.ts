import { env, type ConfigOf } from '@flowforge/service-kit';

/** Variables only the ingestion service reads. */
export const ingestionConfigVariables = {
  // Where uploaded files land (POST /api/v1/uploads), one folder per upload. Unset: $FLOWFORGE_HOME/landing/uploads.
  // Every ingestion replica must see the same folder (a shared volume when there are several).
  FLOWFORGE_UPLOAD_DIR: env.string('', { expected: 'an absolute directory path', pattern: /^(\/[^\0]*)?$/ }),
  // The largest upload accepted, in bytes (default 10 GiB); a bigger one is refused with 413, nothing kept.
  FLOWFORGE_UPLOAD_MAX_BYTES: env.int({ min: 1, max: Number.MAX_SAFE_INTEGER, def: 10 * 1024 ** 3 }),
};

export type IngestionConfig = ConfigOf<typeof ingestionConfigVariables>;
