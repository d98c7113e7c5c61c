// Reading one local file into Parquet rows for Bronze, plus rejected rows (libs/ingest/README.md).
export { IngestError, type IngestErrorCode } from './ingest.errors';
export {
  FORMAT_OPTIONS_JSON_SCHEMA,
  INGEST_LIMITS_JSON_SCHEMA,
  DEFAULT_LIMITS,
  parseFormatOptions,
  type FormatOptions,
  type IngestLimits,
  type FileFormat,
  type Compression,
  type TextEncoding,
} from './format-options';
export { readToParquet, inferSchema, REJECT_COLUMNS, type ReadToParquetInput, type ReadResult, type ReadProgress, type MemberReport } from './file-reader';
export {
  reconcileSchema,
  widensTo,
  commonSupertype,
  type OnSchemaChange,
  type SchemaReconciliation,
  type SchemaCast,
  type SchemaConflict,
} from './schema-reconcile';
export { extractInput, sniffCompression, unsafeMemberName, type InputMember, type ExtractOptions } from './archive-extract';
export { detectEncoding, isUtf8, transcodeToUtf8, type DetectedEncoding } from './text-encoding';
export { AUDIT_COLUMNS, RESCUE_COLUMN, parseCsvHead, sniffDelimiter, looksLikeHeader, uniqueColumnNames } from './csv-dialect';
