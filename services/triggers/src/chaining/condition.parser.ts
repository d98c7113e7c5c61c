/**
 * The condition language of `workflow` triggers: a small expression over an upstream run's outputs,
 * e.g. `steps.load.outputs.rowsWritten > 0 && state == "succeeded"`. Parsed by hand into a tree and
 * evaluated by walking it — never `eval` or `new Function`: the text is user input and runs in the
 * triggers service.
 *
 *   expr    := or
 *   or      := and ( "||" and )*
 *   and     := unary ( "&&" unary )*
 *   unary   := "!" unary | compare
 *   compare := primary ( ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) primary )?
 *   primary := number | string | true | false | null | path | "(" expr ")"
 *   path    := ident ( "." ident | "[" string "]" | "[" integer "]" )*
 *
 * Bounded: at most MAX_CONDITION_LENGTH characters and MAX_CONDITION_DEPTH nested `(`/`!`, so neither
 * parsing nor evaluation can be made to recurse without limit.
 */

export const MAX_CONDITION_LENGTH = 1000;
export const MAX_CONDITION_DEPTH = 32;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type ConditionNode =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'path'; segments: (string | number)[]; text: string }
  | { kind: 'not'; operand: ConditionNode }
  | { kind: 'and' | 'or'; left: ConditionNode; right: ConditionNode }
  | { kind: 'compare'; op: CompareOp; left: ConditionNode; right: ConditionNode };

/** A condition that does not parse: `position` is 1-based, the character where the problem is. */
export class ConditionSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(`${problem} at position ${position}`);
    this.name = 'ConditionSyntaxError';
  }
}

type TokenKind = 'num' | 'str' | 'ident' | 'op' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
  /** 0-based offset into the condition. */
  at: number;
}

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.'];
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ConditionSyntaxError(start + 1, 'unterminated string');
        const d = text[i]!;
        if (d === c) break;
        if (d === '\\') {
          const e = text[i + 1];
          if (e === undefined) throw new ConditionSyntaxError(start + 1, 'unterminated string');
          const escaped = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" }[e];
          if (escaped === undefined) throw new ConditionSyntaxError(i + 1, `unknown escape "\\${e}" (known: \\n \\t \\\\ \\" \\')`);
          value += escaped;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'str', text: text.slice(start, i), value, at: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      const lexeme = m![0];
      i += lexeme.length;
      if (IDENT_PART.test(text[i] ?? '')) throw new ConditionSyntaxError(i + 1, `unexpected "${text[i]}" after the number ${lexeme}`);
      const value = Number(lexeme);
      if (!Number.isFinite(value)) throw new ConditionSyntaxError(start + 1, `number ${lexeme} is out of range`);
      tokens.push({ kind: 'num', text: lexeme, value, at: start });
      continue;
    }
    if (IDENT_START.test(c)) {
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), at: start });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) {
      const hint = c === '=' ? ' (equality is "==")' : c === '&' || c === '|' ? ' (use "&&" and "||")' : '';
      throw new ConditionSyntaxError(i + 1, `unexpected character "${c}"${hint}`);
    }
    i += op.length;
    tokens.push({ kind: 'op', text: op, at: start });
  }
  tokens.push({ kind: 'end', text: 'the end', at: text.length });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): ConditionNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw this.unexpected(t, 'an operator ("&&", "||", "==", …) or the end');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private unexpected(t: Token, wanted: string): ConditionSyntaxError {
    return new ConditionSyntaxError(t.at + 1, t.kind === 'end' ? `expected ${wanted} but the condition ended` : `expected ${wanted}, found "${t.text}"`);
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_CONDITION_DEPTH) throw new ConditionSyntaxError(t.at + 1, `nested deeper than ${MAX_CONDITION_DEPTH} levels`);
  }

  private or(): ConditionNode {
    let left = this.and();
    while (this.isOp('||')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): ConditionNode {
    let left = this.unary();
    while (this.isOp('&&')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): ConditionNode {
    if (this.isOp('!')) {
      const t = this.next();
      this.enter(t);
      const operand = this.unary();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.compare();
  }

  private compare(): ConditionNode {
    const left = this.primary();
    const t = this.peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      const right = this.primary();
      const after = this.peek();
      if (after.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(after.text)) {
        throw new ConditionSyntaxError(after.at + 1, `comparisons do not chain: group them with "&&" (found "${after.text}")`);
      }
      return { kind: 'compare', op: t.text as CompareOp, left, right };
    }
    return left;
  }

  private primary(): ConditionNode {
    const t = this.next();
    switch (t.kind) {
      case 'num':
      case 'str':
        return { kind: 'literal', value: t.value! };
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
        if (t.text === 'null') return { kind: 'literal', value: null };
        return this.path(t);
      case 'op':
        if (t.text === '(') {
          this.enter(t);
          const inner = this.or();
          const close = this.next();
          if (close.kind !== 'op' || close.text !== ')') throw this.unexpected(close, '")"');
          this.depth--;
          return inner;
        }
        throw this.unexpected(t, 'a value (a number, a "string", true, false, null or a path such as steps.load.outputs.rows)');
      default:
        throw this.unexpected(t, 'a value (a number, a "string", true, false, null or a path such as steps.load.outputs.rows)');
    }
  }

  private path(first: Token): ConditionNode {
    const segments: (string | number)[] = [first.text];
    let end = first.at + first.text.length;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'ident') throw this.unexpected(name, 'a name after "."');
        segments.push(name.text);
        end = name.at + name.text.length;
      } else if (this.isOp('[')) {
        this.next();
        const key = this.next();
        if (key.kind === 'str') segments.push(key.value as string);
        else if (key.kind === 'num' && Number.isSafeInteger(key.value) && (key.value as number) >= 0) segments.push(key.value as number);
        else throw this.unexpected(key, 'a "string" key or an index (0, 1, …) inside "[ ]"');
        const close = this.next();
        if (close.kind !== 'op' || close.text !== ']') throw this.unexpected(close, '"]"');
        end = close.at + 1;
      } else break;
    }
    return { kind: 'path', segments, text: this.source.slice(first.at, end) };
  }
}

