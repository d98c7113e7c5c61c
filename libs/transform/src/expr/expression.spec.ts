import { openDuckDb, type ColumnSchema, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { checkExpressionText, testExpression, validateExpression } from './expression';
import { duckDbErrorOffset } from './sql-position';

const schema: ColumnSchema[] = [
  { name: 'id', type: 'INTEGER', nullable: false },
  { name: 'first_name', type: 'VARCHAR', nullable: true },
  { name: 'last_name', type: 'VARCHAR', nullable: true },
  { name: 'amount', type: 'DECIMAL(10,2)', nullable: true },
  { name: 'ordered_at', type: 'TIMESTAMP', nullable: true },
];

let db: DuckDb;
let s: DuckDbSession;
beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
  s = await db.connect();
});
afterAll(() => {
  s.close();
  db.close();
});

/** The TransformError `fn` throws. */
async function failure(fn: () => Promise<unknown>): Promise<TransformError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    return err as TransformError;
  }
  throw new Error('did not fail');
}

describe('validateExpression', () => {
  it('answers the type of CASE, COALESCE, CONCAT, arithmetic, date and cast expressions', async () => {
    expect(await validateExpression(s, `CASE WHEN amount > 100 THEN 'big' ELSE 'small' END`, schema)).toEqual({ type: 'VARCHAR' });
    expect(await validateExpression(s, `coalesce(first_name, 'n/a')`, schema)).toEqual({ type: 'VARCHAR' });
    expect(await validateExpression(s, `concat(first_name, ' ', last_name)`, schema)).toEqual({ type: 'VARCHAR' });
    expect((await validateExpression(s, `amount * 2 + id`, schema)).type).toMatch(/^DECIMAL/);
    expect(await validateExpression(s, `date_trunc('month', ordered_at)::DATE`, schema)).toEqual({ type: 'DATE' });
    expect(await validateExpression(s, `CAST(id AS VARCHAR) || '-' -- a comment at the end`, schema)).toEqual({ type: 'VARCHAR' });
  });

  it('reports an unknown column at its position', async () => {
    const expr = 'id + amount * nam';
    const e = await failure(() => validateExpression(s, expr, schema, 'steps[3].expression'));
    expect(e.code).toBe('FF_TRANSFORM_EXPRESSION');
    expect(e.problems).toEqual([{ field: 'steps[3].expression', message: expect.stringContaining('"nam" not found'), position: expr.indexOf('nam') }]);
  });

  it('reports an unknown function at its position, on a later line too', async () => {
    const expr = "upper(first_name) ||\n  frobnicate(last_name, 'x')";
    const e = await failure(() => validateExpression(s, expr, schema));
    expect(e.problems[0]).toMatchObject({
      field: 'expression',
      message: expect.stringContaining('frobnicate does not exist'),
      position: expr.indexOf('frobnicate'),
    });
  });

  it('reports a syntax error at its position', async () => {
    const expr = 'id + amount amount2';
    const e = await failure(() => validateExpression(s, expr, schema));
    expect(e.problems[0]).toMatchObject({ message: expect.stringContaining('does not parse'), position: expr.indexOf('amount2') });
  });

  it('finds the position inside a long line DuckDB shows cut with "..."', async () => {
    const expr = `${'id + '.repeat(40)}missing_col + ${'amount + '.repeat(30)}1`;
    const e = await failure(() => validateExpression(s, expr, schema));
    expect(e.problems[0]!.position).toBe(expr.indexOf('missing_col'));
  });

  it('refuses a type error with the message of DuckDB', async () => {
    const e = await failure(() => validateExpression(s, `coalesce(first_name, 1)`, schema));
    expect(e.problems[0]!.message).toMatch(/Cannot mix values of type VARCHAR and INTEGER_LITERAL in COALESCE/);
  });
});

