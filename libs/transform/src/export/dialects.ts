import { sqlIdent, type ColumnSchema } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import type { DestinationTable, WarehouseKind } from './export-config';

/**
 * What a DuckDB column type is, as far as a destination cares: the type mapping tables below are written
 * over these kinds, not over DuckDB's many spellings (TIMESTAMP_MS, INT8, DECIMAL(18,2), VARCHAR[]...).
 */
export type ValueKind =
  | { kind: 'boolean' }
  | { kind: 'int'; bits: 8 | 16 | 32 | 64 | 128; unsigned: boolean }
  | { kind: 'float'; bits: 32 | 64 }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'text' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'blob' }
  | { kind: 'uuid' }
  /** Lists, arrays, structs, maps, unions and JSON: exported as JSON text. */
  | { kind: 'json' };

const INTS: Record<string, [8 | 16 | 32 | 64 | 128, boolean]> = {
  TINYINT: [8, false],
  INT1: [8, false],
  SMALLINT: [16, false],
  INT2: [16, false],
  INTEGER: [32, false],
  INT4: [32, false],
  INT: [32, false],
  BIGINT: [64, false],
  INT8: [64, false],
  HUGEINT: [128, false],
  UTINYINT: [8, true],
  USMALLINT: [16, true],
  UINTEGER: [32, true],
  UBIGINT: [64, true],
  UHUGEINT: [128, true],
};

/** The kind of a DuckDB type as DESCRIBE prints it. Unknown scalar types (INTERVAL, ENUM, BIT, TIME WITH TIME ZONE...) are text. */
export function valueKind(duckType: string): ValueKind {
  const t = duckType.trim().toUpperCase();
  if (/\]$/.test(t) || /^(STRUCT|MAP|UNION)\b/.test(t) || t === 'JSON') return { kind: 'json' };
  if (t in INTS) {
    const [bits, unsigned] = INTS[t]!;
    return { kind: 'int', bits, unsigned };
  }
  const dec = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (dec) return { kind: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) };
  if (t === 'DECIMAL' || t === 'NUMERIC') return { kind: 'decimal', precision: 18, scale: 3 };
  if (t === 'FLOAT' || t === 'REAL' || t === 'FLOAT4') return { kind: 'float', bits: 32 };
  if (t === 'DOUBLE' || t === 'FLOAT8') return { kind: 'float', bits: 64 };
  if (t === 'BOOLEAN' || t === 'BOOL') return { kind: 'boolean' };
  if (t === 'DATE') return { kind: 'date' };
  if (t === 'TIME') return { kind: 'time' };
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return { kind: 'timestamptz' };
  if (/^TIMESTAMP(_S|_MS|_NS|_US)?$/.test(t) || t === 'DATETIME') return { kind: 'timestamp' };
  if (t === 'BLOB' || t === 'BYTEA' || t === 'VARBINARY') return { kind: 'blob' };
  if (t === 'UUID') return { kind: 'uuid' };
  return { kind: 'text' };
}

type TypeTable = { [K in ValueKind['kind']]: (v: Extract<ValueKind, { kind: K }>) => string };

/** Decimals wider than a dialect's maximum precision keep their scale as far as it fits. */
const capDecimal = (p: number, s: number, max: number, name = 'DECIMAL'): string => `${name}(${Math.min(p, max)},${Math.min(s, Math.min(p, max))})`;
/** An integer as a decimal wide enough for it (unsigned 64 and 128-bit integers). */
const intDigits = (bits: number, unsigned: boolean): number => (bits === 128 ? 39 : bits === 64 && unsigned ? 20 : 19);

/**
 * DuckDB → Amazon Redshift (`pg`). VARCHAR(65535) is Redshift's longest text (its VARCHAR counts bytes);
 * BLOB travels as hex text (Redshift's VARBYTE is not in PostgreSQL, on which this mapping is tested);
 * 128-bit integers become DECIMAL(38,0) and a value beyond 38 digits fails the load.
 */
