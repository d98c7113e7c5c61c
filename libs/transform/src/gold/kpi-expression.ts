import { sqlIdent } from '@flowforge/engine';
import type { TransformProblem } from '../transform.errors';

/**
 * KPI expressions of `gold.aggregate` (libs/transform/README.md, "Gold aggregation"): arithmetic over the
 * NAMES of the job's measures, parsed here and re-emitted as SQL, so nothing but measure columns, numbers,
 * operators and a short list of functions can reach DuckDB. A name that is not a measure is a problem with
 * its character position, as is any syntax error.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('+' | '-') unary | primary
 *   primary := number | name | function '(' expr (',' expr)* ')' | '(' expr ')'
 *
 * Names are bare (`revenue`) or double-quoted (`"Revenue"`) and match measure names ignoring case, as
 * DuckDB identifiers do. Division is DuckDB's: `/` always divides as DOUBLE and x / 0 is Infinity
 * (0 / 0 is NaN), `%` by zero is NULL: write `x / nullif(y, 0)` to get NULL for an empty denominator.
 */

/** Functions a KPI may call, with their argument counts. */
export const KPI_FUNCTIONS: Readonly<Record<string, { min: number; max: number }>> = {
  nullif: { min: 2, max: 2 },
  coalesce: { min: 1, max: 16 },
  round: { min: 1, max: 2 },
  abs: { min: 1, max: 1 },
  greatest: { min: 1, max: 16 },
  least: { min: 1, max: 16 },
  floor: { min: 1, max: 1 },
  ceil: { min: 1, max: 1 },
  power: { min: 2, max: 2 },
  sqrt: { min: 1, max: 1 },
};

/** Deepest nesting of parentheses and unary signs accepted (keeps the parser's recursion bounded). */
const MAX_DEPTH = 64;

type Token =
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'name'; text: string; quoted: boolean; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'end'; pos: number }
  /** Where tokenizing stopped: thrown when the parser gets there, so the first problem in the text is the one reported. */
  | { kind: 'bad'; message: string; pos: number };

/** A KPI expression that does not parse or names something that is not a measure. */
export class KpiExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'KpiExpressionError';
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const bad = (message: string, pos: number): Token[] => {
    tokens.push({ kind: 'bad', message, pos });
    return tokens;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      if (/^[A-Za-z_]/.test(text.slice(i + number[0].length))) return bad('a number cannot run into a name', i);
      tokens.push({ kind: 'number', text: number[0], pos: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], quoted: false, pos: i });
      i += name[0].length;
      continue;
    }
    if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return bad('unterminated quoted name', i);
      if (end === i + 1) return bad('empty quoted name', i);
      tokens.push({ kind: 'name', text: text.slice(i + 1, end), quoted: true, pos: i });
      i = end + 1;
      continue;
    }
    if ('+-*/%(),'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch, pos: i });
      i++;
      continue;
    }
    return bad(`unexpected character ${JSON.stringify(ch)}`, i);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

/**
 * `expression` as SQL over the measure columns, each written `<qualifier>."<measure>"` (qualifier: the
 * relation alias of the aggregated rows). Throws KpiExpressionError with the 0-based position of the first
 * problem; `measures` are the names the job defines (matched ignoring case, as DuckDB does).
 */
export function compileKpiExpression(expression: string, measures: readonly string[], qualifier: string): string {
  const byName = new Map(measures.map((m) => [m.toLowerCase(), m]));
  const tokens = tokenize(expression);
  let at = 0;
  const peek = (): Token => {
    const t = tokens[at]!;
    if (t.kind === 'bad') throw new KpiExpressionError(t.message, t.pos);
    return t;
  };
  const isOp = (t: Token, op: string): t is Extract<Token, { kind: 'op' }> => t.kind === 'op' && t.text === op;
  const describe = (t: Token): string => (t.kind === 'end' || t.kind === 'bad' ? 'the end of the expression' : JSON.stringify(t.text));
  const expect = (op: string): void => {
    const t = peek();
    if (!isOp(t, op)) throw new KpiExpressionError(`expected "${op}" but found ${describe(t)}`, t.pos);
    at++;
  };

  const expr = (depth: number): string => {
    if (depth > MAX_DEPTH) throw new KpiExpressionError(`nested deeper than ${MAX_DEPTH} levels`, peek().pos);
    let left = term(depth);
    while (isOp(peek(), '+') || isOp(peek(), '-')) {
      const op = (tokens[at++] as { text: string }).text;
      left = `(${left} ${op} ${term(depth)})`;
    }
    return left;
  };
  const term = (depth: number): string => {
    let left = unary(depth);
    while (isOp(peek(), '*') || isOp(peek(), '/') || isOp(peek(), '%')) {
      const op = (tokens[at++] as { text: string }).text;
      left = `(${left} ${op} ${unary(depth)})`;
    }
    return left;
  };
  const unary = (depth: number): string => {
    const t = peek();
    if (isOp(t, '-') || isOp(t, '+')) {
      if (depth > MAX_DEPTH) throw new KpiExpressionError(`nested deeper than ${MAX_DEPTH} levels`, t.pos);
      at++;
      return `(${t.text === '-' ? '-' : '+'}${unary(depth + 1)})`;
    }
    return primary(depth);
  };
  const primary = (depth: number): string => {
    const t = peek();
    if (t.kind === 'number') {
      at++;
      return t.text;
    }
    if (isOp(t, '(')) {
      at++;
      const inner = expr(depth + 1);
      expect(')');
      return `(${inner})`;
    }
    if (t.kind === 'name') {
      at++;
      if (!t.quoted && isOp(peek(), '(')) {
        const fn = t.text.toLowerCase();
        const arity = KPI_FUNCTIONS[fn];
        if (!arity) throw new KpiExpressionError(`unknown function ${JSON.stringify(t.text)} (allowed: ${Object.keys(KPI_FUNCTIONS).join(', ')})`, t.pos);
        at++;
        const args = [expr(depth + 1)];
        while (isOp(peek(), ',')) {
          at++;
          args.push(expr(depth + 1));
        }
        expect(')');
        if (args.length < arity.min || args.length > arity.max) {
          const want = arity.min === arity.max ? `${arity.min}` : `${arity.min} to ${arity.max}`;
          throw new KpiExpressionError(`${fn} takes ${want} argument${arity.max === 1 ? '' : 's'}, not ${args.length}`, t.pos);
        }
        return `${fn}(${args.join(', ')})`;
      }
      const measure = byName.get(t.text.toLowerCase());
      if (measure === undefined) {
        throw new KpiExpressionError(`${JSON.stringify(t.text)} is not a measure of this job (KPIs use measure names: ${measures.join(', ')})`, t.pos);
      }
      return `${qualifier}.${sqlIdent(measure)}`;
    }
    throw new KpiExpressionError(`expected a measure name, a number or "(" but found ${describe(t)}`, t.pos);
  };

  const sql = expr(0);
  const rest = peek();
  if (rest.kind !== 'end') throw new KpiExpressionError(`unexpected ${describe(rest)} after a complete expression`, rest.pos);
  return sql;
}

/** compileKpiExpression as a problem list entry (field and position) instead of an exception. */
export function kpiProblem(field: string, err: unknown): TransformProblem {
  if (err instanceof KpiExpressionError) return { field, message: err.message, position: err.position };
  throw err;
}
