// Stable error codes for the object store. Callers branch on `code`, never on message text.
export type ObjectStoreErrorCode =
  | 'FF_OBJECT_STORE' // the backend failed an operation (message names bucket/root, key and backend code)
  | 'FF_OBJECT_STORE_UNREACHABLE' // network-level failure: endpoint refused, DNS, timeout
  | 'FF_OBJECT_STORE_AUTH' // credentials rejected or access denied
  | 'FF_OBJECT_STORE_CONFIG' // adapter configuration is invalid (caught at construction)
  | 'FF_OBJECT_NOT_FOUND'
  | 'FF_OBJECT_KEY';

export class ObjectStoreError extends Error {
  constructor(
    readonly code: ObjectStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = new.target.name;
  }
}

export class ObjectNotFoundError extends ObjectStoreError {
  constructor(
    readonly key: string,
    where: string,
    options?: { cause?: unknown },
  ) {
    super('FF_OBJECT_NOT_FOUND', `object "${key}" does not exist in ${where}`, options);
  }
}

export class InvalidObjectKeyError extends ObjectStoreError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super('FF_OBJECT_KEY', `invalid object key ${JSON.stringify(key)}: ${reason}`);
  }
}

export function isObjectStoreError(err: unknown): err is ObjectStoreError {
  return err instanceof ObjectStoreError;
}
