import { sqlIdent, sqlString, type ColumnSchema, type DuckDbSession, type LakeTableRef } from '@flowforge/engine';
import type { CompileContext, CompiledGuard, CompiledJob } from '../compiled-job';
import { bindProblem, checkExpressionText, embedExpression, EXPRESSION_MAX_LENGTH, EXPRESSION_OPEN } from '../expr/expression';
import { duckDbErrorOffset } from '../expr/sql-position';
import { parseTableName, relationSql, tableName, tableSql } from '../relations';
import { TransformError, type TransformErrorCode, type TransformProblem } from '../transform.errors';
import { filterProblems, isTextType, valueLiteral } from './filter';
import { CAST_TYPE_PATTERN, JOINS_MAX, NEW_COLUMN_PATTERN, STEPS_MAX, type SilverJoin, type SilverStep, type TransformSilverConfig } from './silver.schema';

/**
 * The `transform.silver` compiler (libs/transform/README.md, "transform.silver"): joins, then the steps,
 * as one WITH chain of non-materialised CTEs (`s0` the joined rows, then one or two CTEs per step) that
 * DuckDB plans as one query. Compilation is synchronous and checks the structure against the input
 * schemas (tables, columns, name collisions, types where known); `validateTransformSilver` additionally
 * parses and binds the expressions and the whole query with DuckDB and answers the output schema.
 */

/** Bronze audit columns: the source's pass through (unless selected away), a joined table's are left out. */
const AUDIT = /^(_ff_.*|_rescued_data)$/i;
/** Rows a guard returns at most (shown in the failure). */
const GUARD_ROWS = 10;
/** Characters of a rejected value quoted in the reason. */
const REASON_VALUE_CHARS = 200;

/** A column of the relation at some point: its name, DuckDB type when known, and the SQL reading it. */
interface Col {
  name: string;
  type?: string;
  nullable: boolean;
  sql: string;
}

interface Cte {
  name: string;
  body: string;
  /** The step (index in config.steps) that made it; -1: the joins. */
  step: number;
  /** Offset of a derive step's expression text inside `body`. */
  exprAt?: number;
}

/** A relation being joined: its columns (SQL over the FROM's aliases), FROM clause, and inputs by alias. */
interface JoinState {
  cols: Col[];
  from: string;
  aliases: Map<string, { internal: string; schema: ColumnSchema[] }>;
}

interface Problem extends TransformProblem {
  code: TransformErrorCode;
}

interface Built {
  ctes: Cte[];
  columns: Col[];
  rejects: { cte: number; select: string }[];
  guards: { cte: number; code: TransformErrorCode; message: string; select: string }[];
  problems: Problem[];
  inputs: LakeTableRef[];
}

interface BuildOptions {
  /** SQL of an input in FROM: the registered view (compile), or a typed empty relation (validate). */
  from: (ref: LakeTableRef, schema: ColumnSchema[]) => string;
  /** Derive steps whose expression is replaced by NULL (validation goes on past a bad expression). */
  nullExpressions?: Set<number>;
}

/** The lake tables a silver job reads: the source, then each joined table (top-level joins, then join steps; each once). */
export function transformSilverInputs(config: TransformSilverConfig): LakeTableRef[] {
  const refs = [
    parseTableName(config.source, 'source'),
    ...(config.joins ?? []).map((j, i) => parseTableName(j.table, `joins[${i}].table`)),
    ...(config.steps ?? []).flatMap((s, i) => (s?.op === 'join' ? [parseTableName(s.table, `steps[${i}].table`)] : [])),
  ];
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(tableName(r)) && seen.add(tableName(r)));
}

const lower = (s: string): string => s.toLowerCase();

function castTypeProblem(type: unknown): string | undefined {
  if (typeof type !== 'string' || !new RegExp(CAST_TYPE_PATTERN).test(type))
    return `must be one of the supported types (INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, DATE, TIMESTAMP, ...)`;
  const d = /^DECIMAL\((\d+), ?(\d+)\)$/.exec(type);
  if (d && (Number(d[1]) > 38 || Number(d[2]) > Number(d[1]))) return 'DECIMAL(p,s) needs 1 ≤ p ≤ 38 and s ≤ p';
  return undefined;
}

class SilverBuilder {
  readonly problems: Problem[] = [];
  readonly ctes: Cte[] = [];
  readonly rejects: Built['rejects'] = [];
  readonly guards: Built['guards'] = [];
  cols: Col[] = [];

