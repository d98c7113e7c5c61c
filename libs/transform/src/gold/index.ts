// gold.aggregate: star/snowflake aggregation into gold tables (libs/transform/README.md, "Gold aggregation").
export {
  GOLD_AGGREGATE_CONFIG_SCHEMA,
  GOLD_GRAINS,
  GOLD_MEASURE_FNS,
  GOLD_LIMITS,
  type GoldAggregateConfig,
  type GoldDimension,
  type GoldGrain,
  type GoldMeasureFn,
} from './gold-aggregate.schema';
export {
  compileGoldAggregate,
  goldAggregateInputs,
  goldAggregateTarget,
  normalizeGoldAggregateConfig,
  canonicalTimeZone,
  FACT_ALIAS,
  type GoldCompiledJob,
  type GoldCompileOptions,
  type GoldIncrementalRelations,
  type NormalizedGoldAggregateConfig,
} from './gold-aggregate.compiler';
export { incrementalAllowed, goldAggregateFingerprint, type GoldRefreshBasis, type GoldRefreshCurrent, type IncrementalDecision } from './gold-incremental';
export { compileKpiExpression, KpiExpressionError, KPI_FUNCTIONS } from './kpi-expression';
