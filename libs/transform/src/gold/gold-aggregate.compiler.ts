import { hasOrderedStats, isNumericType, sqlIdent, sqlString, type ColumnSchema, type LakeTableRef } from '@flowforge/engine';
import type { CompileContext, CompiledGuard, CompiledJob } from '../compiled-job';
import { parseTableName, tableName, tableSql } from '../relations';
import { TransformError, type TransformErrorCode, type TransformProblem } from '../transform.errors';
import {
  GOLD_GRAINS,
  GOLD_LIMITS,
  GOLD_MEASURE_FNS,
  type GoldAggregateConfig,
  type GoldDimension,
  type GoldGrain,
  type GoldMeasureFn,
} from './gold-aggregate.schema';
import { compileKpiExpression, kpiProblem } from './kpi-expression';

/**
 * The `gold.aggregate` compiler (libs/transform/README.md, "Gold aggregation"): one SELECT joining the fact
 * table to its dimensions, grouping by dimension columns and a time bucket, computing measures and, over
 * them, KPIs; or, for an incremental refresh, the previous gold rows of the time buckets no new fact falls
 * in plus the full recomputation of the others.
 */

/** The fact table's alias in column references (`fact.amount`). */
export const FACT_ALIAS = 'fact';

/** What an incremental refresh reads besides the inputs; both are SQL relation names the runner registered. */
export interface GoldIncrementalRelations {
  /** Only the fact rows appended since the previous refresh (e.g. a view over the new files). */
  newFacts: string;
  /** The gold table as the previous refresh wrote it. */
  previous: string;
  /**
   * The affected time buckets, when the runner already has them: the rows of `affectedPartitionsSql` of a
   * compile without them, over the same `newFacts` (`YYYY-MM-DD`, null for the null bucket). Given, they
   * become constants, so DuckDB skips the fact's row groups outside them (Parquet min/max) instead of
   * reading the whole fact; the result is the same. They must be complete: a bucket left out keeps its
   * previous rows.
   */
  partitions?: (string | null)[];
}

/** Most affected buckets accepted as constants (beyond: compile without them). */
export const GOLD_MAX_PARTITIONS = 100_000;
/** Most separate time ranges written into the fact filter (beyond: one range from the first to the last). */
const MAX_RANGES = 64;
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface GoldCompileOptions {
  /** Compile an incremental refresh (config.mode must be `incremental`); see incrementalAllowed for when the runner may. */
  incremental?: GoldIncrementalRelations;
}

/** A CompiledJob with what the runner of `gold.aggregate` needs besides: the target and the partition column. */
export interface GoldCompiledJob extends CompiledJob {
  /** Always known: group columns, time bucket, measures, KPIs, in that order. */
  schema: ColumnSchema[];
  /** The gold table written (`gold.<namespace>.<table>`). */
  target: LakeTableRef;
  /** The output column of the time bucket: the partition an incremental refresh recomputes. Absent without `time`. */
  partitionColumn?: string;
  /** Incremental only: SELECT "partition" of each time bucket the new facts touch (for the run's log and metrics). */
  affectedPartitionsSql?: string;
}

/** The config with every default filled in (the schema's defaults, for callers that skipped the validator). */
export type NormalizedGoldAggregateConfig = Required<Omit<GoldAggregateConfig, 'time' | 'dimensions' | 'target'>> & {
  dimensions: Required<GoldDimension>[];
  time?: { column: string; grain: GoldGrain; timeZone: string; as?: string };
  target: { layer: 'gold'; namespace: string; table: string };
};

/** `config` with the schema's defaults applied (no validation). */
export function normalizeGoldAggregateConfig(config: GoldAggregateConfig): NormalizedGoldAggregateConfig {
  return {
    fact: config.fact,
    dimensions: (config.dimensions ?? []).map((d) => ({
      table: d.table,
      alias: d.alias,
      join: { from: d.join?.from, to: d.join?.to },
      joinType: d.joinType ?? 'left',
    })),
    groupBy: (config.groupBy ?? []).map((g) => ({ column: g.column, ...(g.as !== undefined ? { as: g.as } : {}) })),
    ...(config.time
      ? {
          time: {
            column: config.time.column,
            grain: config.time.grain,
            timeZone: config.time.timeZone ?? 'UTC',
            ...(config.time.as !== undefined ? { as: config.time.as } : {}),
          },
        }
      : {}),
    measures: config.measures.map((m) => ({ name: m.name, fn: m.fn, ...(m.column !== undefined ? { column: m.column } : {}) })),
    kpis: (config.kpis ?? []).map((k) => ({ name: k.name, expression: k.expression })),
    target: { layer: 'gold', namespace: config.target?.namespace, table: config.target?.table },
    mode: config.mode ?? 'replace',
  };
}

