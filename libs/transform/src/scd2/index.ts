// gold.scd2: a Gold dimension kept as an SCD Type 2 from a source snapshot, and its as-of query (libs/transform/README.md, "gold.scd2").
export { GOLD_SCD2_CONFIG_SCHEMA, resolveScd2Config, type GoldScd2Config, type ResolvedScd2Config, type Scd2Columns } from './scd2.config';
export { compileGoldScd2, goldScd2Inputs, goldScd2Target, scd2ColumnNames, type CompiledGoldScd2 } from './scd2.compiler';
export { scd2AsOfSql, type Scd2AsOfQuery } from './scd2.as-of';