export const REDSHIFT_TYPES: TypeTable = {
  boolean: () => 'BOOLEAN',
  int: ({ bits, unsigned }) =>
    bits === 8 || (bits === 16 && !unsigned)
      ? 'SMALLINT'
      : bits === 16 || (bits === 32 && !unsigned)
        ? 'INTEGER'
        : bits === 32 || (bits === 64 && !unsigned)
          ? 'BIGINT'
          : capDecimal(intDigits(bits, unsigned), 0, 38),
  float: ({ bits }) => (bits === 32 ? 'REAL' : 'DOUBLE PRECISION'),
  decimal: ({ precision, scale }) => capDecimal(precision, scale, 38),
  text: () => 'VARCHAR(65535)',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp: () => 'TIMESTAMP',
  timestamptz: () => 'TIMESTAMPTZ',
  blob: () => 'VARCHAR(65535)',
  uuid: () => 'VARCHAR(36)',
  json: () => 'VARCHAR(65535)',
};

/**
 * DuckDB → Azure Synapse (T-SQL). T-SQL's TINYINT is unsigned, so DuckDB's signed TINYINT is SMALLINT;
 * text is NVARCHAR(MAX) (Unicode; Synapse columnstore tables accept MAX types); timestamps keep 6
 * fractional digits in the type but the bulk path carries milliseconds (tedious binds JS Dates).
 */
export const SYNAPSE_TYPES: TypeTable = {
  boolean: () => 'BIT',
  int: ({ bits, unsigned }) =>
    bits === 8 && unsigned
      ? 'TINYINT'
      : bits === 8 || (bits === 16 && !unsigned)
        ? 'SMALLINT'
        : bits === 16 || (bits === 32 && !unsigned)
          ? 'INT'
          : bits === 32 || (bits === 64 && !unsigned)
            ? 'BIGINT'
            : capDecimal(intDigits(bits, unsigned), 0, 38),
  float: ({ bits }) => (bits === 32 ? 'REAL' : 'FLOAT'),
  decimal: ({ precision, scale }) => capDecimal(precision, scale, 38),
  text: () => 'NVARCHAR(MAX)',
  date: () => 'DATE',
  time: () => 'TIME(6)',
  timestamp: () => 'DATETIME2(6)',
  timestamptz: () => 'DATETIMEOFFSET(6)',
  blob: () => 'VARBINARY(MAX)',
  uuid: () => 'UNIQUEIDENTIFIER',
  json: () => 'NVARCHAR(MAX)',
};

/** DuckDB → Snowflake. Loaded from Parquet (COPY INTO ... MATCH_BY_COLUMN_NAME), so the types are Parquet's. */
export const SNOWFLAKE_TYPES: TypeTable = {
  boolean: () => 'BOOLEAN',
  int: ({ bits, unsigned }) => (bits <= 32 || (bits === 64 && !unsigned) ? 'NUMBER(19,0)' : capDecimal(intDigits(bits, unsigned), 0, 38, 'NUMBER')),
  float: () => 'FLOAT',
  decimal: ({ precision, scale }) => capDecimal(precision, scale, 38, 'NUMBER'),
  text: () => 'VARCHAR',
  date: () => 'DATE',
  time: () => 'TIME(6)',
  timestamp: () => 'TIMESTAMP_NTZ(6)',
  timestamptz: () => 'TIMESTAMP_TZ(6)',
  blob: () => 'BINARY',
  uuid: () => 'VARCHAR(36)',
  json: () => 'VARCHAR',
};

/** DuckDB → BigQuery (load job schema field types). NUMERIC holds 29 integer + 9 fraction digits; beyond, BIGNUMERIC. */
export const BIGQUERY_TYPES: TypeTable = {
  boolean: () => 'BOOL',
  int: ({ bits, unsigned }) => (bits <= 32 || (bits === 64 && !unsigned) ? 'INT64' : 'BIGNUMERIC'),
  float: () => 'FLOAT64',
  decimal: ({ precision, scale }) => (scale <= 9 && precision - scale <= 29 ? 'NUMERIC' : 'BIGNUMERIC'),
  text: () => 'STRING',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp: () => 'DATETIME',
  timestamptz: () => 'TIMESTAMP',
  blob: () => 'BYTES',
  uuid: () => 'STRING',
  json: () => 'STRING',
};