/** The lake tables a `gold.aggregate` job reads: the fact table, then each dimension table once. */
export function goldAggregateInputs(config: GoldAggregateConfig): LakeTableRef[] {
  const refs = [parseTableName(config.fact, 'fact'), ...(config.dimensions ?? []).map((d, i) => parseTableName(d.table, `dimensions[${i}].table`))];
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(tableName(r)) && seen.add(tableName(r)));
}

/** The gold table a `gold.aggregate` job writes. */
export function goldAggregateTarget(config: GoldAggregateConfig): LakeTableRef {
  const ref = parseTableName(`gold.${config.target?.namespace}.${config.target?.table}`, 'target');
  return ref;
}

/** One table in the FROM clause. */
interface Relation {
  alias: string;
  ref: LakeTableRef;
  schema: ColumnSchema[];
  /** Its columns may be null for lack of a match (a left-joined dimension, or one joined to it). */
  outer: boolean;
}

interface ResolvedColumn {
  rel: Relation;
  column: ColumnSchema;
  /** `"alias"."column"` */
  sql: string;
}

/** Collects problems (each with its error code) and throws them together, under the first one's code. */
class Problems {
  readonly list: { code: TransformErrorCode; problem: TransformProblem }[] = [];

  add(code: TransformErrorCode, field: string, message: string, position?: number): void {
    this.list.push({ code, problem: position === undefined ? { field, message } : { field, message, position } });
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    const more = this.list.length > 1 ? ` (and ${this.list.length - 1} more problem${this.list.length > 2 ? 's' : ''})` : '';
    throw new TransformError(first.code, `gold.aggregate: ${first.problem.field}: ${first.problem.message}${more}`, {
      problems: this.list.map((p) => p.problem),
    });
  }
}

const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const ALIAS = /^[a-z][a-z0-9_]{0,62}$/;
/** A relation name the runner passes: up to three identifiers, bare or double-quoted. */
const RELATION = /^(?:"(?:[^"\0]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"\0]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)){0,2}$/;

