import type { Readable } from 'node:stream';
import type { WriteOptions, WriteResult } from './location-write';

/**
 * A place files come from (and exports go to): a local directory, a bucket, a share, a server. One port for every file
 * location type, so the catalog (test, browse) and the ingestion executor (list, read, archive, delete)
 * use the same code whatever the location. Paths are always relative to the location's root
 * (the connection's directory, bucket prefix, share folder...), use `/` as separator, never start with
 * `/` and never contain `..`, a NUL byte or a backslash: `checkRelativePath` refuses those before any
 * implementation sees them, so no implementation can be walked out of its root.
 */
export interface FileLocation {
  /** The connection type (`local`, `s3`, `sftp`...). */
  readonly type: string;

  /**
   * Checks that the location is reachable with the credentials given and its root exists: resolves, or
   * rejects with a LocationError naming what failed (host, auth, missing root), never with a secret.
   */
  test(signal?: AbortSignal): Promise<void>;

  /**
   * The entries directly in `dir` ('' = the root), files and folders, sorted by name; at most `limit`
   * (default 1000): `truncated` says there were more. Object stores show key prefixes as folders.
   */
  list(dir: string, opts?: { limit?: number; signal?: AbortSignal }): Promise<Listing>;

  /** One file's metadata, or null when it does not exist (a folder is not a file: null). */
  stat(path: string, signal?: AbortSignal): Promise<FileEntry | null>;

  /** The file's bytes, streamed (never buffered whole). Rejects with LocationError FF_LOCATION_NOT_FOUND when absent. */
  open(path: string, signal?: AbortSignal): Promise<Readable>;

  /**
   * Only locations on this host's file system: the file's real path, checked like `open` (inside the root,
   * symlinks resolved), so a reader can read it in place instead of copying it first. A reader must never
   * write beside it or delete it.
   */
  localPath?(path: string, signal?: AbortSignal): Promise<string>;

  /**
   * After a successful ingestion: moves (copy, then delete) or copies `path` to `to` (both relative to
   * the root). Implementations without a rename do copy + delete.
   */
  archive(path: string, to: string, opts: { move: boolean; signal?: AbortSignal }): Promise<void>;

  /**
   * Writes `body` (streamed, never buffered whole) to `path` (relative to the root, checked like every
   * path: inside the root, no `..`, no NUL — location-path.ts), replacing an existing file; atomically
   * where the store allows (local: a temporary file in the same folder, then a rename; s3/gcs/azure: one
   * object put or multipart/block upload, visible only once complete; sftp/ftp/smb: an upload to
   * `<name>.ff-partial-<random>`, then a rename, the partial removed on failure). Parent folders are
   * created. `overwrite: false` refuses an existing file with FF_LOCATION_EXISTS. Resolves with the
   * bytes written. On failure (the store's, the body's own error, an abort) it rejects with a
   * LocationError naming the path, leaves nothing at `path` (an existing file stays as it was) and
   * destroys `body`. http is read-only: FF_LOCATION_READ_ONLY.
   */
  write(path: string, body: Readable, opts?: WriteOptions): Promise<WriteResult>;

  /** Deletes one file; a missing file is not an error. */
  delete(path: string, signal?: AbortSignal): Promise<void>;

  /** Releases connections (SFTP/FTP/SMB sessions); the location is unusable afterwards. */
  close(): Promise<void>;
}

export interface FileEntry {
  /** Relative to the location's root, `/`-separated; folders end without a slash. */
  readonly path: string;
  /** The last segment of `path`. */
  readonly name: string;
  readonly kind: 'file' | 'dir';
  /** Bytes; null for folders or when the server does not say. */
  readonly size: number | null;
  /** Last modification, ISO 8601; null when unknown. */
  readonly modifiedAt: string | null;
  /** Entity tag or checksum when the store has one (S3/Azure/GCS ETag); null otherwise. */
  readonly etag: string | null;
}

export interface Listing {
  readonly entries: FileEntry[];
  readonly truncated: boolean;
}