  constructor(
    private readonly config: TransformSilverConfig,
    private readonly ctx: CompileContext,
    private readonly opts: BuildOptions,
  ) {}

  problem(code: TransformErrorCode, field: string, message: string, position?: number): void {
    this.problems.push({ code, field, message, ...(position === undefined ? {} : { position }) });
  }

  find(name: unknown, field: string, cols: Col[] = this.cols): Col | undefined {
    const c = typeof name === 'string' ? cols.find((x) => lower(x.name) === lower(name)) : undefined;
    if (!c)
      this.problem(
        'FF_TRANSFORM_UNKNOWN_COLUMN',
        field,
        `unknown column ${JSON.stringify(name)}; the columns here are ${cols.map((x) => x.name).join(', ') || '(none)'}`,
      );
    return c;
  }

  /** Problems for names that appear twice (DuckDB names are case-insensitive). */
  collisions(cols: Col[], field: string, hint: string): void {
    const seen = new Map<string, number>();
    for (const c of cols) seen.set(lower(c.name), (seen.get(lower(c.name)) ?? 0) + 1);
    const dup = [...new Set(cols.filter((c) => seen.get(lower(c.name))! > 1).map((c) => c.name))];
    if (dup.length)
      this.problem('FF_TRANSFORM_NAME_COLLISION', field, `two output columns would be named ${dup.map((d) => JSON.stringify(d)).join(', ')}; ${hint}`);
  }

  newName(name: unknown, field: string): name is string {
    if (typeof name === 'string' && new RegExp(NEW_COLUMN_PATTERN).test(name)) return true;
    this.problem('FF_TRANSFORM_CONFIG', field, 'must be a name of letters, digits and _ (not starting with a digit or _ff_), at most 255 characters');
    return false;
  }

  /** The current columns read from the last CTE. */
  private reset(cols: Col[]): void {
    this.cols = cols.map((c) => ({ ...c, sql: sqlIdent(c.name) }));
  }

  private get last(): string {
    return sqlIdent(this.ctes[this.ctes.length - 1]!.name);
  }

  /** Adds CTE `s<n>` selecting `cols` (each `sql AS name`) from the previous one, with `tail` (WHERE/QUALIFY). */
  private push(step: number, cols: Col[], tail = '', exprAt?: (prefixLength: number) => number): void {
    const list = cols.map((c) => (c.sql === sqlIdent(c.name) ? c.sql : `${c.sql} AS ${sqlIdent(c.name)}`));
    const head = `SELECT `;
    const body = `${head}${list.join(', ')} FROM ${this.last}${tail ? ` ${tail}` : ''}`;
    this.ctes.push({ name: `s${this.ctes.length}`, body, step, ...(exprAt ? { exprAt: exprAt(head.length) } : {}) });
    this.reset(cols);
  }

  build(): void {
    this.joins();
    const steps = this.config.steps;
    if (!Array.isArray(steps)) this.problem('FF_TRANSFORM_CONFIG', 'steps', 'must be a list of steps');
    else if (steps.length > STEPS_MAX) this.problem('FF_TRANSFORM_CONFIG', 'steps', `at most ${STEPS_MAX} steps`);
    else if ((this.config.joins?.length ?? 0) + steps.filter((x) => x?.op === 'join').length > JOINS_MAX)
      this.problem('FF_TRANSFORM_CONFIG', 'steps', `at most ${JOINS_MAX} joins in all (joins and join steps)`);
    else steps.forEach((s, i) => this.step(s, i));
    if (this.cols.length === 0 && this.problems.length === 0) this.problem('FF_TRANSFORM_CONFIG', 'steps', 'no column is left');
  }

