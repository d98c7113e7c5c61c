// DuckDB toolkit of the data plane (docs/architecture.md, The lake): Parquet writing with schema and statistics,
// snapshot previews and exports, over the ObjectStore port.
export { EngineError, type EngineErrorCode } from './engine.errors';
export { openDuckDb, DuckDb, DuckDbSession, type DuckDbOptions, type JsonRow } from './duckdb';
export {
  LAKE_LAYERS,
  LAKE_NAME,
  ATTEMPT_ID,
  assertTableRef,
  attemptPrefix,
  lakeNameProblem,
  newAttemptId,
  parseDataKey,
  tableRoot,
  type LakeDataKey,
  type LakeLayer,
  type LakeTableRef,
} from './lake-layout';
export {
  writeParquet,
  describeParquet,
  PARQUET_CONTENT_TYPE,
  type ParquetSource,
  type WriteParquetOptions,
  type WrittenFile,
  type WrittenTable,
} from './parquet-writer';
export {
  previewParquet,
  exportCsv,
  exportParquet,
  openExportStream,
  EXPORT_CONTENT_TYPES,
  type ExportFormat,
  type PreviewResult,
  type SnapshotFile,
} from './snapshot-reader';
export { localCopiesOf, makeWorkDir, type LocalFiles } from './local-files';
export { mergeStats, hasOrderedStats, isNumericType, type ColumnSchema, type ColumnStats, type TableStats } from './table-schema';
export { sqlIdent, sqlString, sqlStringList } from './sql-literals';
