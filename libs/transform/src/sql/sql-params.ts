import { sqlString } from '@flowforge/engine';
import { TransformError } from '../transform.errors';

/**
 * Named parameters of custom SQL (libs/transform/README.md, "Custom SQL"): users write `:since` in their
 * query and declare it with a type and an optional default; values arrive from the caller (console, CLI,
 * workflow run) as JSON. Parameters are found by a small lexer that skips string literals, quoted
 * identifiers, dollar-quoted strings, comments and `::` casts, so `'12:30'`, `x::date` and `-- :x` are
 * not parameters. DuckDB's own placeholders (`?`, `$1`, `$name`) are refused in user text: the sandbox
 * numbers its placeholders itself.
 */

/** The types a parameter can be declared with, and the DuckDB type each is bound as. */
export const SQL_PARAM_TYPES = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
} as const;

export type SqlParamType = keyof typeof SQL_PARAM_TYPES;

/** A declared parameter: its type and the value used when the caller passes none. */
export interface SqlParamDecl {
  type: SqlParamType;
  default?: SqlParamValue;
}

/** A parameter value as JSON carries it (dates and timestamps as ISO text; integers beyond 2^53 as digit strings). */
export type SqlParamValue = string | number | boolean | null;

/** Names (`since`) of declared parameters: a letter or "_" then letters, digits, "_"; at most 63 characters. */
export const SQL_PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Longest string parameter value accepted. */
export const SQL_PARAM_MAX_STRING = 10_000;

/** Where a parameter was written: `start`..`end` (exclusive) is `:name` in the SQL text. */
export interface SqlParamOccurrence {
  name: string;
  start: number;
  end: number;
}

/** A placeholder DuckDB would accept but the sandbox refuses (`?`, `$1`, `$name`). */
interface ForeignPlaceholder {
  text: string;
  start: number;
}

/** Maps a character offset in rewritten SQL back to the user's text (replacements and a prefix are undone). */
export class SqlPositionMap {
  /** `[newStart, newEnd, origStart, origEnd]` of each replacement, in order. */
  private readonly segments: [number, number, number, number][] = [];

  constructor(private readonly prefix = 0) {}

  /** Records that `orig[origStart, origEnd)` became `new[newStart, newEnd)` (called in text order). */
  add(newStart: number, newEnd: number, origStart: number, origEnd: number): void {
    this.segments.push([newStart, newEnd, origStart, origEnd]);
  }

  /** The same map, for the rewritten SQL embedded after `prefix` more characters. */
  shifted(prefix: number): SqlPositionMap {
    const map = new SqlPositionMap(this.prefix + prefix);
    map.segments.push(...this.segments);
    return map;
  }

  /** The user's offset for `pos` in the rewritten text (inside a replacement: the start of what it replaced). */
  toOriginal(pos: number): number {
    let p = Math.max(0, pos - this.prefix);
    let delta = 0;
    for (const [ns, ne, os, oe] of this.segments) {
      if (p < ns) break;
      if (p < ne) return os;
      delta = oe - ne;
    }
    p += delta;
    return Math.max(0, p);
  }
}

const IDENT_CHAR = /[A-Za-z0-9_]/;
const NAME_START = /[A-Za-z_]/;

/** Lexes `sql` once: the `:name` parameters and the placeholders the sandbox refuses. */
function scan(sql: string): { params: SqlParamOccurrence[]; foreign: ForeignPlaceholder[]; end: number } {
  const params: SqlParamOccurrence[] = [];
  const foreign: ForeignPlaceholder[] = [];
  const n = sql.length;
  let i = 0;
  let end = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    const significant = !(c === ';' || /\s/.test(c) || (c === '-' && next === '-') || (c === '/' && next === '*'));
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      // Block comments nest in DuckDB's (PostgreSQL's) grammar.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !IDENT_CHAR.test(sql[i - 2]!));
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < n) {
        if (sql[i] === '"' && sql[i + 1] === '"') i += 2;
        else if (sql[i] === '"') break;
        else i++;
      }
      i++;
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 70));
      if (tag && (i === 0 || !IDENT_CHAR.test(sql[i - 1]!))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
      } else {
        const placeholder = /^\$[A-Za-z0-9_]+/.exec(sql.slice(i, i + 70));
        if (placeholder && (i === 0 || !IDENT_CHAR.test(sql[i - 1]!))) foreign.push({ text: placeholder[0], start: i });
        i += placeholder ? placeholder[0].length : 1;
      }
    } else if (c === '?') {
      foreign.push({ text: '?', start: i });
      i++;
    } else if (c === ':') {
      if (next === ':') {
        i += 2;
      } else if (next !== undefined && NAME_START.test(next) && !isSliceOrKey(sql, i)) {
        let j = i + 1;
        while (j < n && IDENT_CHAR.test(sql[j]!)) j++;
        params.push({ name: sql.slice(i + 1, j), start: i, end: j });
        i = j;
      } else {
        i++;
      }
    } else if (IDENT_CHAR.test(c)) {
      // Whole words at once (a `$` or `?` inside a word is part of an identifier).
      while (i < n && IDENT_CHAR.test(sql[i]!)) i++;
    } else {
      i++;
    }
    if (significant) end = Math.min(i, n);
  }
  return { params, foreign, end };
}

