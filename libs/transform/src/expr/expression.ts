import { sqlIdent, type ColumnSchema, type DuckDbSession, type JsonRow } from '@flowforge/engine';
import { relationSql } from '../relations';
import { TransformError, type TransformProblem } from '../transform.errors';

type Json = JsonRow[string];
import { byteToCharOffset, duckDbErrorOffset, quotedNameOffset } from './sql-position';

/**
 * User SQL expressions (derived columns, `POST .../expressions/test`): one scalar DuckDB expression over
 * the columns of a row, e.g. `CASE WHEN amount > 100 THEN 'big' ELSE 'small' END` or
 * `coalesce(first_name || ' ' || last_name, email)`.
 *
 * An expression is checked in two passes, both by DuckDB itself:
 *  1. parse (`json_serialize_sql` of `SELECT (<expr>)`): exactly one expression, nothing else — no `;`
 *     and second statement, no FROM/WHERE smuggled in after a closing parenthesis, no subquery (so no
 *     table read, no table function such as read_csv), no `*`/COLUMNS(), no parameters, and none of the
 *     functions in DENIED_FUNCTIONS;
 *  2. bind against an empty typed relation of the input schema: unknown columns and functions, type errors.
 * Each problem carries the 0-based `position` in the expression text when DuckDB gives a place.
 */

/** Longest expression text accepted (characters). */
export const EXPRESSION_MAX_LENGTH = 4000;

/** Sample rows `testExpression` evaluates at most. */
export const SAMPLE_ROWS_MAX = 100;

/**
 * Functions an expression may not call: table functions (they read files, catalogs or run SQL text),
 * functions with side effects on the session (sequences, the random seed) and ones that read settings.
 * Subqueries are refused outright, so a table function could only appear as a (failing) scalar call:
 * refusing it by name gives a clearer message.
 */
const DENIED_FUNCTIONS =
  /^(read_\w+|parquet_\w+|glob|query|query_table|sniff_csv|duckdb_\w+|pragma_\w+|iceberg_\w+|delta_\w+|sql_auto_complete|which_secret|nextval|currval|setseed|current_setting|getvariable|getenv|load|install|checkpoint|force_checkpoint)$/i;

/** How an expression sits in generated SQL: on lines of its own inside parentheses, so a trailing `--` comment stays inside. */
export const EXPRESSION_OPEN = '(\n';
export const EXPRESSION_CLOSE = '\n)';

/** `(\n<expr>\n)`: the expression as it is embedded in every query the compilers generate. */
export function embedExpression(expr: string): string {
  return `${EXPRESSION_OPEN}${expr}${EXPRESSION_CLOSE}`;
}

const PARSE_PREFIX = `SELECT ${EXPRESSION_OPEN}`;

interface AstNode {
  class?: string;
  type?: string;
  function_name?: string;
  query_location?: number;
  [key: string]: unknown;
}

/**
 * Parse-level checks of an expression (pass 1 above): the problems found, each at `field` with the
 * position in the expression when known. Empty: the text is one scalar expression and nothing else.
 */
