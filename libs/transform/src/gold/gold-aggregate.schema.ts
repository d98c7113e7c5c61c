/**
 * The configuration of the `gold.aggregate` job type (libs/transform/README.md, "Gold aggregation"): a fact
 * table joined to dimension tables (star or snowflake), grouped by dimension columns and a time bucket,
 * reduced to measures and KPIs over those measures, written to a gold table.
 */

/** A lake name (libs/engine LAKE_NAME). */
const LAKE_NAME = '^[a-z][a-z0-9_]{0,62}$';
/** `<layer>.<namespace>.<table>`, e.g. silver.sales.orders (parseTableName checks it again). */
const TABLE_NAME = '^(bronze|silver|gold)\\.[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}$';
/** A dimension alias: a lake-style name; `fact` is the fact table's own alias. */
const ALIAS = '^[a-z][a-z0-9_]{0,62}$';
/** `alias.column` or a bare `column`: any printable text (column names come from the source files). */
const COLUMN_REF = '^[^\\u0000-\\u001f]+$';
/** An output column name: letters, digits and `_`, not starting with a digit. */
const OUTPUT_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';
/** An IANA zone name (Europe/Berlin, UTC); offsets like +01:00 are refused (they have no DST rules). */
const TIME_ZONE = '^[A-Za-z][A-Za-z0-9_+/-]{0,63}$';

/** Time grains of the time bucket; `week` is the ISO week, starting on Monday. */
export const GOLD_GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type GoldGrain = (typeof GOLD_GRAINS)[number];

/** Aggregate functions of a measure. */
export const GOLD_MEASURE_FNS = ['sum', 'avg', 'count', 'count_distinct', 'min', 'max'] as const;
export type GoldMeasureFn = (typeof GOLD_MEASURE_FNS)[number];

/** Bounds of the configuration (also in the JSON schema): the compiler checks them again for callers that skip the schema. */
export const GOLD_LIMITS = {
  dimensions: 32,
  groupBy: 32,
  measures: 64,
  kpis: 64,
  columnRef: 200,
  expression: 2000,
} as const;

const columnRef = (description: string, title: string) =>
  ({ type: 'string', minLength: 1, maxLength: GOLD_LIMITS.columnRef, pattern: COLUMN_REF, title, description }) as const;

