import { FILTER_CONDITION_DEF, type FilterCondition, type FilterValue } from './filter';
import { EXPRESSION_MAX_LENGTH } from '../expr/expression';

/**
 * The configuration of a `transform.silver` job (libs/transform/README.md, "transform.silver"): one
 * main input, optional joins, then an ordered list of steps, compiled to one DuckDB query.
 */

/** Lake names (libs/engine LAKE_NAME); a table leaves room for the `__rejects` suffix of its companion. */
const NAMESPACE = '^[a-z][a-z0-9_]{0,62}$';
const TABLE = '^[a-z][a-z0-9_]{0,53}$';
/** `<layer>.<namespace>.<table>`. */
const TABLE_NAME = '^(bronze|silver|gold)\\.[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}$';
/** A column of an input or of an earlier step: any text but NUL. */
const COLUMN = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\u0000]+$' } as const;
/** A name this job gives to a column: a plain identifier; `_ff_` is reserved for the platform's audit columns. */
export const NEW_COLUMN_PATTERN = '^(?!_ff_)[A-Za-z_][A-Za-z0-9_]{0,254}$';
const NEW_COLUMN = { type: 'string', minLength: 1, maxLength: 255, pattern: NEW_COLUMN_PATTERN } as const;
/** Alias of an input inside this config (`<alias>.<column>` in join keys). */
const ALIAS = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } as const;
/**
 * The types a cast may target (DuckDB names, upper case). The text is pasted into SQL: only these.
 * DECIMAL(p,s) with 1 ≤ p ≤ 38, s ≤ p is checked by the compiler.
 */
export const CAST_TYPE_PATTERN =
  '^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\\([1-9][0-9]?, ?[0-9][0-9]?\\)|VARCHAR|DATE|TIME|TIMESTAMP|TIMESTAMPTZ|UUID|BLOB|INTERVAL|JSON)$';

export const STEPS_MAX = 100;
export const JOINS_MAX = 10;

const columnList = (description: string) => ({
  type: 'array',
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
  title: 'Columns',
  description,
  items: { ...COLUMN, title: 'Column' },
});
const emptyAsNull = { type: 'boolean', title: 'Empty as null', description: 'An empty result becomes null (default false)' };

const step = (op: string, title: string, description: string, required: string[], properties: Record<string, unknown>) => ({
  type: 'object',
  title,
  description,
  additionalProperties: false,
  required: ['op', ...required],
  properties: { op: { const: op, title: 'Operation', description: title }, ...properties },
});

/** The properties of a join (a top-level join, or a `join` step). */
const JOIN_PROPERTIES = {
  table: { type: 'string', maxLength: 200, pattern: TABLE_NAME, title: 'Table', description: 'The joined table, <layer>.<namespace>.<table>' },
  type: { enum: ['inner', 'left', 'right', 'full'], title: 'Join type', description: 'inner, left outer, right outer or full outer' },
  alias: { ...ALIAS, title: 'Alias', description: 'Name of this table in later join keys; default: its table name' },
  on: {
    type: 'array',
    minItems: 1,
    maxItems: 10,
    title: 'Keys',
    description: 'Pairs of equal columns (all must match)',
    items: {
      type: 'object',
      title: 'Key pair',
      description: 'A column of the tables joined so far equal to a column of this table',
      additionalProperties: false,
      required: ['left', 'right'],
      properties: {
        left: {
          ...COLUMN,
          maxLength: 320,
          title: 'Left column',
          description: 'A column joined so far (its output name), or <alias>.<column> of an earlier table',
        },
        right: { ...COLUMN, title: 'Right column', description: 'A column of this table' },
      },
    },
  },
  columns: {
    type: 'array',
    minItems: 1,
    maxItems: 1000,
    title: 'Columns taken',
    description: 'The columns of this table in the output (default: all but its _ff_ audit columns and the keys merged with the left side)',
    items: {
      type: 'object',
      title: 'Column',
      description: 'A column of this table, optionally renamed',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { ...COLUMN, title: 'Name', description: 'The column of this table' },
        as: { ...NEW_COLUMN, title: 'As', description: 'Its name in the output' },
      },
    },
  },
  prefix: {
    type: 'string',
    minLength: 1,
    maxLength: 63,
    pattern: '^(?!_ff_)[A-Za-z_][A-Za-z0-9_]*$',
    title: 'Prefix',
    description: 'Put before the name of every column taken from this table (not those renamed with as), e.g. customer_ — resolves name collisions',
  },
} as const;

