import type { Json } from '@duckdb/node-api';

/** One column as DuckDB types it (e.g. BIGINT, VARCHAR, DECIMAL(10,2), TIMESTAMP, INTEGER[]). */
export interface ColumnSchema {
  name: string;
  type: string;
  nullable: boolean;
}

/** Per-column statistics of a set of files, computed by DuckDB. min/max are null for nested and binary types. */
export interface ColumnStats {
  min: Json;
  max: Json;
  nullCount: number;
}

export type TableStats = Record<string, ColumnStats>;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$/i;
const NO_MIN_MAX = /(\[\]$|^STRUCT|^MAP|^UNION|^BLOB$|^BIT$|^JSON$)/i;

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type);
}

/** Whether min/max mean something for the type (nested and binary values have no useful order). */
export function hasOrderedStats(type: string): boolean {
  return !NO_MIN_MAX.test(type);
}

function compare(type: string, a: Json, b: Json): number {
  if (isNumericType(type)) {
    // Integers arrive as decimal strings (BIGINT, HUGEINT): compare exactly; the rest as numbers.
    if (/INT/i.test(type)) {
      try {
        const [x, y] = [BigInt(String(a)), BigInt(String(b))];
        return x < y ? -1 : x > y ? 1 : 0;
      } catch {
        // not an integer after all: fall through
      }
    }
    return Number(a) - Number(b);
  }
  // DuckDB renders dates and timestamps in a fixed-width sortable form; strings compare as text.
  const [sa, sb] = [String(a), String(b)];
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Stats of the union of two file sets (an append): min of mins, max of maxes, sum of null counts. */
export function mergeStats(schema: readonly ColumnSchema[], a: TableStats, b: TableStats): TableStats {
  const out: TableStats = {};
  for (const { name, type } of schema) {
    const x = a[name];
    const y = b[name];
    if (!x || !y) {
      out[name] = { min: null, max: null, nullCount: (x?.nullCount ?? 0) + (y?.nullCount ?? 0) };
      continue;
    }
    const pick = (p: Json, q: Json, want: 1 | -1): Json => (p === null ? q : q === null ? p : compare(type, p, q) * want >= 0 ? p : q);
    out[name] = { min: pick(x.min, y.min, -1), max: pick(x.max, y.max, 1), nullCount: x.nullCount + y.nullCount };
  }
  return out;
}
