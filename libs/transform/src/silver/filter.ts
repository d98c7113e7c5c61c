import { sqlIdent, sqlString, type DuckDbSession } from '@flowforge/engine';
import { TransformError, type TransformProblem } from '../transform.errors';

/**
 * Row filters (libs/transform/README.md, "transform.silver"): a condition tree the console builds —
 * `and`/`or`/`not` nodes over predicates on one column each — compiled to one SQL boolean. Values are
 * rendered as typed literals checked against the column's type here, never pasted as SQL. SQL null
 * semantics hold: a null never satisfies a comparison (only isNull does), so `ne`/`notIn` drop nulls.
 */

/** A literal compared to a column: text, a number or a boolean. Date and time values are ISO-8601 text. */
export type FilterValue = string | number | boolean;

/** A moment relative to the run's `now` (fixed per run): `{ ago: 7, unit: 'days' }`. */
export interface RelativeMoment {
  ago: number;
  unit: TimeUnit;
}

export type TimeUnit = 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'years';

export type FilterOp =
  'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'startsWith' | 'endsWith' | 'in' | 'notIn' | 'between' | 'isNull' | 'isNotNull' | 'last';

/** A test on one column. Which other properties apply depends on `op` (FILTER_CONDITION_SCHEMA describes each). */
export interface FilterPredicate {
  column: string;
  op: FilterOp;
  value?: FilterValue | RelativeMoment;
  values?: FilterValue[];
  from?: FilterValue | RelativeMoment;
  to?: FilterValue | RelativeMoment;
  amount?: number;
  unit?: TimeUnit;
  ignoreCase?: boolean;
}

/** A condition tree: every one of `and`, at least one of `or`, the opposite of `not`, or a predicate. */
export type FilterCondition = { and: FilterCondition[] } | { or: FilterCondition[] } | { not: FilterCondition } | FilterPredicate;

/** A column a filter may test; `type` undefined when not known at compile time (a derived column). */
export interface FilterColumn {
  name: string;
  type?: string;
}

/** Deepest nesting of and/or/not accepted, and most nodes in one tree. */
export const FILTER_MAX_DEPTH = 10;
export const FILTER_MAX_NODES = 1000;
/** Most values of one `in`/`notIn` list. */
export const FILTER_MAX_IN = 1000;

