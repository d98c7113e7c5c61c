import { ConditionSyntaxError, evaluateCondition, MAX_CONDITION_DEPTH, MAX_CONDITION_LENGTH, parseCondition } from './condition.parser';

const ctx = {
  state: 'succeeded',
  workflow: 'load-orders',
  runId: 'r-1',
  steps: {
    load: { state: 'succeeded', outputs: { rowsWritten: 42, table: 'orders', ok: true, empty: '', files: ['a.csv', 'b.csv'], nothing: null } },
    'check-rows': { state: 'failed', outputs: { errors: 3 } },
  },
};

const run = (text: string) => evaluateCondition(parseCondition(text), ctx);
const syntaxError = (text: string): ConditionSyntaxError => {
  try {
    parseCondition(text);
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return err;
    throw err;
  }
  throw new Error(`"${text}" parsed`);
};

describe('workflow trigger conditions: parsing', () => {
  it.each([
    ['steps.load.outputs.rowsWritten > 0', true],
    ['steps.load.outputs.rowsWritten >= 42 && steps.load.outputs.rowsWritten <= 42', true],
    ['steps.load.outputs.rowsWritten < 42', false],
    ['steps.load.outputs.rowsWritten != 42', false],
    ['steps.load.outputs.table == "orders"', true],
    ["steps.load.outputs.table == 'orders' && state == 'succeeded'", true],
    ['steps.load.outputs.table > "apples"', true],
    ['state == "failed" || steps.load.outputs.ok', true],
    ['!(state == "failed")', true],
    ['!!steps.load.outputs.ok', true],
    ['steps["check-rows"].outputs.errors == 3', true],
    ['steps["check-rows"].state == "failed"', true],
    ['steps.load.outputs.files[1] == "b.csv"', true],
    ['steps.load.outputs.files[2] == null', true],
    ['steps.load.outputs.nothing == null && steps.load.outputs.missing == null', true],
    ['steps.load.outputs.rowsWritten > -1.5e1', true],
    ['(state == "succeeded" || false) && (true && !false)', true],
    ['steps.load.outputs.empty', false],
    ['steps.load.outputs', true],
    ['0', false],
    ['"a\\"b" == \'a"b\'', true],
  ])('%s → %s', (text, expected) => {
    expect(run(text).value).toBe(expected);
  });

  it('&& binds tighter than ||, comparisons tighter than both', () => {
    expect(run('true || false && false').value).toBe(true);
    expect(run('(true || false) && false').value).toBe(false);
    expect(parseCondition('a == 1 && b == 2 || c')).toMatchObject({ kind: 'or', left: { kind: 'and' }, right: { kind: 'path' } });
  });

  it('compares only numbers with numbers and strings with strings for ordering; a missing output is never greater', () => {
    expect(run('steps.load.outputs.table > 3').value).toBe(false);
    expect(run('steps.load.outputs.missing > 0').value).toBe(false);
    expect(run('steps.load.outputs.missing < 0').value).toBe(false);
    expect(run('steps.load.outputs.rowsWritten == "42"').value).toBe(false);
  });

  it('reads own keys only: prototype names read nothing', () => {
    expect(run('steps.constructor == null').value).toBe(true);
    expect(run('steps.load.outputs.__proto__ == null').value).toBe(true);
    expect(run('steps.load.outputs.table.length > 0').value).toBe(false);
    expect(run('steps.load.outputs.files.length == 2').value).toBe(false);
  });

  it('says what it read, each path once, for the reason a trigger fired or not', () => {
    const r = run('steps.load.outputs.rowsWritten > 100 || steps.load.outputs.rowsWritten == 0 || steps.load.outputs.gone');
    expect(r).toEqual({ value: false, seen: 'steps.load.outputs.rowsWritten = 42, steps.load.outputs.gone = missing' });
    expect(run('true').seen).toBe('');
  });

  it.each([
    ['', 1, 'the condition is empty'],
    ['   ', 1, 'the condition is empty'],
    ['steps.load.outputs.rows >', 26, 'expected a value'],
    ['steps.load.outputs.rows = 1', 25, 'unexpected character "=" (equality is "==")'],
    ['a & b', 3, 'unexpected character "&" (use "&&" and "||")'],
    ['a | b', 3, 'unexpected character "|"'],
    ['(a == 1', 8, 'expected ")" but the condition ended'],
    ['a == 1)', 7, 'expected an operator'],
    ['"open', 1, 'unterminated string'],
    ['"bad \\x"', 6, 'unknown escape "\\x"'],
    ['a.', 3, 'expected a name after "."'],
    ['a.1', 3, 'expected a name after "."'],
    ['a[b]', 3, 'a "string" key or an index'],
    ['a[-1]', 3, 'a "string" key or an index'],
    ['a["k"', 6, 'expected "]"'],
    ['1 < 2 < 3', 7, 'comparisons do not chain'],
    ['12abc > 1', 3, 'unexpected "a" after the number 12'],
    ['1e999 > 1', 1, 'out of range'],
    ['a == 1 b', 8, 'expected an operator'],
    ['steps.x $ 1', 9, 'unexpected character "$"'],
    ['a == ;', 6, 'unexpected character ";"'],
  ])('refuses %j at position %d: %s', (text, position, problem) => {
    const err = syntaxError(text);
    expect(err.position).toBe(position);
    expect(err.message).toContain(problem);
    expect(err.message).toContain(`at position ${position}`);
  });

  it('bounds the length and the nesting', () => {
    expect(() => parseCondition(`a == "${'x'.repeat(MAX_CONDITION_LENGTH)}"`)).toThrow(`longer than ${MAX_CONDITION_LENGTH} characters`);
    const deepParens = `${'('.repeat(MAX_CONDITION_DEPTH + 1)}true${')'.repeat(MAX_CONDITION_DEPTH + 1)}`;
    expect(syntaxError(deepParens).message).toContain(`nested deeper than ${MAX_CONDITION_DEPTH} levels`);
    expect(syntaxError(`${'!'.repeat(MAX_CONDITION_DEPTH + 1)}true`).position).toBe(MAX_CONDITION_DEPTH + 1);
    const atLimit = `${'('.repeat(MAX_CONDITION_DEPTH)}true${')'.repeat(MAX_CONDITION_DEPTH)}`;
    expect(run(atLimit).value).toBe(true);
    // Long flat chains are no recursion risk: the length bound is theirs.
    expect(run(Array.from({ length: 100 }, () => 'true').join(' && ')).value).toBe(true);
  });

  it('never runs code: what looks like JavaScript is a path or a syntax error', () => {
    expect(syntaxError('process.exit(1)').message).toContain('expected an operator');
    expect(syntaxError('this.constructor.constructor("return process")()').position).toBe(29);
    expect(syntaxError('`x`').message).toContain('unexpected character "`"');
    expect(run('globalThis == null').value).toBe(true);
  });
});
