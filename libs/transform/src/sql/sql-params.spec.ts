import { TransformError } from '../transform.errors';
import { bindParams, coerceParam, findNamedParams, firstKeyword, inlineParams, parseNamedParams, trimStatement } from './sql-params';

function thrown(fn: () => unknown): TransformError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TransformError) return err;
    throw err;
  }
  throw new Error('expected a TransformError');
}

describe('parseNamedParams', () => {
  it('finds :name parameters, each once, in order of first use', () => {
    expect(parseNamedParams('SELECT * FROM silver.s.t WHERE ts >= :since AND (region = :region OR :since IS NULL)')).toEqual(['since', 'region']);
  });

  it('skips string literals, quoted identifiers, comments, dollar quotes and casts', () => {
    const sql = [
      "SELECT '12:30' AS t, 'it''s :no' AS q, E'\\' :no2' AS e, \"col:no3\",",
      'x::date, $$ :no4 $$, $tag$ :no5 $tag$ -- :no6',
      '/* :no7 /* nested :no8 */ :no9 */ :yes',
    ].join('\n');
    expect(parseNamedParams(sql)).toEqual(['yes']);
  });

  it('leaves DuckDB slices, struct keys and named arguments alone', () => {
    expect(parseNamedParams("SELECT l[1:n], l[a:b], l[:k], {'k':v}, f(x := 1), (:p)")).toEqual(['p']);
  });

  it('gives positions for highlighting', () => {
    expect(findNamedParams('SELECT :a, :bb')).toEqual([
      { name: 'a', start: 7, end: 9 },
      { name: 'bb', start: 11, end: 14 },
    ]);
  });
});

describe('bindParams', () => {
  const declared = { since: { type: 'date' as const }, region: { type: 'string' as const, default: 'EU' }, n: { type: 'integer' as const } };

  it('numbers the placeholders, casts them to the declared type and reuses one number per name', () => {
    const b = bindParams('SELECT :since, :region, :since, :n', declared, { since: '2024-01-31', n: '9007199254740993' });
    expect(b.sql).toBe('SELECT CAST($1 AS DATE), CAST($2 AS VARCHAR), CAST($1 AS DATE), CAST($3 AS BIGINT)');
    expect(b.names).toEqual(['since', 'region', 'n']);
    expect(b.values).toEqual(['2024-01-31', 'EU', '9007199254740993']);
  });

  it('maps positions in the rewritten SQL back to the user text', () => {
    const b = bindParams('SELECT :since, nope', declared, { since: '2024-01-31', n: 1 });
    const nope = b.sql.indexOf('nope');
    expect(b.map.toOriginal(nope)).toBe('SELECT :since, '.length);
    expect(b.map.toOriginal(b.sql.indexOf('$1'))).toBe(7);
    expect(b.map.shifted(10).toOriginal(nope + 10)).toBe('SELECT :since, '.length);
  });

  it('refuses an undeclared parameter at its position, a missing value, an unknown value and a wrong type, naming each', () => {
    const err = thrown(() => bindParams('SELECT :since, :n, :other', declared, { since: '2024-02-30', nope: 1 }));
    expect(err.code).toBe('FF_SQL_PARAMETER');
    expect(err.problems).toEqual(
      expect.arrayContaining([
        { field: 'sql', position: 19, message: expect.stringContaining(':other is not declared') },
        { field: 'values.nope', message: expect.stringContaining('not a declared parameter') },
        { field: 'values.since', message: expect.stringContaining('must be a date') },
        { field: 'values.n', message: expect.stringContaining('no value and no default') },
      ]),
    );
    expect(err.problems).toHaveLength(4);
  });

  it('refuses DuckDB placeholders written by the user', () => {
    const err = thrown(() => bindParams('SELECT $1, ?, $name, a$b, "$2", $$ ? $$', {}, {}));
    expect(err.code).toBe('FF_SQL_PARAMETER');
    expect(err.problems.map((p) => p.position)).toEqual([7, 11, 14]);
  });

  it('refuses a bad declaration by name', () => {
    const err = thrown(() => bindParams('SELECT :x', { x: { type: 'uuid' as never } }, { x: 'a' }));
    expect(err.problems).toEqual([{ field: 'params.x.type', message: expect.stringContaining('string, integer, number, boolean, date, timestamp') }]);
  });

  it('inlines values as escaped, typed literals', () => {
    const out = inlineParams(
      'SELECT :s, :b, :t, :x',
      { s: { type: 'string' }, b: { type: 'boolean' }, t: { type: 'timestamp' }, x: { type: 'number' } },
      { s: "o'; DROP", b: 'true', t: '2024-01-02T03:04:05.123456+02:00', x: null },
    );
    expect(out.sql).toBe("SELECT CAST('o''; DROP' AS VARCHAR), CAST('true' AS BOOLEAN), CAST('2024-01-02 01:04:05.123456' AS TIMESTAMP), CAST(NULL AS DOUBLE)");
  });
});

describe('coerceParam', () => {
  it.each([
    ['integer', 12, 12],
    ['integer', '-9223372036854775808', '-9223372036854775808'],
    ['number', '1.5e3', 1500],
    ['boolean', false, false],
    ['date', '2024-02-29', '2024-02-29'],
    ['timestamp', '2024-02-29 23:59', '2024-02-29 23:59:00'],
    ['timestamp', '2024-01-01T00:30:00Z', '2024-01-01 00:30:00'],
  ] as const)('%s accepts %p', (type, value, expected) => {
    expect(coerceParam(type, value)).toEqual(expected);
  });

  it.each([
    ['integer', 1.5],
    ['integer', '9223372036854775808'],
    ['number', 'NaN'],
    ['number', Infinity],
    ['boolean', 'yes'],
    ['date', '2023-02-29'],
    ['timestamp', '2024-01-01 24:00'],
    ['string', 'a\0b'],
    ['string', 5],
  ] as const)('%s refuses %p', (type, value) => {
    expect(coerceParam(type, value)).toEqual({ error: expect.any(String) });
  });
});

describe('statement text helpers', () => {
  it('trims trailing semicolons and comments but not comments inside', () => {
    expect(trimStatement('SELECT 1 -- a;\n ;; /* b */ -- c')).toBe('SELECT 1');
    expect(trimStatement("SELECT ';' /* x */ + 1;")).toBe("SELECT ';' /* x */ + 1");
  });

  it('names the first keyword after comments and parentheses', () => {
    expect(firstKeyword('/* SELECT */ -- x\n (copy (SELECT 1) TO x)')).toBe('COPY');
  });
});