const UNITS = ['minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
const OPS: readonly FilterOp[] = [
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'contains',
  'startsWith',
  'endsWith',
  'in',
  'notIn',
  'between',
  'isNull',
  'isNotNull',
  'last',
];

const scalarValue = {
  title: 'Value',
  description: 'Text, a number or true/false; dates and times as ISO-8601 text (2024-03-01, 2024-03-01T12:00:00Z)',
  anyOf: [{ type: 'string', maxLength: 4000 }, { type: 'number' }, { type: 'boolean' }],
};
const relativeMoment = {
  type: 'object',
  title: 'Relative moment',
  description: "A moment before the run's time, for date and time columns: { ago: 7, unit: days }",
  additionalProperties: false,
  required: ['ago', 'unit'],
  properties: {
    ago: { type: 'integer', minimum: 0, maximum: 100000, title: 'How many', description: 'How many units before the run time' },
    unit: { enum: UNITS, title: 'Unit', description: 'Time unit' },
  },
};
const valueOrMoment = {
  title: 'Value',
  description: `${scalarValue.description}; or a relative moment { ago, unit }`,
  anyOf: [...scalarValue.anyOf, relativeMoment],
};

/**
 * JSON Schema 2020-12 of one condition node, recursive through `#/$defs/condition`: embed it under a
 * root's `$defs.condition` (FILTER_CONDITION_SCHEMA is such a root). Depth and node count are bounded
 * in compileFilter (FILTER_MAX_DEPTH, FILTER_MAX_NODES), which a schema cannot express.
 */
export const FILTER_CONDITION_DEF = {
  title: 'Condition',
  description: 'and / or / not over conditions, or a test on one column',
  anyOf: [
    {
      type: 'object',
      title: 'All of',
      description: 'Kept when every condition holds',
      additionalProperties: false,
      required: ['and'],
      properties: {
        and: { type: 'array', minItems: 1, maxItems: 100, title: 'All of', description: 'Conditions that must all hold', items: { $ref: '#/$defs/condition' } },
      },
    },
    {
      type: 'object',
      title: 'Any of',
      description: 'Kept when at least one condition holds',
      additionalProperties: false,
      required: ['or'],
      properties: {
        or: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          title: 'Any of',
          description: 'Conditions of which one must hold',
          items: { $ref: '#/$defs/condition' },
        },
      },
    },
    {
      type: 'object',
      title: 'Not',
      description: 'Kept when the condition does not hold (a null result stays dropped)',
      additionalProperties: false,
      required: ['not'],
      properties: { not: { $ref: '#/$defs/condition', title: 'Not', description: 'The condition to negate' } },
    },
    {
      type: 'object',
      title: 'Column test',
      description: 'A test on one column',
      additionalProperties: false,
      required: ['column', 'op'],
      properties: {
        column: { type: 'string', minLength: 1, maxLength: 255, title: 'Column', description: 'The column tested (its name at this step)' },
        op: {
          enum: OPS,
          title: 'Operator',
          description:
            'eq ne gt ge lt le: compare to value; contains startsWith endsWith: text; in notIn: values; between: from..to inclusive; isNull isNotNull; last: the last `amount` `unit`s up to the run time',
        },
        value: { ...valueOrMoment, description: `For eq ne gt ge lt le contains startsWith endsWith. ${valueOrMoment.description}` },
        values: { type: 'array', minItems: 1, maxItems: FILTER_MAX_IN, title: 'Values', description: 'For in / notIn', items: scalarValue },
        from: { ...valueOrMoment, title: 'From', description: 'For between: the lower bound (inclusive)' },
        to: { ...valueOrMoment, title: 'To', description: 'For between: the upper bound (inclusive)' },
        amount: { type: 'integer', minimum: 1, maximum: 100000, title: 'Amount', description: 'For last: how many units back from the run time' },
        unit: { enum: UNITS, title: 'Unit', description: 'For last: the time unit (on a DATE column: days, weeks, months or years)' },
        ignoreCase: {
          type: 'boolean',
          title: 'Ignore case',
          description: 'For contains / startsWith / endsWith / eq / ne on text: compare case-insensitively',
        },
      },
    },
  ],
} as const;

/** A standalone JSON Schema of a condition tree (the body of a filter preview). */
export const FILTER_CONDITION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $defs: { condition: FILTER_CONDITION_DEF },
  $ref: '#/$defs/condition',
} as const;

type Kind = 'text' | 'number' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'time' | 'other' | 'unknown';

