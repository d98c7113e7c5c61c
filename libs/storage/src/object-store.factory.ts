import { LocalObjectStore, type LocalObjectStoreConfig } from './local-object-store';
import { ObjectStoreError } from './object-store.errors';
import type { ObjectStore } from './object-store.port';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store';

export type ObjectStoreConfig = ({ kind: 'local' } & LocalObjectStoreConfig) | ({ kind: 's3' } & S3ObjectStoreConfig);

/** Picks the adapter from validated configuration (embedded mode: `{ kind: 'local', root: './.flowforge/lake' }`). */
export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  switch (config?.kind) {
    case 'local':
      return new LocalObjectStore(config);
    case 's3':
      return new S3ObjectStore(config);
    default: {
      const kind = (config as { kind?: unknown } | undefined)?.kind;
      throw new ObjectStoreError('FF_OBJECT_STORE_CONFIG', `unknown object store kind ${JSON.stringify(kind)}; expected "local" or "s3"`);
    }
  }
}
