import {
  compileTransformSilver,
  parseTableName,
  TRANSFORM_SILVER_CONFIG_SCHEMA,
  transformSilverInputs,
  validateTransformSilver,
  type TransformSilverConfig,
} from '@flowforge/transform';
import type { TransformKind } from '../run/transform-kind';

/**
 * `transform.silver`: Bronze (or Silver) rows cleansed into a Silver table by an ordered list of steps —
 * select/rename/cast (cast failures to `<table>__rejects`), trim/case/normalize, null handling,
 * de-duplication, joins, derived columns, row filters — compiled to one DuckDB query (libs/transform
 * README, "transform.silver"). Expressions are parsed and bound against the inputs before anything runs.
 */
export const transformSilverKind: TransformKind<TransformSilverConfig> = {
  type: 'transform.silver',
  version: 1,
  description:
    'Cleanses a table into a Silver table with ordered steps (select, rename, cast with rejects, trim/case/normalize, nulls, de-duplicate, join, derive, filter), compiled to one DuckDB query; expressions are checked against the input schema first.',
  configSchema: TRANSFORM_SILVER_CONFIG_SCHEMA,
  inputs: (config) => transformSilverInputs(config),
  target: (config) => ({ layer: 'silver', namespace: config.target.namespace, table: config.target.table }),
  mode: (config) => config.mode ?? 'replace',
  previewSample: (config) => [parseTableName(config.source, 'source')],
  compile: async (config, ctx, session) => {
    await validateTransformSilver(session, config, ctx);
    return compileTransformSilver(config, ctx);
  },
};