function kindOf(type: string | undefined): Kind {
  if (!type) return 'unknown';
  const t = type.toUpperCase();
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(') || t === 'TEXT' || t === 'STRING') return 'text';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$/.test(t))
    return 'number';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'timestamptz';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t)) return 'timestamp';
  if (t === 'TIME') return 'time';
  return 'other';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** `now` minus `ago` `unit`s, in UTC calendar arithmetic (months clamp to the month's last day). */
export function momentBefore(now: Date, ago: number, unit: TimeUnit): Date {
  const d = new Date(now.getTime());
  switch (unit) {
    case 'minutes':
      return new Date(d.getTime() - ago * 60_000);
    case 'hours':
      return new Date(d.getTime() - ago * 3_600_000);
    case 'days':
      return new Date(d.getTime() - ago * 86_400_000);
    case 'weeks':
      return new Date(d.getTime() - ago * 7 * 86_400_000);
    case 'months':
    case 'years': {
      const months = unit === 'years' ? ago * 12 : ago;
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() - months;
      const target = new Date(Date.UTC(y, m, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
      const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      target.setUTCDate(Math.min(d.getUTCDate(), last));
      return target;
    }
  }
}

/** The instant as a literal of a column of `kind` (naive TIMESTAMP columns are read as UTC wall time). */
function momentLiteral(at: Date, kind: Kind): string {
  const iso = at.toISOString(); // 2024-03-10T15:00:00.000Z
  if (kind === 'date') return `DATE '${iso.slice(0, 10)}'`;
  if (kind === 'timestamp') return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23)}'`;
  return `TIMESTAMPTZ '${iso.slice(0, 10)} ${iso.slice(11, 23)}+00'`;
}

class FilterCompiler {
  readonly problems: TransformProblem[] = [];
  private nodes = 0;
  private readonly byName = new Map<string, FilterColumn>();

  constructor(
    columns: readonly FilterColumn[],
    private readonly now: Date,
  ) {
    for (const c of columns) if (!this.byName.has(c.name.toLowerCase())) this.byName.set(c.name.toLowerCase(), c);
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TransformError('FF_TRANSFORM_CONFIG', 'now must be a valid Date');
  }

  private fail(field: string, message: string): string {
    this.problems.push({ field, message });
    return 'NULL';
  }

  node(c: unknown, field: string, depth: number): string {
    if (++this.nodes > FILTER_MAX_NODES) return this.fail(field, `a condition has at most ${FILTER_MAX_NODES} nodes`);
    if (depth > FILTER_MAX_DEPTH) return this.fail(field, `conditions nest at most ${FILTER_MAX_DEPTH} deep`);
    if (!c || typeof c !== 'object' || Array.isArray(c)) return this.fail(field, 'must be a condition object ({ and }, { or }, { not } or { column, op })');
    const o = c as Record<string, unknown>;
    for (const key of ['and', 'or'] as const) {
      if (key in o) {
        const list = o[key];
        if (!Array.isArray(list) || list.length === 0 || list.length > 100) return this.fail(`${field}.${key}`, 'must be a list of 1 to 100 conditions');
        const parts = list.map((x, i) => this.node(x, `${field}.${key}[${i}]`, depth + 1));
        return `(${parts.join(key === 'and' ? ' AND ' : ' OR ')})`;
      }
    }
    if ('not' in o) return `(NOT ${this.node(o.not, `${field}.not`, depth + 1)})`;
    return this.predicate(o as unknown as FilterPredicate, field);
  }

  private predicate(p: FilterPredicate, field: string): string {
    if (typeof p.column !== 'string' || p.column === '') return this.fail(`${field}.column`, 'is required: the column tested');
    const col = this.byName.get(p.column.toLowerCase());
    if (!col) {
      this.problems.push({
        field: `${field}.column`,
        message: `unknown column "${p.column}"; the columns at this step are ${[...this.byName.values()].map((c) => c.name).join(', ')}`,
      });
      return 'NULL';
    }
    const kind = kindOf(col.type);
    const ref = sqlIdent(col.name);
    const lit = (v: unknown, f: string): string => this.literal(v, kind, col.type, f);
    const text = (f: string): string => {
      if (kind !== 'text' && kind !== 'unknown') this.fail(`${field}.column`, `${p.op} applies to text columns; "${col.name}" is ${col.type}`);
      if (typeof p.value !== 'string') return this.fail(`${field}.value`, `${p.op} needs a text value`);
      return f;
    };
    const ci = p.ignoreCase === true;
    switch (p.op) {
      case 'eq':
      case 'ne':
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le': {
        if (p.value === undefined) return this.fail(`${field}.value`, `${p.op} needs a value`);
        const sym = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[p.op];
        if (ci && (p.op === 'eq' || p.op === 'ne') && typeof p.value === 'string') return `(lower(${ref}) ${sym} lower(${lit(p.value, `${field}.value`)}))`;
        return `(${ref} ${sym} ${lit(p.value, `${field}.value`)})`;
      }
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        const fn = { contains: 'contains', startsWith: 'starts_with', endsWith: 'ends_with' }[p.op];
        const v = typeof p.value === 'string' ? sqlString(p.value) : '';
        const subject = kind === 'text' ? ref : `CAST(${ref} AS VARCHAR)`;
        return text(ci ? `${fn}(lower(${subject}), lower(${v}))` : `${fn}(${subject}, ${v})`);
      }
      case 'in':
      case 'notIn': {
        if (!Array.isArray(p.values) || p.values.length === 0 || p.values.length > FILTER_MAX_IN)
          return this.fail(`${field}.values`, `${p.op} needs a list of 1 to ${FILTER_MAX_IN} values`);
        const list = p.values.map((v, i) => lit(v, `${field}.values[${i}]`)).join(', ');
        return `(${ref} ${p.op === 'in' ? 'IN' : 'NOT IN'} (${list}))`;
      }
      case 'between': {
        if (p.from === undefined || p.to === undefined) return this.fail(`${field}.${p.from === undefined ? 'from' : 'to'}`, 'between needs from and to');
        return `(${ref} BETWEEN ${lit(p.from, `${field}.from`)} AND ${lit(p.to, `${field}.to`)})`;
      }
      case 'isNull':
        return `(${ref} IS NULL)`;
      case 'isNotNull':
        return `(${ref} IS NOT NULL)`;
      case 'last': {
        if (!['date', 'timestamp', 'timestamptz', 'unknown'].includes(kind))
          return this.fail(`${field}.column`, `last applies to date and time columns; "${col.name}" is ${col.type}`);
        if (!Number.isInteger(p.amount) || p.amount! < 1 || p.amount! > 100000) return this.fail(`${field}.amount`, 'must be a whole number from 1 to 100000');
        if (!UNITS.includes(p.unit!)) return this.fail(`${field}.unit`, `must be one of ${UNITS.join(', ')}`);
        if (kind === 'date') {
          // On dates, "last 7 days" is the 7 dates ending today (UTC): after the date 7 days ago, up to today.
          if (p.unit === 'minutes' || p.unit === 'hours') return this.fail(`${field}.unit`, `a DATE column counts days, weeks, months or years, not ${p.unit}`);
          return `(${ref} > ${momentLiteral(momentBefore(this.now, p.amount!, p.unit!), kind)} AND ${ref} <= ${momentLiteral(this.now, kind)})`;
        }
        return `(${ref} >= ${momentLiteral(momentBefore(this.now, p.amount!, p.unit!), kind)} AND ${ref} <= ${momentLiteral(this.now, kind)})`;
      }
      default:
        return this.fail(`${field}.op`, `must be one of ${OPS.join(', ')}`);
    }
  }

  /** A value as a literal of the column's type, or a problem at `field` when it cannot be one. */
  literal(v: unknown, kind: Kind, type: string | undefined, field: string): string {
    const bad = (why: string): string => this.fail(field, why);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const m = v as RelativeMoment;
      if (!['date', 'timestamp', 'timestamptz', 'unknown'].includes(kind))
        return bad(`a relative moment { ago, unit } applies to date and time columns, not ${type}`);
      if (!Number.isInteger(m.ago) || m.ago < 0 || m.ago > 100000 || !UNITS.includes(m.unit))
        return bad(`must be { ago: 0..100000, unit: ${UNITS.join('|')} }`);
      return momentLiteral(momentBefore(this.now, m.ago, m.unit), kind === 'unknown' ? 'timestamptz' : kind);
    }
    if (typeof v === 'boolean') return kind === 'boolean' || kind === 'unknown' ? (v ? 'TRUE' : 'FALSE') : bad(`true/false does not compare to ${type}`);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return bad('must be a finite number');
      if (kind === 'number' || kind === 'unknown') return String(v);
      if (kind === 'text') return sqlString(String(v));
      return bad(`a number does not compare to ${type}`);
    }
    if (typeof v !== 'string') return bad('must be text, a number or true/false');
    if (v.includes('\0')) return bad('must not contain NUL characters');
    if (v.length > 4000) return bad('is longer than 4000 characters');
    switch (kind) {
      case 'text':
      case 'unknown':
      case 'other':
        return sqlString(v);
      case 'number':
        return NUMBER.test(v.trim()) ? v.trim() : bad(`"${v.slice(0, 40)}" is not a number (the column is ${type})`);
      case 'boolean':
        return /^(true|false)$/i.test(v) ? v.toUpperCase() : bad(`"${v.slice(0, 40)}" is not true/false`);
      case 'date':
        return ISO_DATE.test(v) ? `DATE ${sqlString(v)}` : bad(`"${v.slice(0, 40)}" is not a date (YYYY-MM-DD)`);
      case 'time':
        return /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(v) ? `TIME ${sqlString(v)}` : bad(`"${v.slice(0, 40)}" is not a time (HH:MM:SS)`);
      case 'timestamp':
      case 'timestamptz': {
        if (!ISO_TIMESTAMP.test(v)) return bad(`"${v.slice(0, 40)}" is not a date or timestamp (ISO-8601, e.g. 2024-03-01T12:00:00Z)`);
        // A value with an offset is an instant: as UTC wall time for a naive TIMESTAMP column.
        if (/(Z|[+-]\d{2}(:?\d{2})?)$/.test(v) && v.length > 10) {
          const at = new Date(v.replace(' ', 'T'));
          if (Number.isNaN(at.getTime())) return bad(`"${v.slice(0, 40)}" is not a valid timestamp`);
          return momentLiteral(at, kind);
        }
        return kind === 'timestamp' ? `TIMESTAMP ${sqlString(v)}` : `TIMESTAMPTZ ${sqlString(`${v}${v.length === 10 ? ' 00:00:00' : ''}+00`)}`;
      }
    }
  }
}