export const DIALECT_TYPES: Record<WarehouseKind, TypeTable> = {
  redshift: REDSHIFT_TYPES,
  synapse: SYNAPSE_TYPES,
  snowflake: SNOWFLAKE_TYPES,
  bigquery: BIGQUERY_TYPES,
};

/** The destination column type of a DuckDB type in one dialect (DIALECT_TYPES). */
export function destinationType(dialect: WarehouseKind, duckType: string): string {
  const v = valueKind(duckType);
  return (DIALECT_TYPES[dialect][v.kind] as (x: ValueKind) => string)(v);
}

/** A quoted identifier of the dialect: "x" (Redshift, Snowflake), [x] (Synapse), `x` (BigQuery). Names come from configs and schemas, never values. */
export function quoteIdent(dialect: WarehouseKind, name: string): string {
  if (name.includes('\0')) throw new TransformError('FF_EXPORT_CONFIG', 'an identifier cannot contain NUL');
  switch (dialect) {
    case 'synapse':
      return `[${name.replace(/]/g, ']]')}]`;
    case 'bigquery':
      return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
    default:
      return `"${name.replace(/"/g, '""')}"`;
  }
}

/** `"sales"."daily"` in the dialect's quoting. */
export function qualifiedTable(dialect: WarehouseKind, t: DestinationTable): string {
  return `${quoteIdent(dialect, t.schema)}.${quoteIdent(dialect, t.table)}`;
}

/**
 * How values leave DuckDB for a destination: one SELECT over `selectSql` whose columns have the same names,
 * in forms every driver binds exactly: JSON kinds as JSON text, TIMESTAMPTZ as UTC ISO-8601 text with `Z`,
 * other timestamp precisions as TIMESTAMP, odd scalars (INTERVAL, ENUM...) as text, BLOB as hex text for
 * the row loaders (Redshift, Synapse, and `xlsx` for Excel files) and base64 for BigQuery's JSON, as is for
 * Snowflake's Parquet.
 * BigQuery's NDJSON also gets 64/128-bit integers and decimals as strings (JSON numbers would go through
 * a double).
 */
export function transferSelect(selectSql: string, schema: readonly ColumnSchema[], dialect: WarehouseKind | 'xlsx'): string {
  const cols = schema.map((c) => {
    const q = sqlIdent(c.name);
    const v = valueKind(c.type);
    const as = (expr: string) => `${expr} AS ${q}`;
    switch (v.kind) {
      case 'json':
        return as(c.type.toUpperCase() === 'JSON' ? `CAST(${q} AS VARCHAR)` : `CAST(to_json(${q}) AS VARCHAR)`);
      case 'timestamptz':
        return dialect === 'snowflake' ? q : as(`strftime(timezone('UTC', ${q}), '%Y-%m-%dT%H:%M:%S.%fZ')`);
      case 'timestamp':
        return /^TIMESTAMP$/i.test(c.type.trim()) ? q : as(`CAST(${q} AS TIMESTAMP)`);
      case 'text':
      case 'uuid':
        return /^(VARCHAR|TEXT|STRING)$/i.test(c.type.trim()) ? q : as(`CAST(${q} AS VARCHAR)`);
      case 'blob':
        return dialect === 'snowflake' ? q : as(dialect === 'bigquery' ? `to_base64(${q})` : `hex(${q})`);
      case 'int':
        return dialect === 'bigquery' && v.bits >= 64 ? as(`CAST(${q} AS VARCHAR)`) : q;
      case 'decimal':
        return dialect === 'bigquery' ? as(`CAST(${q} AS VARCHAR)`) : q;
      default:
        return q;
    }
  });
  return `SELECT ${cols.join(', ')} FROM (${selectSql}) AS ff_export_source`;
}
