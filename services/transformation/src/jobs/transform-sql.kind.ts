import { compileTransformSql, TRANSFORM_SQL_CONFIG_SCHEMA, transformSqlInputs, type TransformSqlConfig } from '@flowforge/transform';
import type { TransformKind } from '../run/transform-kind';

/**
 * `transform.sql`: one SELECT over the lake tables, with named parameters, into a Silver or Gold table
 * (libs/transform/README.md, "Custom SQL"). Compiled sandboxed: the runner writes it through the SQL sandbox.
 */
export const transformSqlKind: TransformKind<TransformSqlConfig> = {
  type: 'transform.sql',
  version: 1,
  description:
    'Runs one read-only SELECT over bronze/silver/gold tables (named parameters :name, DuckDB dialect) in the SQL sandbox and writes the result to a Silver or Gold table.',
  configSchema: TRANSFORM_SQL_CONFIG_SCHEMA,
  inputs: (config) => transformSqlInputs(config),
  target: (config) => ({ layer: config.target.layer, namespace: config.target.namespace, table: config.target.table }),
  mode: (config) => config.mode ?? 'replace',
  compile: (config, ctx) => compileTransformSql(config, ctx),
  sandboxed: true,
};
