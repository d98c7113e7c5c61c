import { compileGoldScd2, GOLD_SCD2_CONFIG_SCHEMA, goldScd2Inputs, goldScd2Target, scd2ColumnNames, type GoldScd2Config } from '@flowforge/transform';
import type { TransformKind } from '../run/transform-kind';
import { Scd2TableStore } from '../query/scd2-table.store';

/**
 * `gold.scd2`: an SCD Type 2 dimension merged from the full current snapshot of a source (libs/transform
 * README, "gold.scd2"). The merge reads the dimension it rewrites: runs on one table are exclusive (an
 * advisory lock, then the catalog's compare-and-set on the parent), so two merges never interleave. The
 * dimension's validity columns are recorded for the as-of query.
 */
export const goldScd2Kind: TransformKind<GoldScd2Config> = {
  type: 'gold.scd2',
  version: 1,
  description:
    'Merges the current snapshot of a source into an SCD Type 2 dimension (valid_from, valid_to, is_current, version): check or timestamp change detection, hard deletes ignored, invalidated or recorded; a duplicate natural key fails the run naming the keys.',
  configSchema: GOLD_SCD2_CONFIG_SCHEMA,
  inputs: (config) => goldScd2Inputs(config),
  target: (config) => goldScd2Target(config),
  mode: () => 'replace',
  mayBeMissing: (config, ref) => ref.layer === 'gold' && ref.namespace === config.target.namespace && ref.table === config.target.table,
  compile: (config, ctx) => compileGoldScd2(config, ctx),
  onCommitted: (config, committed, pool) => new Scd2TableStore(pool).record(committed.assetId, committed.table, scd2ColumnNames(config)),
  exclusive: true,
};