/** JSON Schema 2020-12 of the `transform.silver` config: validated at apply and at each dispatch; the console renders its form. */
export const TRANSFORM_SILVER_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Transform into Silver',
  description: 'Clean, conform and join lake tables into a Silver table: joins first, then the steps in order, as one query',
  type: 'object',
  additionalProperties: false,
  required: ['source', 'steps', 'target'],
  $defs: { condition: FILTER_CONDITION_DEF },
  properties: {
    source: {
      type: 'string',
      maxLength: 200,
      pattern: TABLE_NAME,
      title: 'Source table',
      description: 'The main input, <layer>.<namespace>.<table>, e.g. bronze.sales.orders',
    },
    alias: { ...ALIAS, title: 'Source alias', description: 'Name of the source in join keys (<alias>.<column>); default: its table name' },
    joins: {
      type: 'array',
      maxItems: JOINS_MAX,
      title: 'Joins',
      description: 'Tables joined to the source, in order, before the steps run',
      items: {
        type: 'object',
        title: 'Join',
        description: 'One table joined to the source (and the tables joined before it)',
        additionalProperties: false,
        required: ['table', 'type', 'on'],
        properties: JOIN_PROPERTIES,
      },
    },
    steps: {
      type: 'array',
      maxItems: STEPS_MAX,
      title: 'Steps',
      description: 'Applied in order to the joined rows; compiled into one query, nothing is materialised between steps',
      items: {
        title: 'Step',
        description: 'One operation on the rows',
        oneOf: [
          step('select', 'Select', 'Keep only these columns, in this order, optionally renamed and cast (audit columns go unless listed)', ['columns'], {
            columns: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              title: 'Columns',
              description: 'The columns kept',
              items: {
                type: 'object',
                title: 'Column',
                description: 'A column kept',
                additionalProperties: false,
                required: ['name'],
                properties: {
                  name: { ...COLUMN, title: 'Name', description: 'The column' },
                  as: { ...NEW_COLUMN, title: 'As', description: 'New name' },
                  cast: {
                    type: 'string',
                    pattern: CAST_TYPE_PATTERN,
                    title: 'Cast to',
                    description: 'Type to cast to; rows whose value does not convert go to the rejects',
                  },
                },
              },
            },
          }),
          step('drop', 'Drop columns', 'Remove these columns', ['columns'], { columns: columnList('The columns removed') }),
          step('rename', 'Rename', 'Rename columns', ['columns'], {
            columns: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              title: 'Renames',
              description: 'Old and new names',
              items: {
                type: 'object',
                title: 'Rename',
                description: 'One column renamed',
                additionalProperties: false,
                required: ['name', 'as'],
                properties: { name: { ...COLUMN, title: 'Name', description: 'The column' }, as: { ...NEW_COLUMN, title: 'As', description: 'Its new name' } },
              },
            },
          }),
          step('cast', 'Cast', 'Convert a column to a type', ['column', 'type'], {
            column: { ...COLUMN, title: 'Column', description: 'The column converted' },
            type: { type: 'string', pattern: CAST_TYPE_PATTERN, title: 'Type', description: 'Target type, e.g. INTEGER, DECIMAL(12,2), DATE, TIMESTAMP' },
            format: {
              type: 'string',
              minLength: 1,
              maxLength: 100,
              pattern: '^[^\\u0000]+$',
              title: 'Format',
              description: 'For DATE / TIMESTAMP / TIMESTAMPTZ from text: a strptime format, e.g. %d/%m/%Y',
            },
            onError: {
              enum: ['reject', 'null', 'fail'],
              title: 'On error',
              description: 'A value that does not convert: reject (default: the row goes to the rejects, with the reason), null, or fail the job',
            },
          }),
          ...(['trim', 'lower', 'upper'] as const).map((op) =>
            step(
              op,
              { trim: 'Trim', lower: 'Lower case', upper: 'Upper case' }[op],
              `${{ trim: 'Remove leading and trailing spaces of', lower: 'Lower-case', upper: 'Upper-case' }[op]} text columns`,
              ['columns'],
              {
                columns: columnList('Text columns'),
                emptyAsNull,
              },
            ),
          ),
          step('normalize', 'Normalize text', 'Unicode NFC, runs of white space to one space, trimmed', ['columns'], {
            columns: columnList('Text columns'),
            stripAccents: { type: 'boolean', title: 'Strip accents', description: 'Also remove accents (é → e); default false' },
            emptyAsNull,
          }),
          step('nulls', 'Null handling', 'What to do where a column is null', ['column', 'action'], {
            column: { ...COLUMN, title: 'Column', description: 'The column' },
            action: { enum: ['default', 'drop', 'fail'], title: 'Action', description: 'default: replace by value; drop: remove the row; fail: fail the job' },
            value: {
              title: 'Default value',
              description: 'For default: the value (of the column type; dates as ISO-8601 text)',
              anyOf: [{ type: 'string', maxLength: 4000 }, { type: 'number' }, { type: 'boolean' }],
            },
          }),
          step('dedupe', 'De-duplicate', 'One row per key: the first by the ordering (e.g. the latest by updated_at desc) wins', ['keys', 'orderBy'], {
            keys: { ...columnList('The key columns'), maxItems: 32, title: 'Keys' },
            orderBy: {
              type: 'array',
              minItems: 1,
              maxItems: 8,
              title: 'Order by',
              description: 'Which row of a key wins: the first in this order (nulls last)',
              items: {
                type: 'object',
                title: 'Ordering',
                description: 'A column and a direction',
                additionalProperties: false,
                required: ['column'],
                properties: {
                  column: { ...COLUMN, title: 'Column', description: 'The ordering column' },
                  direction: { enum: ['asc', 'desc'], title: 'Direction', description: 'desc (default): the latest wins; asc: the earliest' },
                },
              },
            },
          }),
          step('derive', 'Derived column', 'A new column computed by a SQL expression over the columns at this step', ['name', 'expression'], {
            name: { ...NEW_COLUMN, title: 'Name', description: 'The new column' },
            expression: {
              type: 'string',
              minLength: 1,
              maxLength: EXPRESSION_MAX_LENGTH,
              title: 'Expression',
              description: "A DuckDB SQL expression, e.g. CASE WHEN amount > 100 THEN 'big' ELSE 'small' END",
            },
            replace: { type: 'boolean', title: 'Replace', description: 'Allow the name of an existing column (its values are replaced); default false' },
          }),
          step(
            'join',
            'Join',
            'Join a table to the rows so far (e.g. after de-duplicating the source); left keys are the current column names',
            ['table', 'type', 'on'],
            JOIN_PROPERTIES,
          ),
          // No `default` inside oneOf (ajv applies none there): the compiler applies the defaults the descriptions state.
          step('filter', 'Filter rows', 'Keep the rows where the condition holds', ['condition'], {
            condition: { $ref: '#/$defs/condition', title: 'Condition', description: 'The rows kept' },
          }),
        ],
      },
    },
    target: {
      type: 'object',
      title: 'Target',
      description: 'The Silver table written; cast rejects go to <table>__rejects beside it',
      additionalProperties: false,
      required: ['namespace', 'table'],
      properties: {
        layer: { const: 'silver', default: 'silver', title: 'Layer', description: 'Always silver' },
        namespace: { type: 'string', pattern: NAMESPACE, title: 'Namespace', description: '1-63 lower-case letters, digits or _, starting with a letter' },
        table: { type: 'string', pattern: TABLE, title: 'Table', description: '1-54 lower-case letters, digits or _, starting with a letter' },
      },
    },
    mode: { enum: ['replace', 'append'], default: 'replace', title: 'Mode', description: 'replace: the table becomes these rows; append: add them' },
  },
} as const;