  private joins(): void {
    let source: LakeTableRef;
    try {
      source = parseTableName(this.config.source, 'source');
    } catch (err) {
      this.problems.push(...(err as TransformError).problems.map((p) => ({ ...p, code: 'FF_TRANSFORM_CONFIG' as const })));
      return;
    }
    const joins = this.config.joins ?? [];
    if (!Array.isArray(joins) || joins.length > JOINS_MAX) return this.problem('FF_TRANSFORM_CONFIG', 'joins', `must be a list of at most ${JOINS_MAX} joins`);
    const srcSchema = this.schemaOf(source, 'source');
    if (!srcSchema) return;
    // Each input's columns by alias (original names, for <alias>.<column> keys).
    const aliases = new Map<string, { internal: string; schema: ColumnSchema[] }>();
    aliases.set(this.config.alias ?? source.table, { internal: 't0', schema: srcSchema });
    let cols: Col[] = srcSchema.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, sql: `"t0".${sqlIdent(c.name)}` }));
    let from = `${this.opts.from(source, srcSchema)} AS "t0"`;
    const state: JoinState = { cols, from, aliases };
    joins.forEach((j: SilverJoin, i) => this.joinOne(j, `joins[${i}]`, state, `t${i + 1}`));
    cols = state.cols;
    from = state.from;
    const list = cols.map((c) => `${c.sql} AS ${sqlIdent(c.name)}`);
    this.ctes.push({ name: 's0', body: `SELECT ${list.join(', ')} FROM ${from}`, step: -1 });
    this.reset(cols);
  }

  /** The schema of an input, or a problem FF_TRANSFORM_UNKNOWN_TABLE at `field`. */
  private schemaOf(ref: LakeTableRef, field: string): ColumnSchema[] | undefined {
    const schema = this.ctx.schemas(ref);
    if (!schema) this.problem('FF_TRANSFORM_UNKNOWN_TABLE', field, `table ${tableName(ref)} is not in the lake (or not readable)`);
    return schema;
  }

  /**
   * Joins table `j` to the relation `st` describes (its columns and FROM clause so far), as `internal`:
   * keys, the columns taken (listed, or all but audit columns; then the prefix), equal-named keys merged,
   * nullability of outer joins, and name collisions.
   */
  private joinOne(j: SilverJoin, f: string, st: JoinState, internal: string): void {
    if (!j || typeof j !== 'object') return this.problem('FF_TRANSFORM_CONFIG', f, 'must be a join object');
    let ref: LakeTableRef;
    try {
      ref = parseTableName(j.table, `${f}.table`);
    } catch (err) {
      this.problems.push(...(err as TransformError).problems.map((p) => ({ ...p, code: 'FF_TRANSFORM_CONFIG' as const })));
      return;
    }
    const schema = this.schemaOf(ref, `${f}.table`);
    if (!schema) return;
    const alias = j.alias ?? ref.table;
    if (st.aliases.has(alias))
      return this.problem('FF_TRANSFORM_CONFIG', `${f}.alias`, `alias "${alias}" is already used by an earlier table: give this join an alias of its own`);
    st.aliases.set(alias, { internal, schema });
    const rightCols: Col[] = schema.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, sql: `${sqlIdent(internal)}.${sqlIdent(c.name)}` }));
    const type = j.type;
    if (!['inner', 'left', 'right', 'full'].includes(type)) this.problem('FF_TRANSFORM_CONFIG', `${f}.type`, 'must be inner, left, right or full');
    // Keys: left = an output column so far, or <alias>.<column> of an earlier table.
    const pairs: { left: Col; right: Col }[] = [];
    if (!Array.isArray(j.on) || j.on.length === 0) this.problem('FF_TRANSFORM_CONFIG', `${f}.on`, 'needs at least one key pair');
    (Array.isArray(j.on) ? j.on : []).forEach((k, n) => {
      const left = this.leftKey(k.left, st.cols, st.aliases, alias, `${f}.on[${n}].left`);
      const right = this.find(k.right, `${f}.on[${n}].right`, rightCols);
      if (left && right) pairs.push({ left, right });
    });
    const on = pairs.map((p) => `${p.left.sql} = ${p.right.sql}`).join(' AND ') || 'false';
    // Columns taken: listed ones, or all but audit columns; then the prefix; then keys merged (USING semantics).
    let taken: Col[];
    if (j.columns) {
      taken = [];
      j.columns.forEach((c, n) => {
        const col = this.find(c.name, `${f}.columns[${n}].name`, rightCols);
        if (!col) return;
        if (c.as !== undefined && !this.newName(c.as, `${f}.columns[${n}].as`)) return;
        taken.push({ ...col, name: c.as ?? `${j.prefix ?? ''}${col.name}` });
      });
    } else taken = rightCols.filter((c) => !AUDIT.test(c.name)).map((c) => ({ ...c, name: `${j.prefix ?? ''}${c.name}` }));
    // A right key column taken under the name of the left key it equals is one column (USING semantics):
    // the left value, or for right/full joins the one that is not null.
    const merged = new Set<number>();
    for (const p of pairs) {
      const idx = taken.findIndex((t) => t.sql === p.right.sql && lower(t.name) === lower(p.left.name));
      if (idx < 0) continue;
      taken.splice(idx, 1);
      const li = st.cols.indexOf(p.left);
      if (li >= 0 && (type === 'right' || type === 'full')) {
        merged.add(li);
        st.cols[li] = {
          ...p.left,
          sql: `coalesce(${p.left.sql}, ${p.right.sql})`,
          nullable: p.left.nullable && p.right.nullable,
          type: p.left.type === p.right.type ? p.left.type : undefined,
        };
      }
    }
    if (type === 'left' || type === 'full') taken = taken.map((c) => ({ ...c, nullable: true }));
    if (type === 'right' || type === 'full') st.cols = st.cols.map((c, n) => (merged.has(n) ? c : { ...c, nullable: true }));
    st.cols = [...st.cols, ...taken];
    this.collisions(st.cols, f, `set a prefix on this join, or list its columns with as`);
    st.from += ` ${{ inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' }[type] ?? 'INNER'} JOIN ${this.opts.from(ref, schema)} AS ${sqlIdent(internal)} ON ${on}`;
  }

  private leftKey(ref: unknown, cols: Col[], aliases: Map<string, { internal: string; schema: ColumnSchema[] }>, self: string, field: string): Col | undefined {
    if (typeof ref !== 'string') return this.find(ref, field, cols);
    const exact = cols.find((c) => lower(c.name) === lower(ref));
    if (exact) return exact;
    const dot = ref.indexOf('.');
    const a = dot > 0 ? aliases.get(ref.slice(0, dot)) : undefined;
    if (a && ref.slice(0, dot) !== self) {
      const name = ref.slice(dot + 1);
      const c = a.schema.find((x) => lower(x.name) === lower(name));
      if (c) return { name: c.name, type: c.type, nullable: c.nullable, sql: `${sqlIdent(a.internal)}.${sqlIdent(c.name)}` };
    }
    this.problem(
      'FF_TRANSFORM_UNKNOWN_COLUMN',
      field,
      `unknown column ${JSON.stringify(ref)}: name a column joined so far (${cols.map((c) => c.name).join(', ')}) or <alias>.<column> of an earlier table (${[...aliases.keys()].filter((k) => k !== self).join(', ')})`,
    );
    return undefined;
  }

  private step(s: SilverStep, i: number): void {
    const f = `steps[${i}]`;
    if (!s || typeof s !== 'object') return this.problem('FF_TRANSFORM_CONFIG', f, 'must be a step object with op');
    const before = this.problems.length;
    switch (s.op) {
      case 'select': {
        if (!Array.isArray(s.columns) || s.columns.length === 0) return this.problem('FF_TRANSFORM_CONFIG', `${f}.columns`, 'needs at least one column');
        const out: Col[] = [];
        const casts: { col: string; type: string; field: string }[] = [];
        s.columns.forEach((c, n) => {
          const col = this.find(c.name, `${f}.columns[${n}].name`);
          if (!col) return;
          if (c.as !== undefined && !this.newName(c.as, `${f}.columns[${n}].as`)) return;
          const name = c.as ?? col.name;
          if (c.cast !== undefined) {
            const bad = castTypeProblem(c.cast);
            if (bad) this.problem('FF_TRANSFORM_CONFIG', `${f}.columns[${n}].cast`, bad);
            else casts.push({ col: name, type: c.cast, field: `${f}.columns[${n}].cast` });
          }
          out.push({ ...col, name });
        });
        this.collisions(out, `${f}.columns`, 'rename one with as');
        if (this.problems.length > before) return;
        this.push(i, out);
        for (const c of casts) this.cast(i, c.col, c.type, undefined, 'reject');
        return;
      }
      case 'drop': {
        if (!Array.isArray(s.columns) || s.columns.length === 0) return this.problem('FF_TRANSFORM_CONFIG', `${f}.columns`, 'needs at least one column');
        const gone = new Set(s.columns.map((c, n) => this.find(c, `${f}.columns[${n}]`)).filter((c): c is Col => !!c));
        const out = this.cols.filter((c) => !gone.has(c));
        if (out.length === 0) this.problem('FF_TRANSFORM_CONFIG', `${f}.columns`, 'would drop every column');
        if (this.problems.length > before) return;
        return this.push(i, out);
      }
      case 'rename': {
        if (!Array.isArray(s.columns) || s.columns.length === 0) return this.problem('FF_TRANSFORM_CONFIG', `${f}.columns`, 'needs at least one rename');
        const names = new Map<Col, string>();
        s.columns.forEach((c, n) => {
          const col = this.find(c.name, `${f}.columns[${n}].name`);
          if (col && this.newName(c.as, `${f}.columns[${n}].as`)) names.set(col, c.as);
        });
        const out = this.cols.map((c) => ({ ...c, name: names.get(c) ?? c.name }));
        this.collisions(out, `${f}.columns`, 'choose another name');
        if (this.problems.length > before) return;
        return this.push(i, out);
      }
      case 'cast': {
        const col = this.find(s.column, `${f}.column`);
        const bad = castTypeProblem(s.type);
        if (bad) this.problem('FF_TRANSFORM_CONFIG', `${f}.type`, bad);
        const onError = s.onError ?? 'reject';
        if (!['reject', 'null', 'fail'].includes(onError)) this.problem('FF_TRANSFORM_CONFIG', `${f}.onError`, 'must be reject, null or fail');
        if (s.format !== undefined) {
          if (!/^(DATE|TIMESTAMP|TIMESTAMPTZ)$/.test(s.type)) this.problem('FF_TRANSFORM_CONFIG', `${f}.format`, 'applies to DATE, TIMESTAMP and TIMESTAMPTZ');
          else if (col?.type && !isTextType(col.type)) this.problem('FF_TRANSFORM_CONFIG', `${f}.format`, `parses text; "${col.name}" is ${col.type}`);
          if (typeof s.format !== 'string' || s.format.length === 0 || s.format.length > 100 || s.format.includes('\0'))
            this.problem('FF_TRANSFORM_CONFIG', `${f}.format`, 'must be a strptime format of 1 to 100 characters');
        }
        if (this.problems.length > before || !col) return;
        return this.cast(i, col.name, s.type, s.format, onError);
      }
      case 'trim':
      case 'lower':
      case 'upper':
      case 'normalize': {
        if (!Array.isArray(s.columns) || s.columns.length === 0) return this.problem('FF_TRANSFORM_CONFIG', `${f}.columns`, 'needs at least one column');
        const targets = new Set<Col>();
        s.columns.forEach((c, n) => {
          const col = this.find(c, `${f}.columns[${n}]`);
          if (col?.type && !isTextType(col.type))
            this.problem('FF_TRANSFORM_CONFIG', `${f}.columns[${n}]`, `${s.op} applies to text columns; "${col.name}" is ${col.type}`);
          else if (col) targets.add(col);
        });
        if (this.problems.length > before) return;
        const fn = (x: string): string => {
          let e: string;
          if (s.op === 'normalize') {
            e = `trim(regexp_replace(nfc_normalize(${x}), '\\s+', ' ', 'g'))`;
            if (s.stripAccents) e = `strip_accents(${e})`;
          } else e = `${s.op}(${x})`;
          return s.emptyAsNull ? `nullif(${e}, '')` : e;
        };
        return this.push(
          i,
          this.cols.map((c) => (targets.has(c) ? { ...c, sql: fn(c.sql), nullable: c.nullable || !!s.emptyAsNull } : c)),
        );
      }
      case 'nulls': {
        const col = this.find(s.column, `${f}.column`);
        if (!col) return;
        if (s.action === 'default') {
          if (s.value === undefined || s.value === null) return this.problem('FF_TRANSFORM_CONFIG', `${f}.value`, 'default needs a value');
          const lit = valueLiteral(s.value, col, this.ctx.now, `${f}.value`);
          if (lit.problems.length) {
            this.problems.push(...lit.problems.map((p) => ({ ...p, code: 'FF_TRANSFORM_CONFIG' as const })));
            return;
          }
          const sql = col.type ? `coalesce(${col.sql}, CAST(${lit.sql} AS ${col.type}))` : `coalesce(${col.sql}, ${lit.sql})`;
          return this.push(
            i,
            this.cols.map((c) => (c === col ? { ...c, sql, nullable: false } : c)),
          );
        }
        if (s.action === 'drop')
          return this.push(
            i,
            this.cols.map((c) => (c === col ? { ...c, nullable: false } : c)),
            `WHERE ${col.sql} IS NOT NULL`,
          );
        if (s.action === 'fail') {
          this.guards.push({
            cte: this.ctes.length - 1,
            code: 'FF_TRANSFORM_NULLS',
            message: `${f} (nulls: fail): column "${col.name}" is null in some rows`,
            select: `SELECT ${sqlString(`NULL_FOUND column "${col.name}"`)} AS reason, ${this.rawJson()} AS raw FROM ${this.last} WHERE ${col.sql} IS NULL LIMIT ${GUARD_ROWS}`,
          });
          this.cols = this.cols.map((c) => (c === col ? { ...c, nullable: false } : c));
          return;
        }
        return this.problem('FF_TRANSFORM_CONFIG', `${f}.action`, 'must be default, drop or fail');
      }
      case 'dedupe': {
        if (!Array.isArray(s.keys) || s.keys.length === 0) this.problem('FF_TRANSFORM_CONFIG', `${f}.keys`, 'needs at least one key column');
        if (!Array.isArray(s.orderBy) || s.orderBy.length === 0)
          this.problem('FF_TRANSFORM_CONFIG', `${f}.orderBy`, 'needs at least one ordering column: it decides which row wins');
        if (this.problems.length > before) return;
        const keys = s.keys.map((k, n) => this.find(k, `${f}.keys[${n}]`));
        const order = s.orderBy.map((o, n) => {
          const c = this.find(o.column, `${f}.orderBy[${n}].column`);
          if (o.direction !== undefined && o.direction !== 'asc' && o.direction !== 'desc')
            this.problem('FF_TRANSFORM_CONFIG', `${f}.orderBy[${n}].direction`, 'must be asc or desc');
          return c ? `${c.sql} ${o.direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST` : '';
        });
        if (this.problems.length > before) return;
        return this.push(i, this.cols, `QUALIFY row_number() OVER (PARTITION BY ${keys.map((k) => k!.sql).join(', ')} ORDER BY ${order.join(', ')}) = 1`);
      }
      case 'derive': {
        if (!this.newName(s.name, `${f}.name`)) return;
        if (typeof s.expression !== 'string' || s.expression.trim() === '')
          return this.problem('FF_TRANSFORM_EXPRESSION', `${f}.expression`, 'must be a non-empty SQL expression');
        if (s.expression.length > EXPRESSION_MAX_LENGTH)
          return this.problem('FF_TRANSFORM_EXPRESSION', `${f}.expression`, `is longer than ${EXPRESSION_MAX_LENGTH} characters`);
        const nul = s.expression.indexOf('\0');
        if (nul >= 0) return this.problem('FF_TRANSFORM_EXPRESSION', `${f}.expression`, 'must not contain NUL characters', nul);
        const existing = this.cols.find((c) => lower(c.name) === lower(s.name));
        if (existing && !s.replace)
          return this.problem(
            'FF_TRANSFORM_NAME_COLLISION',
            `${f}.name`,
            `a column "${existing.name}" exists already: choose another name, or set replace: true to overwrite it`,
          );
        const expr = this.opts.nullExpressions?.has(i) ? 'NULL' : s.expression;
        const value: Col = { name: existing?.name ?? s.name, nullable: true, sql: embedExpression(expr) };
        const out = existing ? this.cols.map((c) => (c === existing ? value : c)) : [...this.cols, value];
        // Offset of the expression in the CTE body: after the columns before it and "(\n".
        const idx = out.indexOf(value);
        return this.push(i, out, '', (head) => {
          const before = out.slice(0, idx).map((c) => (c.sql === sqlIdent(c.name) ? c.sql : `${c.sql} AS ${sqlIdent(c.name)}`));
          return head + before.map((b) => b.length + 2).reduce((a, b) => a + b, 0) + EXPRESSION_OPEN.length;
        });
      }
      case 'join': {
        // The rows so far (as "l") joined to a table: keys on the left are the current column names.
        const st: JoinState = { cols: this.cols.map((c) => ({ ...c, sql: `"l".${sqlIdent(c.name)}` })), from: `${this.last} AS "l"`, aliases: new Map() };
        this.joinOne(s, f, st, `j${i}`);
        if (this.problems.length > before) return;
        this.ctes.push({
          name: `s${this.ctes.length}`,
          body: `SELECT ${st.cols.map((c) => `${c.sql} AS ${sqlIdent(c.name)}`).join(', ')} FROM ${st.from}`,
          step: i,
        });
        return this.reset(st.cols);
      }
      case 'filter': {
        const { sql, problems } = filterProblems(s.condition, this.cols, this.ctx.now, `${f}.condition`);
        if (problems.length) {
          for (const p of problems)
            this.problem(p.message.startsWith('unknown column') ? 'FF_TRANSFORM_UNKNOWN_COLUMN' : 'FF_TRANSFORM_CONFIG', p.field, p.message);
          return;
        }
        return this.push(i, this.cols, `WHERE ${sql}`);
      }
      default:
        return this.problem('FF_TRANSFORM_CONFIG', `${f}.op`, `unknown op ${JSON.stringify((s as { op?: unknown }).op)}`);
    }
  }

  /** The current row as JSON text (the `raw` of rejects and guard rows). */
  private rawJson(): string {
    const cols = this.cols.filter((c) => c.name !== '__ff_cast');
    return `CAST(to_json(struct_pack(${cols.map((c) => `${sqlIdent(c.name)} := ${c.sql}`).join(', ')})) AS VARCHAR)`;
  }

  /**
   * A cast of `name`: one CTE computing the converted value beside the original, one replacing it (and,
   * for reject, dropping the failed rows, which rejectsSql selects from the first with their reason).
   */
  private cast(step: number, name: string, type: string, format: string | undefined, onError: 'reject' | 'null' | 'fail'): void {
    const col = this.cols.find((c) => c.name === name)!;
    const conv = format ? `CAST(try_strptime(CAST(${col.sql} AS VARCHAR), ${sqlString(format)}) AS ${type})` : `TRY_CAST(${col.sql} AS ${type})`;
    const tmp: Col = { name: '__ff_cast', type, nullable: true, sql: conv };
    this.push(step, [...this.cols, tmp]);
    const failed = `(${sqlIdent(col.name)} IS NOT NULL AND "__ff_cast" IS NULL)`;
    const shown = `'''' || replace(left(CAST(${sqlIdent(col.name)} AS VARCHAR), ${REASON_VALUE_CHARS}), '''', '''''') || ''''`;
    const reason = `${sqlString(`CAST_FAILED column "${col.name}": value `)} || ${shown} || ${sqlString(` is not ${type}${format ? ` in format ${format}` : ''}`)}`;
    const select = `SELECT ${reason} AS reason, ${this.rawJson()} AS raw FROM ${this.last} WHERE ${failed}`;
    if (onError === 'reject') this.rejects.push({ cte: this.ctes.length - 1, select });
    if (onError === 'fail')
      this.guards.push({
        cte: this.ctes.length - 1,
        code: 'FF_TRANSFORM_CAST',
        message: `steps[${step}] (cast, onError fail): column "${col.name}" has values that are not ${type}`,
        select: `${select} LIMIT ${GUARD_ROWS}`,
      });
    const out = this.cols
      .filter((c) => c.name !== '__ff_cast')
      .map((c) => (c.name === col.name ? { ...c, type, sql: '"__ff_cast"', nullable: c.nullable || onError === 'null' } : c));
    this.push(step, out, onError === 'reject' ? `WHERE NOT ${failed}` : '');
  }
}