/** Parses a condition; throws ConditionSyntaxError naming the position of the first problem. */
export function parseCondition(text: string): ConditionNode {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionSyntaxError(MAX_CONDITION_LENGTH + 1, `longer than ${MAX_CONDITION_LENGTH} characters`);
  if (text.trim() === '') throw new ConditionSyntaxError(1, 'the condition is empty');
  return new Parser(text, tokenize(text)).parse();
}

/** What a condition saw: its result, and the value of every path it read (for the reason a run did or did not fire). */
export interface ConditionResult {
  value: boolean;
  /** `steps.load.outputs.rows = 0, state = "succeeded"`: each path read, once, in order. */
  seen: string;
}

type Value = unknown;

function lookup(root: Record<string, unknown>, segments: (string | number)[]): Value {
  let current: unknown = root;
  for (const s of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (typeof s !== 'number') return undefined;
      current = current[s];
      continue;
    }
    // Own keys only: `constructor`, `__proto__` and the like read nothing.
    if (typeof s !== 'string' || !Object.hasOwn(current, s)) return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}

function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  return !(typeof v === 'number' && Number.isNaN(v));
}

function compare(op: CompareOp, a: Value, b: Value): boolean {
  const an = a === undefined ? null : a;
  const bn = b === undefined ? null : b;
  if (op === '==' || op === '!=') {
    const primitive = (v: Value) => v === null || typeof v !== 'object';
    const equal = primitive(an) && primitive(bn) ? an === bn : JSON.stringify(an) === JSON.stringify(bn);
    return op === '==' ? equal : !equal;
  }
  // Ordering only between two numbers or two strings: anything else (a missing output, a number as text) is false.
  if (!((typeof an === 'number' && typeof bn === 'number') || (typeof an === 'string' && typeof bn === 'string'))) return false;
  switch (op) {
    case '<':
      return an < bn;
    case '<=':
      return an <= bn;
    case '>':
      return an > bn;
    default:
      return an >= bn;
  }
}

function show(v: Value): string {
  if (v === undefined) return 'missing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Evaluates a parsed condition against `context` (own keys only; a missing path is null). */
export function evaluateCondition(node: ConditionNode, context: Record<string, unknown>): ConditionResult {
  const seen = new Map<string, string>();
  const walk = (n: ConditionNode): Value => {
    switch (n.kind) {
      case 'literal':
        return n.value;
      case 'path': {
        const v = lookup(context, n.segments);
        if (!seen.has(n.text)) seen.set(n.text, show(v));
        return v;
      }
      case 'not':
        return !truthy(walk(n.operand));
      case 'and':
        return truthy(walk(n.left)) && truthy(walk(n.right));
      case 'or':
        return truthy(walk(n.left)) || truthy(walk(n.right));
      case 'compare':
        return compare(n.op, walk(n.left), walk(n.right));
    }
  };
  const value = truthy(walk(node));
  return { value, seen: [...seen].map(([k, v]) => `${k} = ${v}`).join(', ') };
}
