/** Stable codes of the transformation compilers; callers branch on `code`, never on message text. */
export type TransformErrorCode =
  | 'FF_TRANSFORM_CONFIG' // a job configuration that cannot be compiled (the problems name each field)
  | 'FF_TRANSFORM_UNKNOWN_TABLE' // an input table that is not in the lake (or not readable by the caller)
  | 'FF_TRANSFORM_UNKNOWN_COLUMN' // a column that is not in the input schema at that point of the job
  | 'FF_TRANSFORM_EXPRESSION' // an expression that does not parse or bind (the problem carries the position)
  | 'FF_TRANSFORM_NAME_COLLISION' // two output columns with one name (joins, renames, derived columns)
  | 'FF_TRANSFORM_NULLS' // null handling `fail` met a null
  | 'FF_TRANSFORM_CAST' // a cast with onError `fail` met a value that does not convert
  | 'FF_TRANSFORM_DUPLICATE_KEY' // one natural key twice in one input batch (SCD2); the offending keys are listed
  | 'FF_SQL_NOT_ALLOWED' // custom SQL that is not one read-only SELECT, or reaches outside the sandbox
  | 'FF_SQL_PARAMETER' // a named parameter missing, unknown or of the wrong type
  | 'FF_SQL_LIMIT' // the sandbox's time or memory limit was reached
  | 'FF_EXPORT_CONFIG' // an export configuration that cannot run (format, destination, mode)
  | 'FF_EXPORT_DESTINATION'; // the destination refused or failed the load (message carries its reason)

/**
 * One thing wrong, at a place the console can point at: `field` is the JSON path in the job config
 * (e.g. `steps[2].expression`), `position` the 0-based character offset inside that field's text when
 * the problem is inside an expression or a SQL text.
 */
export interface TransformProblem {
  field: string;
  message: string;
  position?: number;
}

export class TransformError extends Error {
  readonly problems: TransformProblem[];

  constructor(
    readonly code: TransformErrorCode,
    message: string,
    options?: { cause?: unknown; problems?: TransformProblem[] },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'TransformError';
    this.problems = options?.problems ?? [];
  }
}