/**
 * The condition tree as one SQL boolean over `columns` (names resolve case-insensitively, as in DuckDB),
 * with relative moments computed from `now`. Throws TransformError (FF_TRANSFORM_UNKNOWN_COLUMN when a
 * column is missing, else FF_TRANSFORM_CONFIG) whose problems name each bad node under `field`
 * (`condition.and[1].value`).
 */
export function compileFilter(tree: unknown, columns: readonly FilterColumn[], now: Date, field = 'condition'): string {
  const c = new FilterCompiler(columns, now);
  const sql = c.node(tree, field, 1);
  if (c.problems.length) throw filterError(c.problems);
  return sql;
}

/** The problems of a condition tree (empty when it compiles), for compilers that gather every problem of a job. */
export function filterProblems(tree: unknown, columns: readonly FilterColumn[], now: Date, field: string): { sql: string; problems: TransformProblem[] } {
  const c = new FilterCompiler(columns, now);
  const sql = c.node(tree, field, 1);
  return { sql, problems: c.problems };
}

/** `value` as a SQL literal of `column`'s type (checked as filters check values), or the problems at `field`. */
export function valueLiteral(value: unknown, column: FilterColumn, now: Date, field: string): { sql: string; problems: TransformProblem[] } {
  const c = new FilterCompiler([column], now);
  const sql = c.literal(value, kindOf(column.type), column.type, field);
  return { sql, problems: c.problems };
}

/** Whether DuckDB type `type` is text (VARCHAR and its aliases). */
export function isTextType(type: string | undefined): boolean {
  return kindOf(type) === 'text';
}

function filterError(problems: TransformProblem[]): TransformError {
  const code = problems.some((p) => p.message.startsWith('unknown column')) ? 'FF_TRANSFORM_UNKNOWN_COLUMN' : 'FF_TRANSFORM_CONFIG';
  return new TransformError(code, problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems });
}

/**
 * How many rows of `relationSql` (a SELECT the caller built, e.g. over a registered input or a sample)
 * the condition keeps and drops (a null result drops the row, as WHERE does): the filter preview.
 */
export async function previewFilter(
  session: DuckDbSession,
  relationSql: string,
  tree: unknown,
  columns: readonly FilterColumn[],
  now: Date,
): Promise<{ kept: number; dropped: number }> {
  const cond = compileFilter(tree, columns, now);
  const res = await session.all(`SELECT count(*) AS total, count(*) FILTER (WHERE ${cond}) AS kept FROM (${relationSql}) AS "_ff_input"`);
  const total = Number(res.rows[0]!.total);
  const kept = Number(res.rows[0]!.kept);
  return { kept, dropped: total - kept };
}