/** Shape checks for callers that did not run the JSON schema (the console's preview, tests): bounds, enums, no NUL. */
function checkShape(config: GoldAggregateConfig, p: Problems): void {
  const str = (value: unknown, field: string, max: number, optional = false): value is string => {
    if (value === undefined && optional) return false;
    if (typeof value !== 'string' || value.length === 0) p.add('FF_TRANSFORM_CONFIG', field, 'must be a non-empty string');
    else if (value.length > max) p.add('FF_TRANSFORM_CONFIG', field, `must be at most ${max} characters`);
    else if (/[\u0000-\u001f]/.test(value)) p.add('FF_TRANSFORM_CONFIG', field, 'must not contain control characters (NUL, newline...)');
    else return true;
    return false;
  };
  const list = (value: unknown, field: string, max: number, min = 0): unknown[] => {
    if (value === undefined && min === 0) return [];
    if (!Array.isArray(value)) {
      p.add('FF_TRANSFORM_CONFIG', field, 'must be an array');
      return [];
    }
    if (value.length < min || value.length > max) p.add('FF_TRANSFORM_CONFIG', field, `must have ${min} to ${max} items, has ${value.length}`);
    return value.slice(0, max);
  };
  const name = (value: unknown, field: string, optional = false): void => {
    if (value === undefined && optional) return;
    if (typeof value !== 'string' || !OUTPUT_NAME.test(value))
      p.add('FF_TRANSFORM_CONFIG', field, 'must be 1-63 letters, digits or _, not starting with a digit');
  };
  if (typeof config !== 'object' || config === null) {
    p.add('FF_TRANSFORM_CONFIG', 'config', 'must be an object');
    return;
  }
  str(config.fact, 'fact', 200);
  list(config.dimensions, 'dimensions', GOLD_LIMITS.dimensions).forEach((d, i) => {
    const dim = (d ?? {}) as Partial<GoldDimension>;
    str(dim.table, `dimensions[${i}].table`, 200);
    if (typeof dim.alias !== 'string' || !ALIAS.test(dim.alias)) {
      p.add('FF_TRANSFORM_CONFIG', `dimensions[${i}].alias`, 'must be 1-63 lower-case letters, digits or _, starting with a letter');
    } else if (dim.alias === FACT_ALIAS) p.add('FF_TRANSFORM_CONFIG', `dimensions[${i}].alias`, `"${FACT_ALIAS}" is the fact table's alias: choose another`);
    if (typeof dim.join !== 'object' || dim.join === null) p.add('FF_TRANSFORM_CONFIG', `dimensions[${i}].join`, 'must be an object { from, to }');
    else {
      str(dim.join.from, `dimensions[${i}].join.from`, GOLD_LIMITS.columnRef);
      str(dim.join.to, `dimensions[${i}].join.to`, GOLD_LIMITS.columnRef);
    }
    if (dim.joinType !== undefined && dim.joinType !== 'left' && dim.joinType !== 'inner')
      p.add('FF_TRANSFORM_CONFIG', `dimensions[${i}].joinType`, 'must be left or inner');
  });
  list(config.groupBy, 'groupBy', GOLD_LIMITS.groupBy).forEach((g, i) => {
    const group = (g ?? {}) as { column?: unknown; as?: unknown };
    str(group.column, `groupBy[${i}].column`, GOLD_LIMITS.columnRef);
    name(group.as, `groupBy[${i}].as`, true);
  });
  if (config.time !== undefined) {
    if (typeof config.time !== 'object' || config.time === null) p.add('FF_TRANSFORM_CONFIG', 'time', 'must be an object { column, grain, timeZone }');
    else {
      str(config.time.column, 'time.column', GOLD_LIMITS.columnRef);
      if (!(GOLD_GRAINS as readonly string[]).includes(config.time.grain))
        p.add('FF_TRANSFORM_CONFIG', 'time.grain', `must be one of ${GOLD_GRAINS.join(', ')}`);
      name(config.time.as, 'time.as', true);
      str(config.time.timeZone, 'time.timeZone', 64, true);
    }
  }
  list(config.measures, 'measures', GOLD_LIMITS.measures, 1).forEach((m, i) => {
    const measure = (m ?? {}) as { name?: unknown; fn?: unknown; column?: unknown };
    name(measure.name, `measures[${i}].name`);
    if (!(GOLD_MEASURE_FNS as readonly unknown[]).includes(measure.fn))
      p.add('FF_TRANSFORM_CONFIG', `measures[${i}].fn`, `must be one of ${GOLD_MEASURE_FNS.join(', ')}`);
    str(measure.column, `measures[${i}].column`, GOLD_LIMITS.columnRef, true);
  });
  list(config.kpis, 'kpis', GOLD_LIMITS.kpis).forEach((k, i) => {
    const kpi = (k ?? {}) as { name?: unknown; expression?: unknown };
    name(kpi.name, `kpis[${i}].name`);
    if (typeof kpi.expression !== 'string' || kpi.expression.trim() === '')
      p.add('FF_TRANSFORM_CONFIG', `kpis[${i}].expression`, 'must be a non-empty expression');
    else if (kpi.expression.length > GOLD_LIMITS.expression)
      p.add('FF_TRANSFORM_CONFIG', `kpis[${i}].expression`, `must be at most ${GOLD_LIMITS.expression} characters`);
    else if (kpi.expression.includes('\0')) p.add('FF_TRANSFORM_CONFIG', `kpis[${i}].expression`, 'must not contain NUL');
  });
  if (typeof config.target !== 'object' || config.target === null) p.add('FF_TRANSFORM_CONFIG', 'target', 'must be an object { namespace, table }');
  else if (config.target.layer !== undefined && config.target.layer !== 'gold') p.add('FF_TRANSFORM_CONFIG', 'target.layer', 'must be gold');
  if (config.mode !== undefined && config.mode !== 'replace' && config.mode !== 'incremental')
    p.add('FF_TRANSFORM_CONFIG', 'mode', 'must be replace or incremental');
}

/**
 * The IANA zone `timeZone` names, as DuckDB's ICU knows it (canonical casing), or null when Node's ICU does
 * not know it. Offsets (`+01:00`) and abbreviations DuckDB would read differently are refused by the pattern.
 */
export function canonicalTimeZone(timeZone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(timeZone)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Families of types that join with each other without a surprising cast (a key of another family is a config error). */
function typeFamily(type: string): string {
  const t = type.toUpperCase();
  if (isNumericType(t)) return /^(FLOAT|DOUBLE|REAL)$/.test(t) ? 'floating-point number' : 'exact number';
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)(\(\d+\))?$/.test(t)) return 'string';
  if (t === 'DATE') return 'date';
  if (/^TIMESTAMP/.test(t) || t === 'DATETIME') return 'timestamp';
  return t;
}

