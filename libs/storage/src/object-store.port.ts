import type { Readable } from 'node:stream';

/** Metadata of one stored object. `etag` is whatever the backend reports (S3: quoted MD5 or multipart tag). */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  etag?: string;
  contentType?: string;
}

export interface PutOptions {
  contentType?: string;
}

export interface PutResult {
  key: string;
  /** Bytes written, counted while streaming (no second read). */
  size: number;
  etag?: string;
}

export interface ListOptions {
  /**
   * Glob matched against the whole key: `*` and `?` never cross a `/`, `**` crosses any number of
   * segments (`a/**\/b` also matches `a/b`). Example: `bronze/sales/orders/data/*\/part-*.parquet`.
   */
  glob?: string;
  /** Default true. When false only keys with no `/` after the prefix are returned. */
  recursive?: boolean;
}

/**
 * Port to the lake's object storage (docs/architecture.md, The lake). Keys are forward-slash paths validated by
 * `assertValidObjectKey`; every adapter must pass `describeObjectStoreContract` (libs/storage/src/testing).
 *
 * Visibility rule: a `put` either makes the whole new body visible at once or leaves the key as it
 * was — a failed or crashed write never exposes a partial object.
 */
export interface ObjectStore {
  /** Streams `body` to `key`, replacing any previous object. Large bodies are never buffered whole. */
  put(key: string, body: Buffer | Readable, opts?: PutOptions): Promise<PutResult>;
  /** Streams the object. Rejects with ObjectNotFoundError (FF_OBJECT_NOT_FOUND) before any byte flows. */
  get(key: string): Promise<Readable>;
  /** Metadata, or null when the key does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Idempotent batch delete. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /**
   * Objects whose key starts with `prefix` (a plain string prefix, '' for all), in ascending key order
   * (byte order of the UTF-8 key, as S3 returns them). Paginates under the hood.
   */
  list(prefix: string, opts?: ListOptions): AsyncIterable<ObjectInfo>;
  /** Server-side copy where the backend supports it. Missing source → ObjectNotFoundError naming `from`. */
  copy(from: string, to: string): Promise<void>;
}