describe('checkExpressionText: escape attempts', () => {
  const refused = async (expr: string): Promise<{ message: string; position?: number }> => {
    const problems = await checkExpressionText(s, expr);
    expect(problems.length).toBeGreaterThan(0);
    return problems[0]!;
  };

  it('refuses a second statement after ;', async () => {
    expect((await refused(`1; DROP TABLE x`)).message).toMatch(/parse|one SQL expression/);
    expect((await refused(`1) ; SELECT * FROM read_csv('/etc/passwd') --`)).message).toMatch(/parse|one SQL expression/);
  });

  it('refuses closing the parenthesis to add FROM, WHERE or a second column', async () => {
    expect((await refused(`1) FROM read_csv('/etc/passwd') --`)).message).toMatch(/parse/);
    expect((await refused(`1) FROM read_csv('/etc/passwd') WHERE (true`)).message).toMatch(/exactly one SQL expression/);
    expect((await refused(`1) AS x, (2`)).message).toMatch(/exactly one SQL expression/);
    expect((await refused(`id), (amount`)).message).toMatch(/exactly one SQL expression/);
    expect((await refused(`1) UNION ALL SELECT (2`)).message).toMatch(/exactly one SQL expression|parse/);
  });

  it('refuses subqueries and table functions, with the position', async () => {
    const expr = `id + (SELECT count(*) FROM read_parquet('/lake/**'))`;
    const p = await refused(expr);
    expect(p.message).toMatch(/subquery/);
    expect(p.position).toBe(expr.indexOf('(SELECT'));
    expect((await refused(`id IN (SELECT 1)`)).message).toMatch(/subquery/);
    expect((await refused(`EXISTS (FROM duckdb_settings())`)).message).toMatch(/subquery/);
  });

  it('refuses session, file and sequence functions, * and parameters', async () => {
    expect((await refused(`current_setting('home_directory')`)).message).toMatch(/current_setting/);
    expect((await refused(`nextval('s')`)).message).toMatch(/nextval/);
    expect((await refused(`read_text('/etc/passwd')`)).message).toMatch(/read_text/);
    expect((await refused(`COLUMNS(*)`)).message).toMatch(/COLUMNS/);
    expect((await refused(`id + $1`)).message).toMatch(/parameters/);
  });

  it('a block comment hides nothing: the text inside it is not run, and an unterminated one does not parse', async () => {
    expect(await checkExpressionText(s, `id /* ); DROP TABLE x; -- */ + 1`)).toEqual([]);
    expect((await refused(`id /* unterminated`)).message).toMatch(/parse/);
  });

  it('refuses empty, NUL and over-long text', async () => {
    expect((await refused('  ')).message).toMatch(/non-empty/);
    expect(await refused('id\0')).toMatchObject({ position: 2 });
    expect((await refused('1+'.repeat(2001) + '1')).message).toMatch(/4000/);
  });
});

describe('testExpression', () => {
  it('evaluates on sample rows, in order, typed by the schema', async () => {
    const r = await testExpression(s, `CASE WHEN amount > 100 THEN 'big' ELSE concat(first_name, '!') END`, schema, [
      { id: 1, first_name: 'Ann', amount: '250.00' },
      { id: 2, first_name: 'Bob', amount: 3.5 },
      { id: 3 },
    ]);
    expect(r).toEqual({ type: 'VARCHAR', values: ['big', 'Bob!', '!'] });
  });

  it('evaluates dates and arithmetic', async () => {
    const r = await testExpression(s, `strftime(ordered_at + INTERVAL 1 DAY, '%Y-%m-%d')`, schema, [
      { ordered_at: '2024-02-28 10:00:00' },
      { ordered_at: '2024-02-29 23:00:00' },
    ]);
    expect(r.values).toEqual(['2024-02-29', '2024-03-01']);
  });

  it('reports a sample value that does not fit its column, or a failing evaluation', async () => {
    const e = await failure(() => testExpression(s, 'id + 1', schema, [{ id: 'abc' }]));
    expect(e.code).toBe('FF_TRANSFORM_EXPRESSION');
    expect(e.problems[0]!.message).toMatch(/failed on the sample rows/);
    const bad = await failure(() => testExpression(s, `CAST(first_name AS INTEGER)`, schema, [{ first_name: 'x' }]));
    expect(bad.problems[0]!.message).toMatch(/Could not convert/);
  });

  it('validates first and bounds the rows', async () => {
    expect((await failure(() => testExpression(s, 'nope', schema, [{}]))).problems[0]!.position).toBe(0);
    expect((await failure(() => testExpression(s, 'id', schema, new Array(101).fill({})))).problems[0]!.field).toBe('sampleRows');
  });
});

describe('duckDbErrorOffset', () => {
  it('maps LINE and caret back to an offset', () => {
    const sql = 'SELECT a,\n  bb + c\nFROM t';
    const msg = 'Binder Error: x\n\nLINE 2:   bb + c\n               ^';
    expect(duckDbErrorOffset(msg, sql)).toBe(sql.indexOf('c\nFROM'));
    expect(duckDbErrorOffset('no place', sql)).toBeUndefined();
  });
});