type TimeKind = 'date' | 'timestamp' | 'timestamptz';

function timeKind(type: string): TimeKind | null {
  const t = type.toUpperCase();
  if (t === 'DATE') return 'date';
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'timestamptz';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t) || t === 'DATETIME') return 'timestamp';
  return null;
}

/** The DATE the period of `column` starts on, in `timeZone` (naive TIMESTAMPs are UTC; DATEs are not shifted). */
function bucketSql(column: string, kind: TimeKind, grain: GoldGrain, timeZone: string): string {
  const local =
    kind === 'date'
      ? column
      : kind === 'timestamptz'
        ? `timezone(${sqlString(timeZone)}, ${column})`
        : `timezone(${sqlString(timeZone)}, timezone('UTC', CAST(${column} AS TIMESTAMP)))`;
  return `CAST(date_trunc(${sqlString(grain)}, ${local}) AS DATE)`;
}

/** The output type of a measure over a column of `type` (fixed, Parquet-friendly: no HUGEINT). */
function measureType(fn: GoldMeasureFn, type: string | undefined): string {
  switch (fn) {
    case 'count':
    case 'count_distinct':
      return 'BIGINT';
    case 'avg':
      return 'DOUBLE';
    case 'min':
    case 'max':
      return type!;
    case 'sum': {
      const t = type!.toUpperCase();
      const decimal = /^DECIMAL\(\d+,\s*(\d+)\)$/.exec(t);
      if (decimal) return `DECIMAL(38,${decimal[1]})`;
      if (/^(FLOAT|DOUBLE)$/.test(t)) return 'DOUBLE';
      if (/^(UBIGINT|HUGEINT|UHUGEINT)$/.test(t)) return 'DECIMAL(38,0)';
      return 'BIGINT';
    }
  }
}

function measureSql(fn: GoldMeasureFn, column: string | null, type: string): string {
  switch (fn) {
    case 'count':
      return column === null ? 'count(*)' : `count(${column})`;
    case 'count_distinct':
      return `count(DISTINCT ${column})`;
    case 'avg':
      return `CAST(avg(${column}) AS DOUBLE)`;
    case 'sum':
      return `CAST(sum(${column}) AS ${type})`;
    case 'min':
    case 'max':
      return `${fn}(${column})`;
  }
}

/**
 * Compiles a `gold.aggregate` job. Every column is resolved against `ctx.schemas`; problems are collected
 * and thrown together as one TransformError naming each field (`groupBy[1].column`, `kpis[0].expression`
 * with the character position). With `opts.incremental`, compiles the incremental refresh described in
 * libs/transform/README.md ("Incremental refresh").
 */