/** The config of `gold.aggregate` (JSON Schema 2020-12): validated when a job is applied and again at each dispatch. */
export const GOLD_AGGREGATE_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Gold aggregation',
  description: 'A fact table joined to its dimensions (star or snowflake), grouped by dimension columns and a time bucket, reduced to measures and KPIs',
  type: 'object',
  additionalProperties: false,
  required: ['fact', 'measures', 'target'],
  properties: {
    fact: {
      type: 'string',
      maxLength: 200,
      pattern: TABLE_NAME,
      title: 'Fact table',
      description: 'The lake table of facts, <layer>.<namespace>.<table> (e.g. silver.sales.orders); its columns are written fact.<column>',
    },
    dimensions: {
      type: 'array',
      maxItems: GOLD_LIMITS.dimensions,
      default: [],
      title: 'Dimensions',
      description: 'Tables joined to the fact (star) or to a dimension listed before them (snowflake); a dimension key must be unique',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['table', 'alias', 'join'],
        title: 'Dimension',
        description: 'One dimension table and how it joins',
        properties: {
          table: { type: 'string', maxLength: 200, pattern: TABLE_NAME, title: 'Table', description: 'The lake table, <layer>.<namespace>.<table>' },
          alias: {
            type: 'string',
            maxLength: 63,
            pattern: ALIAS,
            not: { const: 'fact' },
            title: 'Alias',
            description: 'The name its columns are written with (customer.country); unique, not "fact"',
          },
          join: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            title: 'Join',
            description: 'The equality the dimension joins on: <from> = <this dimension>.<to>',
            properties: {
              from: columnRef('The foreign key: fact.<column>, or <alias>.<column> of a dimension listed before this one (snowflake)', 'From'),
              to: columnRef('The key column of this dimension (unique: a guard fails the job when it repeats)', 'To'),
            },
          },
          joinType: {
            enum: ['left', 'inner'],
            default: 'left',
            title: 'Join type',
            description: 'left: facts without a match are kept (their dimension columns are null); inner: they are dropped',
          },
        },
      },
    },
    groupBy: {
      type: 'array',
      maxItems: GOLD_LIMITS.groupBy,
      default: [],
      title: 'Group by',
      description: 'The columns the rows are grouped by (besides the time bucket)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['column'],
        title: 'Group column',
        description: 'One column to group by',
        properties: {
          column: columnRef('<alias>.<column>, or a bare column name when only one table has it', 'Column'),
          as: {
            type: 'string',
            pattern: OUTPUT_NAME,
            maxLength: 63,
            title: 'Output name',
            description: 'Its name in the gold table (default: the column name)',
          },
        },
      },
    },
    time: {
      type: 'object',
      additionalProperties: false,
      required: ['column', 'grain'],
      title: 'Time bucket',
      description: 'Group by the period a DATE or TIMESTAMP column falls in, in a time zone; required for incremental refresh',
      properties: {
        column: columnRef('A DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE column (TIMESTAMP without zone is read as UTC)', 'Column'),
        grain: {
          enum: [...GOLD_GRAINS],
          title: 'Grain',
          description: 'day, week (ISO: starts on Monday), month, quarter or year; the bucket is the DATE the period starts on',
        },
        timeZone: {
          type: 'string',
          maxLength: 64,
          pattern: TIME_ZONE,
          default: 'UTC',
          title: 'Time zone',
          description: 'IANA time zone the periods are cut in (e.g. Europe/Berlin); not applied to DATE columns',
        },
        as: {
          type: 'string',
          pattern: OUTPUT_NAME,
          maxLength: 63,
          title: 'Output name',
          description: 'Its name in the gold table (default: <column>_<grain>)',
        },
      },
    },
    measures: {
      type: 'array',
      minItems: 1,
      maxItems: GOLD_LIMITS.measures,
      title: 'Measures',
      description: 'The aggregates computed per group',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'fn'],
        title: 'Measure',
        description: 'One aggregate',
        properties: {
          name: { type: 'string', pattern: OUTPUT_NAME, maxLength: 63, title: 'Name', description: 'Its column in the gold table, and the name KPIs use' },
          fn: {
            enum: [...GOLD_MEASURE_FNS],
            title: 'Function',
            description: 'sum, avg (numeric columns), count (rows, or non-null values of a column), count_distinct, min, max',
          },
          column: columnRef('The column aggregated (<alias>.<column>); "*" or absent for count of rows', 'Column'),
        },
      },
    },
    kpis: {
      type: 'array',
      maxItems: GOLD_LIMITS.kpis,
      default: [],
      title: 'KPIs',
      description: 'Values computed from the measures of each group (DOUBLE)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'expression'],
        title: 'KPI',
        description: 'One expression over measure names',
        properties: {
          name: { type: 'string', pattern: OUTPUT_NAME, maxLength: 63, title: 'Name', description: 'Its column in the gold table' },
          expression: {
            type: 'string',
            minLength: 1,
            maxLength: GOLD_LIMITS.expression,
            pattern: '^[^\\u0000]*$',
            title: 'Expression',
            description:
              'Arithmetic over measure names: + - * / %, parentheses, numbers and nullif, coalesce, round, abs, greatest, least, floor, ceil, power, sqrt. x / 0 is Infinity (NaN for 0 / 0): write x / nullif(y, 0) for null',
          },
        },
      },
    },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'table'],
      title: 'Target',
      description: 'The gold table the rows go to',
      properties: {
        layer: { const: 'gold', default: 'gold', title: 'Layer', description: 'Always gold' },
        namespace: {
          type: 'string',
          maxLength: 63,
          pattern: LAKE_NAME,
          title: 'Namespace',
          description: '1-63 lower-case letters, digits or _, starting with a letter',
        },
        table: {
          type: 'string',
          maxLength: 63,
          pattern: LAKE_NAME,
          title: 'Table',
          description: '1-63 lower-case letters, digits or _, starting with a letter',
        },
      },
    },
    mode: {
      enum: ['replace', 'incremental'],
      default: 'replace',
      title: 'Refresh mode',
      description:
        'replace: recompute every row; incremental: recompute only the time buckets the new fact rows fall in (needs time, an append-only fact and unchanged dimensions; otherwise the run recomputes everything)',
    },
  },
  if: { properties: { mode: { const: 'incremental' } }, required: ['mode'] },
  then: { required: ['time'] },
} as const;

/** One dimension of a gold aggregation. */
export interface GoldDimension {
  /** `<layer>.<namespace>.<table>` */
  table: string;
  /** The name its columns are written with; `fact` is reserved for the fact table. */
  alias: string;
  /** `<from> = <alias>.<to>`: from is `fact.<col>` or `<earlier alias>.<col>`. */
  join: { from: string; to: string };
  /** Default left. */
  joinType?: 'left' | 'inner';
}

/** The config of `gold.aggregate` (see GOLD_AGGREGATE_CONFIG_SCHEMA for each field's meaning). */
export interface GoldAggregateConfig {
  fact: string;
  dimensions?: GoldDimension[];
  groupBy?: { column: string; as?: string }[];
  time?: { column: string; grain: GoldGrain; timeZone?: string; as?: string };
  measures: { name: string; fn: GoldMeasureFn; column?: string }[];
  kpis?: { name: string; expression: string }[];
  target: { layer?: 'gold'; namespace: string; table: string };
  mode?: 'replace' | 'incremental';
}
