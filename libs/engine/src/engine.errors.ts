/** Stable codes of the engine; callers branch on `code`, never on message text. */
export type EngineErrorCode =
  | 'FF_ENGINE_SQL' // DuckDB refused or failed a statement (message carries DuckDB's reason)
  | 'FF_ENGINE_LAKE_PATH' // a layer, namespace, table or attempt id that cannot name a lake path
  | 'FF_ENGINE_INPUT' // a source the writer cannot use (empty column list, non-object row...)
  | 'FF_ENGINE_IO'; // reading or writing the object store or a temp file failed

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'EngineError';
  }
}