export function compileGoldAggregate(config: GoldAggregateConfig, ctx: CompileContext, opts: GoldCompileOptions = {}): GoldCompiledJob {
  const problems = new Problems();
  checkShape(config, problems);
  problems.throwIfAny();
  const c = normalizeGoldAggregateConfig(config);

  // Tables, aliases, schemas.
  let target: LakeTableRef | undefined;
  try {
    target = goldAggregateTarget(c);
  } catch (err) {
    problems.add('FF_TRANSFORM_CONFIG', 'target', err instanceof TransformError ? err.problems[0]!.message : String(err));
  }
  const parse = (name: string, field: string): LakeTableRef | undefined => {
    try {
      return parseTableName(name, field);
    } catch (err) {
      problems.add('FF_TRANSFORM_CONFIG', field, err instanceof TransformError ? err.problems[0]!.message : String(err));
      return undefined;
    }
  };
  const factRef = parse(c.fact, 'fact');
  if (factRef && target && tableName(factRef) === tableName(target))
    problems.add('FF_TRANSFORM_CONFIG', 'fact', 'is the target table itself: a gold aggregation cannot read what it writes');
  const dimRefs = c.dimensions.map((d, i) => parse(d.table, `dimensions[${i}].table`));
  const aliasSeen = new Map<string, number>();
  c.dimensions.forEach((d, i) => {
    const before = aliasSeen.get(d.alias);
    if (before !== undefined) problems.add('FF_TRANSFORM_CONFIG', `dimensions[${i}].alias`, `"${d.alias}" is already the alias of dimensions[${before}]`);
    else aliasSeen.set(d.alias, i);
  });
  const schemaOf = (ref: LakeTableRef | undefined, field: string): ColumnSchema[] | undefined => {
    if (!ref) return undefined;
    const schema = ctx.schemas(ref);
    if (!schema) problems.add('FF_TRANSFORM_UNKNOWN_TABLE', field, `${tableName(ref)} is not in the lake (or not readable)`);
    return schema;
  };
  const factSchema = schemaOf(factRef, 'fact');
  const dimSchemas = dimRefs.map((r, i) => schemaOf(r, `dimensions[${i}].table`));
  problems.throwIfAny();

  const fact: Relation = { alias: FACT_ALIAS, ref: factRef!, schema: factSchema!, outer: false };
  const dims: Relation[] = c.dimensions.map((d, i) => ({ alias: d.alias, ref: dimRefs[i]!, schema: dimSchemas[i]!, outer: false }));
  const all = [fact, ...dims];

  /** Resolves `alias.column` or a bare column among `scope`; adds a problem and returns undefined when it cannot. */
  const resolve = (text: string, field: string, scope: Relation[]): ResolvedColumn | undefined => {
    const dot = text.indexOf('.');
    const qualifier = dot > 0 ? text.slice(0, dot) : undefined;
    const named = qualifier !== undefined ? all.find((r) => r.alias === qualifier) : undefined;
    const find = (rel: Relation, name: string): ColumnSchema | undefined =>
      rel.schema.find((col) => col.name === name) ?? rel.schema.find((col) => col.name.toLowerCase() === name.toLowerCase());
    if (named) {
      const column = text.slice(dot + 1);
      if (!scope.includes(named)) {
        problems.add('FF_TRANSFORM_CONFIG', field, `"${named.alias}" cannot be used here (a dimension joins the fact or a dimension listed before it)`);
        return undefined;
      }
      const col = find(named, column);
      if (!col) {
        const known = named.schema.map((s) => s.name);
        problems.add(
          'FF_TRANSFORM_UNKNOWN_COLUMN',
          field,
          `${named.alias} (${tableName(named.ref)}) has no column ${JSON.stringify(column)}; it has ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`,
        );
        return undefined;
      }
      return { rel: named, column: col, sql: `${sqlIdent(named.alias)}.${sqlIdent(col.name)}` };
    }
    const matches = scope.flatMap((rel) => {
      const col = find(rel, text);
      return col ? [{ rel, column: col, sql: `${sqlIdent(rel.alias)}.${sqlIdent(col.name)}` }] : [];
    });
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      problems.add(
        'FF_TRANSFORM_CONFIG',
        field,
        `column ${JSON.stringify(text)} is ambiguous: ${matches.map((m) => m.rel.alias).join(' and ')} both have it; write it with its alias, e.g. ${matches[1]!.rel.alias}.${text}`,
      );
      return undefined;
    }
    const where = scope.map((r) => r.alias).join(', ');
    problems.add(
      'FF_TRANSFORM_UNKNOWN_COLUMN',
      field,
      qualifier !== undefined
        ? `"${qualifier}" is not an alias of this job (fact, ${c.dimensions.map((d) => d.alias).join(', ') || 'no dimensions'}) and no table has a column ${JSON.stringify(text)}`
        : `no table of ${where} has a column ${JSON.stringify(text)}`,
    );
    return undefined;
  };

  // Joins: each dimension joins the fact or a dimension listed before it.
  const joins: string[] = [];
  const guards: CompiledGuard[] = [];
  c.dimensions.forEach((d, i) => {
    const dim = dims[i]!;
    const field = `dimensions[${i}].join`;
    const from = resolve(d.join.from, `${field}.from`, all.slice(0, i + 1));
    const toText = d.join.to.startsWith(`${d.alias}.`) ? d.join.to : `${d.alias}.${d.join.to}`;
    const to = resolve(toText, `${field}.to`, [dim]);
    if (!from || !to) return;
    if (from.rel === dim) {
      problems.add('FF_TRANSFORM_CONFIG', `${field}.from`, `must be a column of the fact or of a dimension listed before ${d.alias}, not of ${d.alias} itself`);
      return;
    }
    const [ff, tf] = [typeFamily(from.column.type), typeFamily(to.column.type)];
    if (ff !== tf) {
      problems.add(
        'FF_TRANSFORM_CONFIG',
        field,
        `join key types differ: ${from.rel.alias}.${from.column.name} is ${from.column.type} but ${d.alias}.${to.column.name} is ${to.column.type}; cast one of them in silver first`,
      );
      return;
    }
    dim.outer = d.joinType === 'left' || from.rel.outer;
    joins.push(`${d.joinType === 'left' ? 'LEFT JOIN' : 'JOIN'} ${tableSql(dim.ref)} AS ${sqlIdent(dim.alias)} ON ${from.sql} = ${to.sql}`);
    const key = sqlIdent(to.column.name);
    guards.push({
      code: 'FF_TRANSFORM_DUPLICATE_KEY',
      message: `dimensions[${i}] (${d.alias}, ${tableName(dim.ref)}) has the key ${to.column.name} more than once: the facts joining a repeated key would be counted once per copy`,
      sql: `SELECT ${key} AS "key", count(*) AS "rows" FROM ${tableSql(dim.ref)} WHERE ${key} IS NOT NULL GROUP BY ${key} HAVING count(*) > 1 ORDER BY ${key} LIMIT 10`,
    });
  });

  // Output columns: group columns, time bucket, measures, KPIs.
  const outputs: { name: string; field: string }[] = [];
  const schema: ColumnSchema[] = [];
  const groupExprs: string[] = [];
  const selects: string[] = [];
  c.groupBy.forEach((g, i) => {
    const col = resolve(g.column, `groupBy[${i}].column`, all);
    if (!col) return;
    const name = g.as ?? col.column.name;
    if (g.as === undefined && !OUTPUT_NAME.test(name)) {
      problems.add('FF_TRANSFORM_CONFIG', `groupBy[${i}].as`, `the column name ${JSON.stringify(name)} cannot name an output column: give it a name with "as"`);
      return;
    }
    outputs.push({ name, field: g.as !== undefined ? `groupBy[${i}].as` : `groupBy[${i}].column` });
    schema.push({ name, type: col.column.type, nullable: col.column.nullable || col.rel.outer });
    groupExprs.push(col.sql);
    selects.push(`${col.sql} AS ${sqlIdent(name)}`);
  });

  let bucket: string | undefined;
  let partitionColumn: string | undefined;
  /** The time column when it is the fact's own (an incremental refresh then filters the fact by time ranges). */
  let factTime: { sql: string; kind: TimeKind; grain: GoldGrain } | undefined;
  if (c.time) {
    const col = resolve(c.time.column, 'time.column', all);
    const timeZone = canonicalTimeZone(c.time.timeZone);
    if (!timeZone)
      problems.add(
        'FF_TRANSFORM_CONFIG',
        'time.timeZone',
        `${JSON.stringify(c.time.timeZone)} is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`,
      );
    const kind = col ? timeKind(col.column.type) : null;
    if (col && !kind)
      problems.add(
        'FF_TRANSFORM_CONFIG',
        'time.column',
        `${col.rel.alias}.${col.column.name} is ${col.column.type}: the time bucket needs a DATE or TIMESTAMP column`,
      );
    if (col && kind && timeZone) {
      partitionColumn = c.time.as ?? `${col.column.name}_${c.time.grain}`;
      if (!OUTPUT_NAME.test(partitionColumn)) {
        problems.add('FF_TRANSFORM_CONFIG', 'time.as', `${JSON.stringify(partitionColumn)} cannot name an output column: give the bucket a name with "as"`);
      } else {
        bucket = bucketSql(col.sql, kind, c.time.grain, timeZone);
        if (col.rel === fact) factTime = { sql: col.sql, kind, grain: c.time.grain };
        outputs.push({ name: partitionColumn, field: c.time.as !== undefined ? 'time.as' : 'time.column' });
        schema.push({ name: partitionColumn, type: 'DATE', nullable: col.column.nullable || col.rel.outer });
        groupExprs.push(bucket);
        selects.push(`${bucket} AS ${sqlIdent(partitionColumn)}`);
      }
    }
  }

  c.measures.forEach((m, i) => {
    const field = `measures[${i}].column`;
    let col: ResolvedColumn | undefined;
    if (m.column === undefined || m.column === '*') {
      if (m.fn !== 'count') {
        problems.add('FF_TRANSFORM_CONFIG', field, `${m.fn} needs a column (only count may count rows with "*")`);
        return;
      }
    } else {
      col = resolve(m.column, field, all);
      if (!col) return;
      const type = col.column.type;
      if ((m.fn === 'sum' || m.fn === 'avg') && !isNumericType(type)) {
        problems.add('FF_TRANSFORM_CONFIG', field, `${m.fn} needs a numeric column; ${col.rel.alias}.${col.column.name} is ${type}`);
        return;
      }
      if ((m.fn === 'min' || m.fn === 'max') && !hasOrderedStats(type)) {
        problems.add('FF_TRANSFORM_CONFIG', field, `${m.fn} needs an ordered type; ${col.rel.alias}.${col.column.name} is ${type}`);
        return;
      }
    }
    const type = measureType(m.fn, col?.column.type);
    outputs.push({ name: m.name, field: `measures[${i}].name` });
    schema.push({ name: m.name, type, nullable: m.fn !== 'count' && m.fn !== 'count_distinct' });
    selects.push(`${measureSql(m.fn, col?.sql ?? null, type)} AS ${sqlIdent(m.name)}`);
  });

  const kpiSelects: string[] = [];
  const measureNames = c.measures.map((m) => m.name);
  c.kpis.forEach((k, i) => {
    const field = `kpis[${i}].expression`;
    try {
      const sql = compileKpiExpression(k.expression, measureNames, '"agg"');
      outputs.push({ name: k.name, field: `kpis[${i}].name` });
      schema.push({ name: k.name, type: 'DOUBLE', nullable: true });
      kpiSelects.push(`CAST(${sql} AS DOUBLE) AS ${sqlIdent(k.name)}`);
    } catch (err) {
      const problem = kpiProblem(field, err);
      problems.add('FF_TRANSFORM_EXPRESSION', problem.field, problem.message, problem.position);
    }
  });

  // DuckDB identifiers ignore case: "Revenue" and "revenue" would be one column.
  const taken = new Map<string, string>();
  for (const o of outputs) {
    const first = taken.get(o.name.toLowerCase());
    if (first !== undefined)
      problems.add('FF_TRANSFORM_NAME_COLLISION', o.field, `output column "${o.name}" is also produced by ${first}: rename one (with "as" or another name)`);
    else taken.set(o.name.toLowerCase(), o.field);
  }

  if (c.mode === 'incremental' && !c.time)
    problems.add('FF_TRANSFORM_CONFIG', 'mode', 'incremental refresh needs time: it recomputes only the time buckets new facts fall in');
  if (opts.incremental) {
    if (c.mode !== 'incremental')
      problems.add('FF_TRANSFORM_CONFIG', 'mode', 'is replace: an incremental refresh was asked for a job that always recomputes everything');
    for (const key of ['newFacts', 'previous'] as const) {
      const rel = opts.incremental[key];
      if (typeof rel !== 'string' || !RELATION.test(rel))
        problems.add('FF_TRANSFORM_CONFIG', `incremental.${key}`, 'must be a relation name (up to three identifiers, bare or double-quoted)');
    }
    const partitions = opts.incremental.partitions;
    if (partitions !== undefined) {
      if (!Array.isArray(partitions) || partitions.length > GOLD_MAX_PARTITIONS)
        problems.add('FF_TRANSFORM_CONFIG', 'incremental.partitions', `must be an array of at most ${GOLD_MAX_PARTITIONS} dates`);
      else
        partitions.forEach((p, i) => {
          if (p !== null && isoDayNumber(p) === null) problems.add('FF_TRANSFORM_CONFIG', `incremental.partitions[${i}]`, 'must be a date YYYY-MM-DD or null');
        });
    }
  }
  problems.throwIfAny();

  // SQL: aggregate over the joined rows, KPIs over the aggregate, rows in bucket then group order.
  const fromJoins = (factSql: string): string => [`${factSql} AS ${sqlIdent(FACT_ALIAS)}`, ...joins].join(' ');
  const aggregate = (where?: string): string =>
    `SELECT ${selects.join(', ')} FROM ${fromJoins(tableSql(fact.ref))}${where ? ` WHERE ${where}` : ''}${groupExprs.length ? ` GROUP BY ${groupExprs.join(', ')}` : ''}`;
  const withKpis = (inner: string): string => `SELECT "agg".*${kpiSelects.map((k) => `, ${k}`).join('')} FROM (${inner}) AS "agg"`;
  const orderBy = [...(partitionColumn ? [partitionColumn] : []), ...schema.slice(0, c.groupBy.length).map((s) => s.name)].map(sqlIdent);
  const ordered = (sql: string): string => (orderBy.length ? `${sql} ORDER BY ${orderBy.join(', ')}` : sql);

  const inputs = goldAggregateInputs(c);
  const base = { inputs, schema, target: target!, guards, ...(partitionColumn ? { partitionColumn } : {}) };
  if (!opts.incremental) return { ...base, sql: ordered(withKpis(aggregate())) };

  // Incremental: the buckets of the new facts (joined like the facts: the bucket may come from a dimension),
  // or the constants the runner passed...
  const part = sqlIdent(partitionColumn!);
  const given = opts.incremental.partitions;
  const affected = given
    ? given.length === 0
      ? `SELECT CAST(NULL AS DATE) AS "partition" WHERE false`
      : `SELECT DISTINCT "partition" FROM (VALUES ${given.map((p) => `(${p === null ? 'CAST(NULL AS DATE)' : `DATE ${sqlString(p)}`})`).join(', ')}) AS "v"("partition")`
    : `SELECT DISTINCT ${bucket!} AS "partition" FROM ${fromJoins(opts.incremental.newFacts)}`;
  const cte = `WITH "__ff_gold_affected" AS (${affected})`;
  // ...the previous rows of every other bucket, as they are...
  const kept =
    `SELECT ${schema.map((s) => `CAST("__ff_previous".${sqlIdent(s.name)} AS ${s.type}) AS ${sqlIdent(s.name)}`).join(', ')} ` +
    `FROM ${opts.incremental.previous} AS "__ff_previous" ` +
    `WHERE NOT EXISTS (SELECT 1 FROM "__ff_gold_affected" AS "a" WHERE "a"."partition" IS NOT DISTINCT FROM "__ff_previous".${part})`;
  // ...and the affected buckets recomputed over the WHOLE fact table (COUNT DISTINCT and AVG do not merge),
  // its rows first narrowed by time ranges around the buckets when the time column is the fact's.
  const inBucket = `EXISTS (SELECT 1 FROM "__ff_gold_affected" AS "a" WHERE "a"."partition" IS NOT DISTINCT FROM ${bucket!})`;
  const narrowed = factTime && given ? factRangeFilter(factTime, given) : undefined;
  const recomputed = withKpis(aggregate(narrowed ? `${narrowed} AND ${inBucket}` : inBucket));
  return {
    ...base,
    sql: `${cte} SELECT * FROM (${kept} UNION ALL ${recomputed}) AS "refreshed"${orderBy.length ? ` ORDER BY ${orderBy.join(', ')}` : ''}`,
    affectedPartitionsSql: `SELECT "partition" FROM (${affected}) AS "affected" ORDER BY "partition"`,
  };
}