export async function checkExpressionText(session: DuckDbSession, expr: unknown, field = 'expression'): Promise<TransformProblem[]> {
  if (typeof expr !== 'string' || expr.trim() === '') return [{ field, message: 'must be a non-empty SQL expression' }];
  if (expr.length > EXPRESSION_MAX_LENGTH) return [{ field, message: `is ${expr.length} characters long, longer than the ${EXPRESSION_MAX_LENGTH} allowed` }];
  const nul = expr.indexOf('\0');
  if (nul >= 0) return [{ field, message: 'must not contain NUL characters', position: nul }];
  const text = `${PARSE_PREFIX}${expr}${EXPRESSION_CLOSE}`;
  const res = await session.all(`SELECT json_serialize_sql(?::VARCHAR) AS ast`, [text]);
  const ast = JSON.parse(String(res.rows[0]!.ast)) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
    position?: string;
    statements?: { node: AstNode }[];
  };
  const pos = (bytes: number | string | undefined): number | undefined => {
    if (bytes === undefined || bytes === null) return undefined;
    const n = Number(bytes);
    if (!Number.isFinite(n) || n > 2 ** 53) return undefined;
    const at = byteToCharOffset(text, n) - PARSE_PREFIX.length;
    return Math.max(0, Math.min(expr.length, at));
  };
  if (ast.error) {
    const message =
      ast.error_type === 'parser'
        ? `does not parse: ${ast.error_message ?? 'syntax error'}`
        : 'must be one SQL expression (a second statement, or a `;`, is not allowed)';
    return [{ field, message, position: pos(ast.position) }];
  }
  const statements = ast.statements ?? [];
  const node = statements[0]?.node as
    | (AstNode & {
        select_list?: AstNode[];
        from_table?: AstNode;
        where_clause?: unknown;
        group_expressions?: unknown[];
        having?: unknown;
        qualify?: unknown;
        sample?: unknown;
        modifiers?: unknown[];
        cte_map?: { map?: unknown[] };
      })
    | undefined;
  const single =
    statements.length === 1 &&
    node?.type === 'SELECT_NODE' &&
    node.select_list?.length === 1 &&
    node.from_table?.type === 'EMPTY' &&
    !node.where_clause &&
    !node.having &&
    !node.qualify &&
    !node.sample &&
    (node.group_expressions ?? []).length === 0 &&
    (node.modifiers ?? []).length === 0 &&
    (node.cte_map?.map ?? []).length === 0 &&
    !node.select_list[0]!.alias;
  if (!single) {
    const second = node?.select_list?.[1] ?? node?.from_table;
    return [
      {
        field,
        message: 'must be exactly one SQL expression: no second column, FROM, WHERE, alias or other clause after it',
        position: pos(second?.query_location),
      },
    ];
  }
  const problems: TransformProblem[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const n = value as AstNode;
    const where = pos(n.query_location);
    if (n.class === 'SUBQUERY' || n.type === 'SELECT_NODE' || n.type === 'TABLE_FUNCTION' || n.type === 'BASE_TABLE') {
      problems.push({ field, message: 'must not contain a subquery or read a table (SELECT ..., EXISTS, IN (SELECT ...))', position: where });
      return;
    }
    if (n.class === 'STAR') problems.push({ field, message: 'must not use * or COLUMNS(): name the columns', position: where });
    else if (n.class === 'PARAMETER') problems.push({ field, message: 'must not use parameters ($1, ?)', position: where });
    else if (n.class === 'FUNCTION' && typeof n.function_name === 'string' && DENIED_FUNCTIONS.test(n.function_name))
      problems.push({
        field,
        message: `must not call ${n.function_name}(): table, file and session functions are not allowed in an expression`,
        position: where,
      });
    for (const [k, v] of Object.entries(n)) if (k !== 'query_location' && v && typeof v === 'object') visit(v);
  };
  visit(node.select_list);
  return problems;
}

/**
 * A bind failure of `sql` (a query in which the expression text starts at `exprStart`) as a problem at
 * `field`, with the position inside the expression when DuckDB's caret points into it (or, without a
 * caret, where the name it complains about first appears).
 */
export function bindProblem(err: unknown, sql: string, exprStart: number, expr: string, field: string): TransformProblem {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw
    .replace(/^FF_ENGINE_SQL: /, '')
    .split('\n\nLINE ')[0]!
    .trim();
  const at = duckDbErrorOffset(raw, sql);
  let position: number | undefined;
  if (at !== undefined && at >= exprStart && at <= exprStart + expr.length) position = at - exprStart;
  else if (at === undefined) position = quotedNameOffset(message, expr);
  return { field, message: `does not bind: ${message}`, ...(position === undefined ? {} : { position }) };
}

/** `(SELECT CAST(NULL AS T) AS "c", ... WHERE false)`: zero rows of `schema`, to bind against. */
function emptyRelation(schema: readonly ColumnSchema[]): string {
  return `(${relationSql({ schema: [...schema], files: [] })})`;
}

/**
 * Checks `expr` against `schema` (both passes above) and answers the type DuckDB gives its value.
 * Throws TransformError FF_TRANSFORM_EXPRESSION whose problems name `field` and the position.
 */
