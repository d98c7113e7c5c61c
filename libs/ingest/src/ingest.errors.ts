/** Stable codes of file ingestion; callers branch on `code`, never on message text. */
export type IngestErrorCode =
  | 'FF_INGEST_OPTIONS' // format options or limits that do not validate (the message names each field)
  | 'FF_INGEST_ARCHIVE_UNSAFE' // an archive member with an absolute path, `..`, a link or a device: nothing is extracted
  | 'FF_INGEST_ARCHIVE_TOO_LARGE' // members, bytes or compression ratio beyond the limits (a decompression bomb)
  | 'FF_INGEST_ARCHIVE_CORRUPT' // truncated or damaged gzip/zip/tar data
  | 'FF_INGEST_NO_MEMBERS' // an archive with no member matching the pattern
  | 'FF_INGEST_FORMAT' // the format could not be detected, or the file is not in the configured format
  | 'FF_INGEST_READ' // the file could not be read as configured (the message carries the reader's reason)
  | 'FF_INGEST_TOO_MANY_REJECTED' // rejected rows beyond maxRejected: nothing is kept
  | 'FF_INGEST_SCHEMA_CHANGE' // the file's schema does not fit the table's under onSchemaChange
  | 'FF_INGEST_CANCELLED'; // the caller's signal aborted the read

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'IngestError';
  }
}
