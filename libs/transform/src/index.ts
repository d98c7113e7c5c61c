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