function build(config: TransformSilverConfig, ctx: CompileContext, opts: BuildOptions): Built {
  if (!config || typeof config !== 'object')
    throw new TransformError('FF_TRANSFORM_CONFIG', 'the config must be an object', { problems: [{ field: '', message: 'must be an object' }] });
  const b = new SilverBuilder(config, ctx, opts);
  b.build();
  let inputs: LakeTableRef[] = [];
  try {
    inputs = transformSilverInputs(config);
  } catch {
    // reported by the builder already
  }
  return { ctes: b.ctes, columns: b.cols, rejects: b.rejects, guards: b.guards, problems: b.problems, inputs };
}

function fail(problems: Problem[]): never {
  const text = problems.map((p) => `${p.field}${p.position === undefined ? '' : ` (at ${p.position})`}: ${p.message}`).join('; ');
  throw new TransformError(problems[0]!.code, text, { problems: problems.map(({ code: _c, ...p }) => p) });
}

/** `WITH s0 AS NOT MATERIALIZED (...), ...` over the first `upTo`+1 CTEs, and where each CTE body starts in it. */
function withClause(ctes: Cte[], upTo: number): { sql: string; starts: number[] } {
  let sql = 'WITH ';
  const starts: number[] = [];
  ctes.slice(0, upTo + 1).forEach((c, i) => {
    if (i > 0) sql += ',\n';
    sql += `${sqlIdent(c.name)} AS NOT MATERIALIZED (`;
    starts.push(sql.length);
    sql += `${c.body})`;
  });
  return { sql: `${sql}\n`, starts };
}