/**
 * `l[a:b]`, `l[:n]`, `{'k':v}`: a colon right after a word, a digit, a closing bracket or a quote is
 * DuckDB syntax, not a parameter (write `:name` after a space, an operator or an opening parenthesis).
 */
function isSliceOrKey(sql: string, colon: number): boolean {
  const prev = sql[colon - 1];
  return prev !== undefined && /[A-Za-z0-9_\])'"[]/.test(prev);
}

/** The names of the `:name` parameters in `sql`, each once, in order of first use. */
export function parseNamedParams(sql: string): string[] {
  return [...new Set(scan(sql).params.map((p) => p.name))];
}

/**
 * `sql` without what follows its last token (whitespace, comments, semicolons): the statement text that
 * can be embedded in `COPY (...) TO` or `EXPLAIN` without a trailing `;` or `--` comment breaking them.
 */
export function trimStatement(sql: string): string {
  return sql.slice(0, scan(sql).end);
}

/** The first word of `sql` after comments, whitespace and opening parentheses, upper-cased (`COPY`, `ATTACH`): for messages. */
export function firstKeyword(sql: string): string {
  const m = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z_]+)/.exec(sql);
  return m ? m[1]!.toUpperCase() : '';
}

/** Every `:name` occurrence with its position (for the console's highlighting). */
export function findNamedParams(sql: string): SqlParamOccurrence[] {
  return scan(sql).params;
}

/** The SQL with parameters replaced by numbered DuckDB placeholders, the values to bind, and the way back to the user's positions. */
export interface BoundSql {
  sql: string;
  /** Values for `$1..$n`, already checked against the declared types. */
  values: SqlParamValue[];
  /** The parameter names, `names[k]` bound as `$k+1`. */
  names: string[];
  map: SqlPositionMap;
}

/**
 * Replaces each `:name` by `CAST($k AS <type>)` and checks the values: every parameter used must be
 * declared, every value given must be declared, each value must fit its type, and a parameter without a
 * value needs a default. Errors are FF_SQL_PARAMETER with one problem per parameter, at its position.
 */
export function bindParams(
  sql: string,
  declared: Readonly<Record<string, SqlParamDecl>> = {},
  values: Readonly<Record<string, unknown>> = {},
  field = 'sql',
): BoundSql {
  const resolved = resolveParams(sql, declared, values, field);
  const names: string[] = [];
  const out = substitute(sql, resolved.occurrences, (name) => {
    let k = names.indexOf(name);
    if (k < 0) k = names.push(name) - 1;
    return `CAST($${k + 1} AS ${SQL_PARAM_TYPES[declared[name]!.type]})`;
  });
  return { sql: out.sql, map: out.map, names, values: names.map((name) => resolved.values[name]!) };
}

/**
 * Replaces each `:name` by a typed literal (`CAST('2024-01-01' AS DATE)`): for SQL that must stand alone
 * (a CompiledJob's `sql`). Values are checked exactly as `bindParams` checks them and rendered as
 * escaped string literals, so a value can never become SQL syntax.
 */
export function inlineParams(
  sql: string,
  declared: Readonly<Record<string, SqlParamDecl>> = {},
  values: Readonly<Record<string, unknown>> = {},
  field = 'sql',
): { sql: string; map: SqlPositionMap } {
  const resolved = resolveParams(sql, declared, values, field);
  return substitute(sql, resolved.occurrences, (name) => {
    const v = resolved.values[name]!;
    const type = SQL_PARAM_TYPES[declared[name]!.type];
    return v === null ? `CAST(NULL AS ${type})` : `CAST(${sqlString(String(v))} AS ${type})`;
  });
}

function substitute(sql: string, occurrences: readonly SqlParamOccurrence[], render: (name: string) => string): { sql: string; map: SqlPositionMap } {
  const map = new SqlPositionMap();
  let out = '';
  let last = 0;
  for (const occ of occurrences) {
    out += sql.slice(last, occ.start);
    const start = out.length;
    out += render(occ.name);
    map.add(start, out.length, occ.start, occ.end);
    last = occ.end;
  }
  return { sql: out + sql.slice(last), map };
}

