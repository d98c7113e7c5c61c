import { sqlIdent, sqlString } from '@flowforge/engine';
import type { FormatOptions } from './format-options';

/** Types the reader infers for text columns, tried in this order; VARCHAR when none fits every value. */
export const INFERRED_TYPES = ['BIGINT', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP'] as const;
export type InferredType = (typeof INFERRED_TYPES)[number] | 'VARCHAR';

export interface Locale {
  decimalSeparator: '.' | ',';
  dateOrder: 'YMD' | 'DMY' | 'MDY';
}

export function localeOf(options: FormatOptions): Locale {
  return { decimalSeparator: options.locale?.decimalSeparator ?? '.', dateOrder: options.locale?.dateOrder ?? 'YMD' };
}

function dateFormats(order: Locale['dateOrder']): string[] {
  const seps = ['/', '.', '-'];
  if (order === 'DMY') return seps.map((s) => `%d${s}%m${s}%Y`);
  if (order === 'MDY') return seps.map((s) => `%m${s}%d${s}%Y`);
  return [];
}

/**
 * SQL that casts the text `v` to `type` (NULL when it does not parse), honouring the locale: a decimal
 * comma, day- or month-first dates. Plain DuckDB casts otherwise (ISO dates, `.` decimals).
 */
export function castExpr(v: string, type: string, locale: Locale): string {
  const t = type.toUpperCase();
  if (t === 'VARCHAR') return v;
  if (locale.decimalSeparator === ',' && (t === 'DOUBLE' || t === 'FLOAT' || t.startsWith('DECIMAL'))) {
    // With a decimal comma a "." is a thousands separator or a mistake: refused rather than guessed.
    return `CASE WHEN contains(${v}, '.') THEN NULL ELSE TRY_CAST(replace(${v}, ',', '.') AS ${type}) END`;
  }
  if ((t === 'DATE' || t === 'TIMESTAMP') && locale.dateOrder !== 'YMD') {
    const fmts = dateFormats(locale.dateOrder);
    const all = t === 'DATE' ? fmts : fmts.flatMap((f) => [`${f} %H:%M:%S`, `${f} %H:%M`]);
    const parsed = `coalesce(${all.map((f) => `try_strptime(${v}, ${sqlString(f)})`).join(', ')})`;
    return t === 'DATE' ? `CAST(${parsed} AS DATE)` : parsed;
  }
  return `TRY_CAST(${v} AS ${type})`;
}

/**
 * Whether the text `v`, cast to `t` (castExpr), is kept exactly: the cast succeeded and nothing the
 * source wrote is lost. Integers must print back as written (so `00123`, `+5`, ` 7` are not numbers);
 * doubles refuse leading zeros and more than 15 significant digits (beyond them a double changes the
 * value); dates and timestamps must start with a digit (so ` 2024-01-05` stays text), an ISO date must print
 * back as written, a timestamp may not carry a UTC offset or more than 6 fractional digits. `explicit`: the
 * schema asked for the type, so a successful cast is all that is required.
 *
 * Written as CASE so that each check runs only on the values that passed the one before (DuckDB evaluates
 * CASE branches on the selected rows only): the regular expressions run on the few values that start with
 * `0`, a sign or a space, the digit count only on values longer than 15 characters.
 */
export function keepsValueExpr(v: string, t: string, type: string, explicit: boolean, locale: Locale): string {
  const T = type.toUpperCase();
  if (T === 'VARCHAR') return 'true';
  if (explicit) return `(${t} IS NOT NULL)`;
  if (T === 'BIGINT') return `coalesce(CAST(${t} AS VARCHAR) = ${v}, false)`;
  if (T === 'DOUBLE') {
    return `(CASE WHEN ${t} IS NULL THEN false WHEN length(${v}) > 15 AND length(regexp_replace(${v}, '[^0-9]', '', 'g')) > 15 THEN false WHEN ascii(${v}) BETWEEN 49 AND 57 THEN true ELSE NOT regexp_matches(${v}, '^\\s*[+-]?0[0-9]') END)`;
  }
  if (T === 'BOOLEAN') return `(CASE WHEN ${t} IS NULL THEN false ELSE lower(trim(${v})) IN ('true', 'false') END)`;
  if (T === 'DATE' && locale.dateOrder === 'YMD') {
    // DuckDB casts `2024-01-05 10:00:00` to DATE dropping the time: an ISO date must print back as written.
    return `(ascii(${v}) BETWEEN 48 AND 57 AND coalesce(CAST(${t} AS VARCHAR) = ${v}, false))`;
  }
  if (T === 'TIMESTAMP') {
    // DuckDB's TIMESTAMP cast drops a UTC offset (`10:00:00+02` → 10:00) and digits past microseconds.
    return `(ascii(${v}) BETWEEN 48 AND 57 AND ${t} IS NOT NULL AND NOT regexp_matches(${v}, '(:[0-9]{2}(\\.[0-9]*)?\\s*[+-][0-9]{2}(:?[0-9]{2})?$)|\\.[0-9]{7,}'))`;
  }
  if (T === 'DATE') return `(ascii(${v}) BETWEEN 48 AND 57 AND ${t} IS NOT NULL)`;
  return `(${t} IS NOT NULL)`;
}

/**
 * keepsValueExpr of the text `v` for its own cast to `type`. A cast that fails is the costly case (DuckDB
 * builds its error), so dates, timestamps and booleans are only cast when their first character allows
 * them (which keepsValueExpr requires anyway): `customer 7` is never parsed as a date.
 */
function fitsExpr(v: string, type: InferredType, locale: Locale): string {
  const keeps = keepsValueExpr(v, castExpr(v, type, locale), type, false, locale);
  if (type === 'BOOLEAN') return `(CASE WHEN lower(ltrim(${v})[1]) IN ('t', 'f') THEN ${keeps} ELSE false END)`;
  if (type === 'DATE' || type === 'TIMESTAMP') return `(CASE WHEN ascii(${v}) BETWEEN 48 AND 57 THEN ${keeps} ELSE false END)`;
  return keeps;
}

/**
 * One query over a sample table, whatever its width: the table is unpivoted to (column, value) pairs
 * (NULLs drop out) and each candidate type is checked per column with bool_and. A statement with an
 * aggregate per column and type would grow with the width (10,000 columns: minutes of planning).
 *
 * `candidates` (column → types still possible, from a query over the first rows) limits the checks: a
 * value is checked only against the types its column can still have, so most values are cast once.
 */
export function inferenceQuery(sampleTable: string, locale: Locale, candidates?: { limit?: number; types?: Map<string, InferredType[]> }): string {
  const v = 'v';
  const checks = INFERRED_TYPES.map((type) => {
    const fits = fitsExpr(v, type, locale);
    if (!candidates?.types) return `bool_and(${fits}) AS ${sqlIdent(type)}`;
    const cols = [...candidates.types].filter(([, ts]) => ts.includes(type)).map(([c]) => c);
    if (cols.length === 0) return `false AS ${sqlIdent(type)}`;
    return `bool_and(CASE WHEN col IN (${cols.map(sqlString).join(', ')}) THEN ${fits} END) AS ${sqlIdent(type)}`;
  });
  const source = candidates?.limit ? `(SELECT * FROM ${sqlIdent(sampleTable)} LIMIT ${candidates.limit})` : sqlIdent(sampleTable);
  return `SELECT col, count(*) AS n, ${checks.join(', ')} FROM (UNPIVOT ${source} ON COLUMNS(*) INTO NAME col VALUE v) GROUP BY col`;
}

/** The types each column can still have after a query over the first rows (a column with no value there keeps all). */
export function candidatesOf(rows: Record<string, unknown>[], columns: string[]): Map<string, InferredType[]> {
  const found = new Map(rows.map((r) => [String(r.col), r]));
  return new Map(
    columns.map((c) => {
      const row = found.get(c);
      if (!row || Number(row.n ?? 0) === 0) return [c, [...INFERRED_TYPES]];
      return [c, INFERRED_TYPES.filter((t) => row[t] === true)];
    }),
  );
}

/** The first candidate every non-null sample value fits; VARCHAR when the column has no value in the sample or nothing fits. */
export function pickType(row: Record<string, unknown> | undefined): InferredType {
  if (!row || Number(row.n ?? 0) === 0) return 'VARCHAR';
  for (const type of INFERRED_TYPES) if (row[type] === true) return type;
  return 'VARCHAR';
}