function finalSql(b: Built): { sql: string; starts: number[] } {
  const w = withClause(b.ctes, b.ctes.length - 1);
  return { sql: `${w.sql}SELECT ${b.columns.map((c) => c.sql).join(', ')} FROM ${sqlIdent(b.ctes[b.ctes.length - 1]!.name)}`, starts: w.starts };
}

/**
 * Compiles a `transform.silver` config into one SELECT over its inputs (registered by the runner as
 * `<layer>.<namespace>.<table>` views), the rejects query of the casts with onError reject, and the
 * guards of nulls `fail` and casts with onError fail. Throws TransformError naming every bad field
 * (code of the first problem). Expressions are only checked for length and NUL here: call
 * validateTransformSilver before, where a DuckDB session is at hand, to parse and bind them.
 */
export function compileTransformSilver(config: TransformSilverConfig, ctx: CompileContext): CompiledJob {
  const b = build(config, ctx, { from: (ref) => tableSql(ref) });
  if (b.problems.length) fail(b.problems);
  const { sql } = finalSql(b);
  const rejectsSql = b.rejects.length
    ? `${withClause(b.ctes, Math.max(...b.rejects.map((r) => r.cte))).sql}${b.rejects.map((r) => r.select).join('\nUNION ALL\n')}`
    : undefined;
  const guards: CompiledGuard[] = b.guards.map((g) => ({ code: g.code, message: g.message, sql: `${withClause(b.ctes, g.cte).sql}${g.select}` }));
  const known = b.columns.every((c) => c.type);
  return {
    inputs: b.inputs,
    sql,
    ...(known ? { schema: b.columns.map((c) => ({ name: c.name, type: c.type!, nullable: c.nullable })) } : {}),
    ...(rejectsSql ? { rejectsSql } : {}),
    ...(guards.length ? { guards } : {}),
  };
}