function resolveParams(
  sql: string,
  declared: Readonly<Record<string, SqlParamDecl>>,
  values: Readonly<Record<string, unknown>>,
  field: string,
): { occurrences: SqlParamOccurrence[]; values: Record<string, SqlParamValue> } {
  const { params, foreign } = scan(sql);
  const problems: { field: string; message: string; position?: number }[] = [];
  for (const f of foreign) {
    problems.push({ field, position: f.start, message: `placeholder ${f.text} is not allowed: name parameters :name and declare them` });
  }
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const reported = new Set<string>();
  for (const p of params) {
    if (!has(declared, p.name) && !reported.has(p.name)) {
      reported.add(p.name);
      problems.push({ field, position: p.start, message: `parameter :${p.name} is not declared (declare it under params with a type)` });
    }
  }
  for (const name of Object.keys(values)) {
    if (!has(declared, name)) problems.push({ field: `values.${name}`, message: `value for :${name}, which is not a declared parameter` });
  }
  const typed: Record<string, SqlParamValue> = {};
  for (const [name, decl] of Object.entries(declared)) {
    if (!SQL_PARAM_NAME.test(name)) {
      problems.push({ field: `params.${name}`, message: 'a parameter name is a letter or "_" then letters, digits or "_" (at most 63)' });
      continue;
    }
    if (!decl || !has(SQL_PARAM_TYPES, decl.type)) {
      problems.push({ field: `params.${name}.type`, message: `type must be one of ${Object.keys(SQL_PARAM_TYPES).join(', ')}` });
      continue;
    }
    const given = has(values, name);
    if (!given && decl.default === undefined) {
      if (params.some((p) => p.name === name)) problems.push({ field: `values.${name}`, message: `parameter :${name} has no value and no default` });
      continue;
    }
    const from = given ? `values.${name}` : `params.${name}.default`;
    const checked = coerceParam(decl.type, given ? values[name] : decl.default);
    if (typeof checked === 'object' && checked !== null) problems.push({ field: from, message: `:${name} ${checked.error}` });
    else typed[name] = checked;
  }
  if (problems.length > 0) {
    throw new TransformError('FF_SQL_PARAMETER', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems });
  }
  return { occurrences: params, values: typed };
}

/**
 * A JSON value checked against a parameter type, in the form bound to DuckDB (numbers and booleans as
 * such or as their text, dates `YYYY-MM-DD`, timestamps normalised to UTC `YYYY-MM-DD HH:MM:SS[.ffffff]`).
 * Text forms are accepted for every type, since CLI values arrive as text.
 */
export function coerceParam(type: SqlParamType, value: unknown): SqlParamValue | { error: string } {
  if (value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return { error: 'must be a string' };
      if (value.length > SQL_PARAM_MAX_STRING) return { error: `must be at most ${SQL_PARAM_MAX_STRING} characters` };
      if (value.includes('\0')) return { error: 'must not contain NUL characters' };
      return value;
    case 'integer': {
      const text = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : typeof value === 'string' ? value.trim() : '';
      if (!/^-?\d{1,19}$/.test(text) || BigInt(text) > 9223372036854775807n || BigInt(text) < -9223372036854775808n)
        return { error: 'must be an integer (64-bit)' };
      return Number.isSafeInteger(Number(text)) ? Number(text) : text;
    }
    case 'number': {
      const num =
        typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
      return Number.isFinite(num) ? num : { error: 'must be a finite number' };
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return { error: 'must be true or false' };
    case 'date':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && validDate(value)) return value;
      return { error: 'must be a date YYYY-MM-DD' };
    case 'timestamp':
      return typeof value === 'string' ? timestampValue(value) : { error: 'must be a timestamp YYYY-MM-DD HH:MM[:SS[.ffffff]] (optionally T and Z or ±HH:MM)' };
  }
}

function validDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function timestampValue(text: string): string | { error: string } {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m || !validDate(m[1]!) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) {
    return { error: 'must be a timestamp YYYY-MM-DD HH:MM[:SS[.ffffff]] (optionally T and Z or ±HH:MM)' };
  }
  const local = `${m[1]} ${m[2]}:${m[3]}:${m[4] ?? '00'}${m[5] ?? ''}`;
  if (!m[6]) return local;
  // An offset: the instant in UTC, keeping the sub-millisecond digits JS Date would drop.
  const offset = m[6] === 'Z' ? 0 : (m[6][0] === '-' ? -1 : 1) * (Number(m[6].slice(1, 3)) * 60 + Number(m[6].slice(-2)));
  const utc = new Date(Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}Z`) - offset * 60_000);
  return `${utc.toISOString().slice(0, 19).replace('T', ' ')}${m[5] ?? ''}`;
}