/** Days since 1970-01-01 of a valid `YYYY-MM-DD`, else null. */
function isoDayNumber(text: string): number | null {
  const m = typeof text === 'string' ? ISO_DATE.exec(text) : null;
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** The first day after the period of `grain` starting on `day` (a day number). */
function periodEnd(day: number, grain: GoldGrain): number {
  const date = new Date(day * DAY_MS);
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  const months = { day: 0, week: 0, month: 1, quarter: 3, year: 12 }[grain];
  if (months === 0) return day + (grain === 'week' ? 7 : 1);
  return Date.UTC(y, m + months, d) / DAY_MS;
}

/**
 * A filter of the fact's time column keeping every row whose bucket is in `partitions` (and, as it is
 * written with constants, letting DuckDB skip row groups by their min/max): each bucket's days widened by
 * one day on both sides, which covers any UTC offset (-12 h to +14 h) and DST, merged into ranges. It only
 * narrows: the exact bucket test follows it.
 */
function factRangeFilter(time: { sql: string; kind: TimeKind; grain: GoldGrain }, partitions: readonly (string | null)[]): string {
  const days = [...new Set(partitions.filter((p): p is string => p !== null).map((p) => isoDayNumber(p)!))].sort((a, b) => a - b);
  const withNull = partitions.includes(null);
  const exact = time.kind === 'date';
  let ranges = days.map((d) => [exact ? d : d - 1, exact ? periodEnd(d, time.grain) : periodEnd(d, time.grain) + 1] as [number, number]);
  ranges = ranges.reduce<[number, number][]>((out, r) => {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([...r]);
    return out;
  }, []);
  if (ranges.length > MAX_RANGES) ranges = [[ranges[0]![0], ranges[ranges.length - 1]![1]]];
  const literal = (day: number): string => {
    const iso = new Date(day * DAY_MS).toISOString().slice(0, 10);
    return time.kind === 'date' ? `DATE '${iso}'` : time.kind === 'timestamptz' ? `TIMESTAMPTZ '${iso} 00:00:00+00'` : `TIMESTAMP '${iso} 00:00:00'`;
  };
  const conditions = ranges.map(([lo, hi]) => `(${time.sql} >= ${literal(lo)} AND ${time.sql} < ${literal(hi)})`);
  if (withNull) conditions.push(`${time.sql} IS NULL`);
  if (conditions.length === 0) return 'false';
  return `(${conditions.join(' OR ')})`;
}
