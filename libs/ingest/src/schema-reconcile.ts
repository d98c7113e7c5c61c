import type { ColumnSchema } from '@flowforge/engine';

export type OnSchemaChange = 'fail' | 'evolve' | 'quarantine';

export interface SchemaCast {
  column: string;
  /** The type the file's values have. */
  from: string;
  /** The type they are written as. */
  to: string;
}

export interface SchemaConflict {
  column: string;
  oldType: string;
  newType: string;
  /** One sentence naming the column, the old type and the new one. */
  message: string;
}

export interface SchemaReconciliation {
  /** The table's schema after this load: the previous columns in their order, then new ones. */
  schema: ColumnSchema[];
  /** File columns whose values are cast on the way in (to the table's type, or to a widened one). */
  casts: SchemaCast[];
  /** Columns the load adds to the table. */
  added: string[];
  /** Columns whose table type widens (previous → wider). */
  widened: SchemaCast[];
  /** Table columns the file lacks: written as NULL. */
  missing: string[];
  /** Under `quarantine`: file columns whose values do not fit the table; their rows go to the rejects. */
  quarantined: SchemaConflict[];
  /** Set when the load must fail; nothing is written. */
  error: string | null;
  conflicts: SchemaConflict[];
}

const INT_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4, HUGEINT: 5 };
const UINT_RANK: Record<string, number> = { UTINYINT: 1, USMALLINT: 2, UINTEGER: 3, UBIGINT: 4, UHUGEINT: 5 };

function norm(type: string): string {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  const alias: Record<string, string> = {
    INT: 'INTEGER',
    INT4: 'INTEGER',
    INT8: 'BIGINT',
    LONG: 'BIGINT',
    INT2: 'SMALLINT',
    SHORT: 'SMALLINT',
    INT1: 'TINYINT',
    FLOAT4: 'FLOAT',
    REAL: 'FLOAT',
    FLOAT8: 'DOUBLE',
    STRING: 'VARCHAR',
    TEXT: 'VARCHAR',
    BOOL: 'BOOLEAN',
    'TIMESTAMP WITHOUT TIME ZONE': 'TIMESTAMP',
    DATETIME: 'TIMESTAMP',
    TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE',
  };
  return alias[t] ?? t;
}

function decimal(t: string): { p: number; s: number } | null {
  const m = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  return m ? { p: Number(m[1]), s: Number(m[2]) } : null;
}

/** Digits an integer type needs as a DECIMAL, to tell whether DECIMAL(p,s) holds it. */
const INT_DIGITS: Record<string, number> = {
  TINYINT: 3,
  SMALLINT: 5,
  INTEGER: 10,
  BIGINT: 19,
  HUGEINT: 39,
  UTINYINT: 3,
  USMALLINT: 5,
  UINTEGER: 10,
  UBIGINT: 20,
  UHUGEINT: 39,
};

/**
 * Whether every value of type `from` is exactly a value of type `to` (so a column of `to` can take it):
 * integers into wider integers, into DOUBLE (up to INTEGER: 53 bits keep 32-bit ints exact) or into a
 * DECIMAL with enough integer digits; FLOAT into DOUBLE; DECIMAL into a DECIMAL with as many integer
 * and fraction digits; DATE into TIMESTAMP. Nothing widens into VARCHAR implicitly: a text column
 * arriving where a number was is a change a person decides.
 */
export function widensTo(fromType: string, toType: string): boolean {
  const from = norm(fromType);
  const to = norm(toType);
  if (from === to) return true;
  if (INT_RANK[from] && INT_RANK[to]) return INT_RANK[from]! <= INT_RANK[to]!;
  if (UINT_RANK[from] && UINT_RANK[to]) return UINT_RANK[from]! <= UINT_RANK[to]!;
  if (UINT_RANK[from] && INT_RANK[to]) return UINT_RANK[from]! < INT_RANK[to]!;
  if ((INT_RANK[from] || UINT_RANK[from]) && to === 'DOUBLE') return (INT_RANK[from] ?? UINT_RANK[from]!) <= 3;
  if ((INT_RANK[from] || UINT_RANK[from]) && decimal(to)) {
    const d = decimal(to)!;
    return d.p - d.s >= INT_DIGITS[from]!;
  }
  if (from === 'FLOAT' && to === 'DOUBLE') return true;
  const a = decimal(from);
  const b = decimal(to);
  if (a && b) return b.s >= a.s && b.p - b.s >= a.p - a.s;
  if (from === 'DATE' && (to === 'TIMESTAMP' || to === 'TIMESTAMP WITH TIME ZONE')) return true;
  return false;
}

