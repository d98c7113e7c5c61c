import { openDuckDb, type DuckDb } from '@flowforge/engine';
import { compileKpiExpression, KpiExpressionError } from './kpi-expression';
import { canonicalTimeZone } from './gold-aggregate.compiler';

const measures = ['revenue', 'cost', 'orders', 'Units'];
const compile = (expression: string) => compileKpiExpression(expression, measures, '"m"');
const failure = (expression: string): { message: string; position: number } => {
  try {
    compile(expression);
  } catch (err) {
    expect(err).toBeInstanceOf(KpiExpressionError);
    return { message: (err as KpiExpressionError).message, position: (err as KpiExpressionError).position };
  }
  throw new Error(`compiled ${expression}`);
};

describe('KPI expressions', () => {
  let db: DuckDb;
  beforeAll(async () => {
    db = await openDuckDb({ threads: 1 });
  });
  afterAll(() => db?.close());

  /** Evaluates the compiled SQL in DuckDB over one row of measures. */
  const evaluate = (expression: string) =>
    db.withSession(async (s) => {
      const sql = compile(expression);
      const { rows } = await s.all(`SELECT CAST(${sql} AS DOUBLE) AS v FROM (SELECT 200.0 AS revenue, 150.0 AS cost, 4 AS orders, 0 AS "Units") AS "m"`);
      return rows[0]!.v;
    });

  it('keeps arithmetic precedence and parentheses', async () => {
    expect(await evaluate('revenue - cost / orders * 2')).toBe(125);
    expect(await evaluate('(revenue - cost) / orders * 2')).toBe(25);
    expect(await evaluate('-revenue + +cost')).toBe(-50);
    expect(await evaluate('- - revenue')).toBe(200);
    expect(await evaluate('orders % 3 + 1.5e1 + .5')).toBe(16.5);
  });

  it('matches measure names ignoring case, bare or quoted, and calls the allowed functions', async () => {
    expect(compile('REVENUE / "orders"')).toBe('("m"."revenue" / "m"."orders")');
    expect(await evaluate('round((revenue - cost) / nullif(revenue, 0), 2)')).toBe(0.25);
    expect(await evaluate('coalesce(revenue / nullif(units, 0), -1)')).toBe(-1);
    expect(await evaluate('greatest(revenue, cost, 1000) + least(orders, 1) + abs(0 - 2) + floor(1.7) + ceil(1.2) + power(2, 3) + sqrt(16)')).toBe(
      1000 + 1 + 2 + 1 + 2 + 8 + 4,
    );
  });

  it('divides by zero as DuckDB does: Infinity, NaN for 0/0, NULL with nullif', async () => {
    expect(await evaluate('revenue / units')).toBe('Infinity');
    expect(await evaluate('units / units')).toBe('NaN');
    expect(await evaluate('revenue / nullif(units, 0)')).toBe(null);
  });

  it('refuses anything else with the position of the first problem', () => {
    expect(failure('revenue / margin')).toEqual({
      position: 10,
      message: '"margin" is not a measure of this job (KPIs use measure names: revenue, cost, orders, Units)',
    });
    expect(failure('revenue +')).toMatchObject({ position: 9, message: expect.stringContaining('the end of the expression') });
    expect(failure('(revenue')).toMatchObject({ position: 8, message: 'expected ")" but found the end of the expression' });
    expect(failure('revenue cost')).toMatchObject({ position: 8, message: 'unexpected "cost" after a complete expression' });
    expect(failure('nullif(revenue)')).toMatchObject({ position: 0, message: 'nullif takes 2 arguments, not 1' });
    expect(failure('read_csv(revenue)')).toMatchObject({ position: 0 });
    expect(failure('"revenue"(1)')).toMatchObject({ position: 9 });
    expect(failure("revenue = 'x'")).toMatchObject({ position: 8, message: 'unexpected character "="' });
    expect(failure('revenue; select 1')).toMatchObject({ position: 7 });
    expect(failure('"revenue')).toMatchObject({ position: 0, message: 'unterminated quoted name' });
    expect(failure('2revenue')).toMatchObject({ position: 0 });
    expect(failure('revenue -- comment')).toMatchObject({ position: 11 });
    expect(failure('')).toMatchObject({ position: 0 });
  });

  it('bounds nesting (the parser recursion)', () => {
    expect(compile(`${'('.repeat(60)}revenue${')'.repeat(60)}`)).toContain('"m"."revenue"');
    expect(failure(`${'('.repeat(100)}revenue${')'.repeat(100)}`).message).toMatch(/nested deeper than 64/);
    expect(failure(`${'-'.repeat(100)}revenue`).message).toMatch(/nested deeper than 64/);
  });
});

describe('time zones', () => {
  it('accepts IANA names in any case and refuses offsets and unknown names', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('+01:00')).toBeNull();
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone("Europe/Berlin'; --")).toBeNull();
  });

  it('every zone Node accepts is known to DuckDB (a validated zone never fails the query)', async () => {
    const db = await openDuckDb({ threads: 1 });
    try {
      const known = await db.withSession(async (s) => new Set((await s.all('SELECT name FROM pg_timezone_names()')).rows.map((r) => String(r.name))));
      const zones = Intl.supportedValuesOf('timeZone').map((z) => canonicalTimeZone(z));
      expect(zones.filter((z) => z === null || !known.has(z))).toEqual([]);
    } finally {
      db.close();
    }
  });
});
