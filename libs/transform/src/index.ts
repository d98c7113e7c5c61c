// Compilers of the transformation job types into DuckDB SQL, the custom-SQL sandbox and the exporters
// (libs/transform/README.md). Knows nothing of the catalog, the executor protocol or HTTP.
export { TransformError, type TransformErrorCode, type TransformProblem } from './transform.errors';
export { parseTableName, tableName, tableSql, registerInputs, relationSql, type LakeInput } from './relations';
export type { CompiledJob, CompiledGuard, CompileContext, SchemaLookup } from './compiled-job';
export { previewJob, type PreviewPlan, type PreviewOutcome } from './preview';
export * from './sql';
export * from './export';
export * from './scd2';
export * from './gold';
export {
  validateExpression,
  testExpression,
  checkExpressionText,
  embedExpression,
  EXPRESSION_MAX_LENGTH,
  SAMPLE_ROWS_MAX,
  type ExpressionTestResult,
} from './expr/expression';
export {
  compileFilter,
  previewFilter,
  FILTER_CONDITION_SCHEMA,
  FILTER_MAX_DEPTH,
  FILTER_MAX_IN,
  type FilterCondition,
  type FilterPredicate,
  type FilterColumn,
  type FilterOp,
  type FilterValue,
  type RelativeMoment,
  type TimeUnit,
} from './silver/filter';
export { TRANSFORM_SILVER_CONFIG_SCHEMA, type TransformSilverConfig, type SilverJoin, type SilverStep } from './silver/silver.schema';
export { transformSilverInputs, compileTransformSilver, validateTransformSilver } from './silver/silver.compiler';
