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
 * value). `explicit`: the schema asked for the type, so a successful cast is all that is required.
 */
export function keepsValueExpr(v: string, t: string, type: string, explicit: boolean): string {
  const T = type.toUpperCase();
  if (T === 'VARCHAR') return 'true';
  if (explicit) return `(${t} IS NOT NULL)`;
  if (T === 'BIGINT') return `coalesce(CAST(${t} AS VARCHAR) = ${v}, false)`;
  if (T === 'DOUBLE') {
    return `(${t} IS NOT NULL AND NOT regexp_matches(${v}, '^\\s*[+-]?0[0-9]') AND (length(${v}) <= 15 OR length(regexp_replace(${v}, '[^0-9]', '', 'g')) <= 15))`;
  }
  if (T === 'BOOLEAN') return `(${t} IS NOT NULL AND lower(trim(${v})) IN ('true', 'false'))`;
  return `(${t} IS NOT NULL)`;
}

/**
 * One query over a sample table, whatever its width: the table is unpivoted to (column, value) pairs
 * (NULLs drop out) and each candidate type is checked per column with bool_and. A statement with an
 * aggregate per column and type would grow with the width (10,000 columns: minutes of planning).
 */
export function inferenceQuery(sampleTable: string, locale: Locale): string {
  const v = 'v';
  const checks = INFERRED_TYPES.map((type) => `bool_and(${keepsValueExpr(v, castExpr(v, type, locale), type, false)}) AS ${sqlIdent(type)}`);
  return `SELECT col, count(*) AS n, ${checks.join(', ')} FROM (UNPIVOT ${sqlIdent(sampleTable)} ON COLUMNS(*) INTO NAME col VALUE v) GROUP BY col`;
}

/** The first candidate every non-null sample value fits; VARCHAR when the column has no value in the sample or nothing fits. */
export function pickType(row: Record<string, unknown> | undefined): InferredType {
  if (!row || Number(row.n ?? 0) === 0) return 'VARCHAR';
  for (const type of INFERRED_TYPES) if (row[type] === true) return type;
  return 'VARCHAR';
}
