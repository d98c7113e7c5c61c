import path from 'node:path';
import type { ObjectStoreConfig } from '@flowforge/storage';
import { env, type ConfigOf } from './config-variable';
import { ConfigError } from './config.error';

const bool = (def: 'true' | 'false', description: string) => env.enumOf(['true', 'false'] as const, def, { description });

/**
 * Where the lake lives (docs/architecture.md, The lake). Read by every process that writes or reads lake
 * files — the catalog and the executors — from one definition, so they agree on the store by construction.
 */
export const lakeConfigVariables = {
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
};

export type LakeConfig = ConfigOf<typeof lakeConfigVariables>;

/** The local lake folder, or null for an S3 lake. */
export function localLakeDir(config: LakeConfig, home: string): string | null {
  return config.FLOWFORGE_LAKE_STORE === 'local' ? config.FLOWFORGE_LAKE_DIR || path.join(path.resolve(home), 'lake') : null;
}

/** The object store configuration of the lake (createObjectStore of libs/storage builds it); ConfigError on an incomplete S3 setup. */
export function lakeObjectStoreConfig(config: LakeConfig, home: string): ObjectStoreConfig {
  const dir = localLakeDir(config, home);
  if (dir !== null) return { kind: 'local', root: dir };
  if (!config.FLOWFORGE_LAKE_S3_BUCKET) {
    throw new ConfigError(['FF_CONFIG: FLOWFORGE_LAKE_S3_BUCKET must be an S3 bucket name (it is not set, and FLOWFORGE_LAKE_STORE=s3 needs it)']);
  }
  const keyId = config.FLOWFORGE_LAKE_S3_ACCESS_KEY_ID;
  const secret = config.FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY;
  if (Boolean(keyId) !== Boolean(secret)) {
    throw new ConfigError([
      `FF_CONFIG: ${keyId ? 'FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY' : 'FLOWFORGE_LAKE_S3_ACCESS_KEY_ID'} must be set together with ${keyId ? 'FLOWFORGE_LAKE_S3_ACCESS_KEY_ID' : 'FLOWFORGE_LAKE_S3_SECRET_ACCESS_KEY'} (or leave both unset for the SDK's default credentials)`,
    ]);
  }
  return {
    kind: 's3',
    bucket: config.FLOWFORGE_LAKE_S3_BUCKET,
    region: config.FLOWFORGE_LAKE_S3_REGION,
    endpoint: config.FLOWFORGE_LAKE_S3_ENDPOINT,
    forcePathStyle: config.FLOWFORGE_LAKE_S3_FORCE_PATH_STYLE === 'true',
    prefix: config.FLOWFORGE_LAKE_S3_PREFIX || undefined,
    credentials: keyId && secret ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
  };
}

/** Where the lake is, for a log line (never a credential). */
export function describeLake(config: LakeConfig, home: string): string {
  return localLakeDir(config, home) ?? `s3://${config.FLOWFORGE_LAKE_S3_BUCKET}/${config.FLOWFORGE_LAKE_S3_PREFIX}`;
}