export interface SilverJoin {
  table: string;
  type: 'inner' | 'left' | 'right' | 'full';
  alias?: string;
  on: { left: string; right: string }[];
  columns?: { name: string; as?: string }[];
  prefix?: string;
}

export type SilverStep =
  | { op: 'select'; columns: { name: string; as?: string; cast?: string }[] }
  | { op: 'drop'; columns: string[] }
  | { op: 'rename'; columns: { name: string; as: string }[] }
  | { op: 'cast'; column: string; type: string; format?: string; onError?: 'reject' | 'null' | 'fail' }
  | { op: 'trim' | 'lower' | 'upper'; columns: string[]; emptyAsNull?: boolean }
  | { op: 'normalize'; columns: string[]; stripAccents?: boolean; emptyAsNull?: boolean }
  | { op: 'nulls'; column: string; action: 'default' | 'drop' | 'fail'; value?: FilterValue }
  | { op: 'dedupe'; keys: string[]; orderBy: { column: string; direction?: 'asc' | 'desc' }[] }
  | { op: 'derive'; name: string; expression: string; replace?: boolean }
  | { op: 'filter'; condition: FilterCondition }
  | ({ op: 'join' } & SilverJoin);

/** The config of `transform.silver` (TRANSFORM_SILVER_CONFIG_SCHEMA). */
export interface TransformSilverConfig {
  /** `<layer>.<namespace>.<table>` of the main input. */
  source: string;
  alias?: string;
  joins?: SilverJoin[];
  steps: SilverStep[];
  target: { layer?: 'silver'; namespace: string; table: string };
  mode?: 'replace' | 'append';
}