/**
 * Everything compileTransformSilver checks, plus, with DuckDB on `session` (nothing is registered or
 * read: the inputs are typed empty relations of ctx.schemas): each derive expression parsed (one
 * expression, no subquery or table function) and bound at its step, then the whole query bound.
 * Every problem is reported at once, expression problems with their position in the expression text.
 * Answers the output schema (types from DuckDB). The service calls it before compile, and for the
 * console's "check" button.
 */
export async function validateTransformSilver(session: DuckDbSession, config: TransformSilverConfig, ctx: CompileContext): Promise<{ schema: ColumnSchema[] }> {
  const opts: BuildOptions = { from: (_ref, schema) => `(${relationSql({ schema, files: [] })})`, nullExpressions: new Set() };
  let b = build(config, ctx, opts);
  if (b.problems.length) fail(b.problems);
  const problems: Problem[] = [];
  const steps = config.steps;
  for (const [i, s] of steps.entries()) {
    if (s.op !== 'derive') continue;
    const field = `steps[${i}].expression`;
    const text = await checkExpressionText(session, s.expression, field);
    if (text.length) {
      problems.push(...text.map((p) => ({ ...p, code: 'FF_TRANSFORM_EXPRESSION' as const })));
      opts.nullExpressions!.add(i);
      continue;
    }
    b = build(config, ctx, opts);
    const idx = b.ctes.findIndex((c) => c.step === i && c.exprAt !== undefined);
    const w = withClause(b.ctes, idx);
    const head = 'DESCRIBE ';
    const sql = `${head}${w.sql}SELECT * FROM ${sqlIdent(b.ctes[idx]!.name)}`;
    try {
      await session.all(sql);
    } catch (err) {
      const start = head.length + w.starts[idx]! + b.ctes[idx]!.exprAt!;
      problems.push({ ...bindProblem(err, sql, start, s.expression, field), code: 'FF_TRANSFORM_EXPRESSION' });
      opts.nullExpressions!.add(i);
    }
  }
  if (problems.length) fail(problems);
  b = build(config, ctx, opts);
  const { sql, starts } = finalSql(b);
  const head = 'DESCRIBE ';
  let described: { name: string; type: string }[];
  try {
    described = (await session.all(`${head}${sql}`)).rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } catch (err) {
    // Which part failed: the CTE holding DuckDB's caret names the step (or the joins).
    const at = duckDbErrorOffset((err as Error).message, `${head}${sql}`);
    let cte = -1;
    if (at !== undefined) for (const [n, s] of starts.entries()) if (at >= head.length + s) cte = n;
    const step = cte >= 0 ? b.ctes[cte]!.step : undefined;
    const field = step === undefined ? 'steps' : step < 0 ? 'joins' : `steps[${step}]`;
    const message = (err as Error).message
      .replace(/^FF_ENGINE_SQL: /, '')
      .split('\n\nLINE ')[0]!
      .trim();
    fail([{ code: 'FF_TRANSFORM_CONFIG', field, message: `does not bind: ${message}` }]);
  }
  return { schema: described.map((d, n) => ({ name: d.name, type: d.type, nullable: b.columns[n]?.nullable ?? true })) };
}