export async function validateExpression(
  session: DuckDbSession,
  expr: string,
  schema: readonly ColumnSchema[],
  field = 'expression',
): Promise<{ type: string }> {
  const problems = await checkExpressionText(session, expr, field);
  if (problems.length) throw expressionError(problems);
  if (schema.length === 0) throw new TransformError('FF_TRANSFORM_CONFIG', 'an expression needs an input schema with at least one column');
  const head = `DESCRIBE SELECT `;
  const sql = `${head}${embedExpression(expr)} AS "value" FROM ${emptyRelation(schema)} AS "_ff_input"`;
  try {
    const res = await session.all(sql);
    return { type: String(res.rows[0]!.column_type) };
  } catch (err) {
    throw expressionError([bindProblem(err, sql, head.length + EXPRESSION_OPEN.length, expr, field)], err);
  }
}

/** The result of evaluating an expression on sample rows: its type and one value per row, in order. */
export interface ExpressionTestResult {
  type: string;
  values: Json[];
}

/**
 * Evaluates `expr` on `sampleRows` (objects keyed by column name; at most SAMPLE_ROWS_MAX; absent keys
 * are null) typed by `schema`: the library part of `POST .../expressions/test`. The expression is
 * validated first; a sample value that does not fit its column's type, or an evaluation error (e.g. a
 * failing CAST), is a TransformError naming the field.
 */
export async function testExpression(
  session: DuckDbSession,
  expr: string,
  schema: readonly ColumnSchema[],
  sampleRows: readonly Record<string, unknown>[],
  field = 'expression',
): Promise<ExpressionTestResult> {
  if (!Array.isArray(sampleRows) || sampleRows.length > SAMPLE_ROWS_MAX)
    throw new TransformError('FF_TRANSFORM_CONFIG', `sampleRows: at most ${SAMPLE_ROWS_MAX} rows`, {
      problems: [{ field: 'sampleRows', message: `must be an array of at most ${SAMPLE_ROWS_MAX} rows` }],
    });
  const { type } = await validateExpression(session, expr, schema, field);
  if (sampleRows.length === 0) return { type, values: [] };
  const params: (string | null)[] = [];
  const tuples = sampleRows.map((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row))
      throw new TransformError('FF_TRANSFORM_CONFIG', `sampleRows[${i}] must be an object`, {
        problems: [{ field: `sampleRows[${i}]`, message: 'must be an object of column values' }],
      });
    const cells = schema.map((c) => {
      const v = row[c.name];
      const text = v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
      if (text !== null && text.includes('\0'))
        throw new TransformError('FF_TRANSFORM_CONFIG', `sampleRows[${i}].${c.name} contains NUL`, {
          problems: [{ field: `sampleRows[${i}].${c.name}`, message: 'must not contain NUL characters' }],
        });
      params.push(text);
      return `CAST(?::VARCHAR AS ${c.type})`;
    });
    return `(${i}, ${cells.join(', ')})`;
  });
  const names = ['__ff_sample_row', ...schema.map((c) => c.name)].map(sqlIdent).join(', ');
  const head = `SELECT __ff_sample_row, `;
  const sql = `${head}${embedExpression(expr)} AS "value" FROM (VALUES ${tuples.join(', ')}) AS "_ff_input"(${names}) ORDER BY 1`;
  let rows: JsonRow[];
  try {
    rows = (await session.all(sql, params)).rows;
  } catch (err) {
    const p = bindProblem(err, sql, head.length + EXPRESSION_OPEN.length, expr, field);
    throw expressionError([{ ...p, message: p.message.replace(/^does not bind: /, 'failed on the sample rows: ') }], err);
  }
  return { type, values: rows.map((r) => r.value ?? null) };
}

/** FF_TRANSFORM_EXPRESSION with `problems`; the message lists them with their positions. */
export function expressionError(problems: TransformProblem[], cause?: unknown): TransformError {
  const text = problems.map((p) => `${p.field}${p.position === undefined ? '' : ` (at ${p.position})`} ${p.message}`).join('; ');
  return new TransformError('FF_TRANSFORM_EXPRESSION', text, { problems, cause });
}
