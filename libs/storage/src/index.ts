export type { ListOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store.port';
export { InvalidObjectKeyError, ObjectNotFoundError, ObjectStoreError, isObjectStoreError, type ObjectStoreErrorCode } from './object-store.errors';
export { assertValidObjectKey, globToRegExp } from './object-key';
export { LocalObjectStore, type LocalObjectStoreConfig } from './local-object-store';
export { S3ObjectStore, S3_DEFAULT_PART_SIZE, S3_MIN_PART_SIZE, type S3ObjectStoreConfig } from './s3-object-store';
export { createObjectStore, type ObjectStoreConfig } from './object-store.factory';