/** The narrowest type both widen to, or null when there is none (see widensTo). */
export function commonSupertype(a: string, b: string): string | null {
  if (widensTo(a, b)) return norm(b);
  if (widensTo(b, a)) return norm(a);
  const na = norm(a);
  const nb = norm(b);
  if ((INT_RANK[na] || UINT_RANK[na]) && (INT_RANK[nb] || UINT_RANK[nb])) return widensTo(na, 'BIGINT') && widensTo(nb, 'BIGINT') ? 'BIGINT' : 'HUGEINT';
  const da = decimal(na);
  const db = decimal(nb);
  if (da && db) {
    const s = Math.max(da.s, db.s);
    const p = Math.max(da.p - da.s, db.p - db.s) + s;
    return p <= 38 ? `DECIMAL(${p},${s})` : null;
  }
  return null;
}

/**
 * Fits a file's inferred schema to the table's previous one (none: the first load records the file's).
 * Column names match ignoring case (DuckDB identifiers do). Per `policy`:
 * - `fail`: the table's schema must take the file as it is: a new column, a widening or an incompatible
 *   type is an error. Narrower values (INTEGER into BIGINT) are cast.
 * - `evolve`: new columns are added at the end and compatible types widened; an incompatible type is an
 *   error naming the column, the old type and the new one.
 * - `quarantine`: the schema never changes; new columns are left out and the file's incompatible
 *   columns are listed in `quarantined` (their rows go to the rejects, the others load).
 * Columns the file lacks stay in the schema and are written as NULL under every policy.
 */
export function reconcileSchema(previous: readonly ColumnSchema[] | null, inferred: readonly ColumnSchema[], policy: OnSchemaChange): SchemaReconciliation {
  const out: SchemaReconciliation = { schema: [], casts: [], added: [], widened: [], missing: [], quarantined: [], error: null, conflicts: [] };
  if (!previous || previous.length === 0) {
    out.schema = inferred.map((c) => ({ ...c }));
    out.added = inferred.map((c) => c.name);
    return out;
  }
  const byName = new Map(inferred.map((c) => [c.name.toLowerCase(), c]));
  const problems: string[] = [];
  for (const old of previous) {
    const col = byName.get(old.name.toLowerCase());
    if (!col) {
      out.missing.push(old.name);
      out.schema.push({ ...old, nullable: true });
      continue;
    }
    byName.delete(old.name.toLowerCase());
    const [o, n] = [norm(old.type), norm(col.type)];
    if (o === n) {
      out.schema.push({ ...old, nullable: old.nullable || col.nullable });
      continue;
    }
    if (widensTo(n, o)) {
      out.casts.push({ column: old.name, from: col.type, to: old.type });
      out.schema.push({ ...old, nullable: old.nullable || col.nullable });
      continue;
    }
    const wider = commonSupertype(o, n);
    if (wider && policy === 'evolve') {
      out.widened.push({ column: old.name, from: old.type, to: wider });
      if (norm(wider) !== n) out.casts.push({ column: old.name, from: col.type, to: wider });
      out.schema.push({ name: old.name, type: wider, nullable: old.nullable || col.nullable });
      continue;
    }
    const conflict: SchemaConflict = {
      column: old.name,
      oldType: old.type,
      newType: col.type,
      message: wider
        ? `column "${old.name}" would widen from ${old.type} to ${wider} (the file has ${col.type}), which onSchemaChange "${policy}" does not allow`
        : `column "${old.name}" is ${old.type} in the table but ${col.type} in the file, and ${col.type} values do not fit ${old.type}`,
    };
    out.schema.push({ ...old });
    if (policy === 'quarantine') out.quarantined.push(conflict);
    else {
      out.conflicts.push(conflict);
      problems.push(conflict.message);
    }
  }
  for (const col of inferred) {
    if (!byName.has(col.name.toLowerCase())) continue;
    if (policy === 'evolve') {
      out.added.push(col.name);
      out.schema.push({ ...col, nullable: true });
    } else if (policy === 'fail') {
      const message = `column "${col.name}" (${col.type}) is new in the file, which onSchemaChange "fail" does not allow`;
      out.conflicts.push({ column: col.name, oldType: '(none)', newType: col.type, message });
      problems.push(message);
    }
    // quarantine: the column is left out; its values are not loaded.
  }
  if (problems.length > 0) {
    out.error = `the file's schema does not fit the table under onSchemaChange "${policy}": ${problems.join('; ')}`;
  }
  return out;
}
