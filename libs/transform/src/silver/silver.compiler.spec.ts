import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { openDuckDb, sqlString, type DuckDb, type DuckDbSession, type JsonRow } from '@flowforge/engine';
import type { CompileContext, CompiledJob } from '../compiled-job';
import { registerInputs, tableName, type LakeInput } from '../relations';
import { TransformError } from '../transform.errors';
import { compileTransformSilver, transformSilverInputs, validateTransformSilver } from './silver.compiler';
import { TRANSFORM_SILVER_CONFIG_SCHEMA, type SilverStep, type TransformSilverConfig } from './silver.schema';

// Small Bronze-like tables written as Parquet files, read through registerInputs as the runner does.
const TABLES: Record<string, string> = {
  'bronze.sales.orders': `SELECT * FROM (VALUES
    ('1', 10, 100, 'eu', ' 12.50 ', TIMESTAMP '2024-03-01 10:00:00', '  Ann  Lee ', 'run1', 1::BIGINT),
    ('1', 10, 100, 'eu', '13.00',  TIMESTAMP '2024-03-02 10:00:00', 'Ann Lee', 'run1', 2::BIGINT),
    ('2', 20, 200, 'us', 'abc',    TIMESTAMP '2024-03-03 10:00:00', 'BOB', 'run1', 3::BIGINT),
    ('3', 30, 300, 'us', NULL,     TIMESTAMP '2024-03-04 10:00:00', NULL, 'run1', 4::BIGINT),
    ('x', 10, 999, 'eu', '7',      TIMESTAMP '2024-03-05 10:00:00', 'Émile', 'run1', 5::BIGINT)
  ) AS t(order_id, customer_id, product_id, region, amount, updated_at, name, _ff_run_id, _ff_source_line)`,
  'bronze.sales.customers': `SELECT * FROM (VALUES
    (10, 'eu', 'Ann', 'gold', 'run0'), (20, 'us', 'Bob', 'silver', 'run0'), (20, 'eu', 'Bobby', 'none', 'run0'), (40, 'us', 'Dan', 'gold', 'run0')
  ) AS t(customer_id, region, name, tier, _ff_run_id)`,
  'bronze.sales.products': `SELECT * FROM (VALUES (100, 'Pen', 'eu'), (200, 'Ink', 'us'), (300, 'Pad', 'us'), (500, 'Cap', 'eu')) AS t(product_id, title, region)`,
};

let db: DuckDb;
let s: DuckDbSession;
let dir: string;
const inputs = new Map<string, LakeInput>();
const NOW = new Date('2024-03-05T12:00:00Z');
const ctx: CompileContext = { schemas: (ref) => inputs.get(tableName(ref))?.schema, now: NOW };

beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
  s = await db.connect();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ff-silver-spec-'));
  for (const [name, sql] of Object.entries(TABLES)) {
    const file = path.join(dir, `${name}.parquet`);
    await s.run(`COPY (${sql}) TO ${sqlString(file)} (FORMAT parquet)`);
    const cols = (await s.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).rows;
    const [layer, namespace, table] = name.split('.') as ['bronze', string, string];
    inputs.set(name, {
      ref: { layer, namespace, table },
      snapshotId: 'snap',
      files: [file],
      schema: cols.map((c) => ({ name: String(c.column_name), type: String(c.column_type), nullable: true })),
    });
  }
  await registerInputs(s, [...inputs.values()]);
});
afterAll(async () => {
  s.close();
  db.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const base = (steps: SilverStep[], extra: Partial<TransformSilverConfig> = {}): TransformSilverConfig => ({
  source: 'bronze.sales.orders',
  steps,
  target: { namespace: 'sales', table: 'orders' },
  mode: 'replace',
  ...extra,
});

async function rows(sql: string): Promise<JsonRow[]> {
  return (await s.all(sql)).rows;
}

/** Compiles (after validating with DuckDB), runs and answers the output rows, ordered by the first column. */
async function run(config: TransformSilverConfig): Promise<{ job: CompiledJob; out: JsonRow[] }> {
  await validateTransformSilver(s, config, ctx);
  const job = compileTransformSilver(config, ctx);
  return { job, out: await rows(`SELECT * FROM (${job.sql}) ORDER BY ALL`) };
}

async function failure(fn: () => unknown): Promise<TransformError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    return err as TransformError;
  }
  throw new Error('did not fail');
}

describe('transform.silver steps', () => {
  it('select keeps, orders and renames columns; audit columns go unless listed; the schema is known', async () => {
    const { job, out } = await run(
      base([{ op: 'select', columns: [{ name: 'ORDER_ID', as: 'id' }, { name: 'region' }, { name: '_ff_source_line', as: 'line' }] }]),
    );
    expect(out[0]).toEqual({ id: '1', region: 'eu', line: '1' });
    expect(job.schema).toEqual([
      { name: 'id', type: 'VARCHAR', nullable: true },
      { name: 'region', type: 'VARCHAR', nullable: true },
      { name: 'line', type: 'BIGINT', nullable: true },
    ]);
  });

  it('without select, the source audit columns pass through; drop removes columns', async () => {
    const { out } = await run(base([{ op: 'drop', columns: ['amount', 'name', 'updated_at'] }]));
    expect(Object.keys(out[0]!)).toEqual(['order_id', 'customer_id', 'product_id', 'region', '_ff_run_id', '_ff_source_line']);
  });

  it('cast: failures go to the rejects with the reason and the row, and are not in the output', async () => {
    const { job, out } = await run(
      base([
        { op: 'cast', column: 'order_id', type: 'INTEGER' },
        { op: 'select', columns: [{ name: 'order_id' }, { name: 'amount', cast: 'DECIMAL(10,2)' }] },
      ]),
    );
    expect(out).toEqual([
      { order_id: 1, amount: '12.50' },
      { order_id: 1, amount: '13.00' },
      { order_id: 3, amount: null },
    ]);
    const rejects = await rows(`SELECT * FROM (${job.rejectsSql}) ORDER BY reason`);
    expect(rejects).toEqual([
      { reason: `CAST_FAILED column "amount": value 'abc' is not DECIMAL(10,2)`, raw: '{"order_id":2,"amount":"abc"}' },
      { reason: `CAST_FAILED column "order_id": value 'x' is not INTEGER`, raw: expect.stringContaining('"order_id":"x"') },
    ]);
    expect(job.schema?.[0]).toEqual({ name: 'order_id', type: 'INTEGER', nullable: true });
  });

  it('cast with onError null keeps the row; with fail a guard returns the offending rows; a format parses dates', async () => {
    const { job, out } = await run(
      base([
        { op: 'cast', column: 'amount', type: 'DOUBLE', onError: 'null' },
        { op: 'cast', column: 'order_id', type: 'INTEGER', onError: 'fail' },
        { op: 'derive', name: 'day_text', expression: "strftime(updated_at, '%d/%m/%Y')" },
        { op: 'cast', column: 'day_text', type: 'DATE', format: '%d/%m/%Y' },
        { op: 'select', columns: [{ name: 'amount' }, { name: 'day_text' }] },
      ]),
    );
    expect(out.map((r) => r.amount)).toEqual([7, 12.5, 13, null, null]);
    expect(out.map((r) => r.day_text)).toContain('2024-03-03');
    expect(job.rejectsSql).toBeDefined(); // the DATE cast rejects (none fail here)
    expect(job.guards).toHaveLength(1);
    expect(job.guards![0]).toMatchObject({ code: 'FF_TRANSFORM_CAST', message: expect.stringContaining('steps[1]') });
    expect(await rows(job.guards![0]!.sql)).toEqual([{ reason: `CAST_FAILED column "order_id": value 'x' is not INTEGER`, raw: expect.any(String) }]);
  });

  it('trim, lower, upper and normalize text columns; a non-text column is refused', async () => {
    const { out } = await run(
      base([
        { op: 'select', columns: [{ name: 'order_id' }, { name: 'name' }, { name: 'amount' }, { name: 'region' }] },
        { op: 'normalize', columns: ['name'], stripAccents: true },
        { op: 'lower', columns: ['name'] },
        { op: 'trim', columns: ['amount'] },
        { op: 'upper', columns: ['region'] },
      ]),
    );
    expect(out.map((r) => [r.name, r.amount, r.region])).toEqual([
      ['ann lee', '12.50', 'EU'],
      ['ann lee', '13.00', 'EU'],
      ['bob', 'abc', 'US'],
      [null, null, 'US'],
      ['emile', '7', 'EU'],
    ]);
    const e = await failure(() => compileTransformSilver(base([{ op: 'trim', columns: ['name', 'customer_id'] }]), ctx));
    expect(e.problems).toEqual([{ field: 'steps[0].columns[1]', message: expect.stringContaining('is INTEGER') }]);
  });

  it('nulls: default fills with a typed value, drop removes the rows, fail guards with FF_TRANSFORM_NULLS', async () => {
    const def = await run(
      base([
        { op: 'nulls', column: 'amount', action: 'default', value: '0' },
        { op: 'select', columns: [{ name: 'amount' }] },
      ]),
    );
    expect(def.out.map((r) => r.amount)).toEqual([' 12.50 ', '0', '13.00', '7', 'abc']);
    const drop = await run(base([{ op: 'nulls', column: 'name', action: 'drop' }]));
    expect(drop.out).toHaveLength(4);
    const guard = compileTransformSilver(base([{ op: 'nulls', column: 'amount', action: 'fail' }]), ctx);
    expect(guard.guards![0]).toMatchObject({ code: 'FF_TRANSFORM_NULLS', message: expect.stringContaining('column "amount"') });
    expect(await rows(guard.guards![0]!.sql)).toEqual([{ reason: 'NULL_FOUND column "amount"', raw: expect.stringContaining('"order_id":"3"') }]);
    // the guard returns nothing once the nulls are gone
    const ok = compileTransformSilver(
      base([
        { op: 'nulls', column: 'amount', action: 'drop' },
        { op: 'nulls', column: 'amount', action: 'fail' },
      ]),
      ctx,
    );
    expect(await rows(ok.guards![0]!.sql)).toEqual([]);
    const e = await failure(() => compileTransformSilver(base([{ op: 'nulls', column: 'customer_id', action: 'default', value: 'none' }]), ctx));
    expect(e.problems[0]).toMatchObject({ field: 'steps[0].value', message: expect.stringContaining('not a number') });
  });

  it('dedupe keeps the latest row per key', async () => {
    const { out } = await run(
      base([
        { op: 'dedupe', keys: ['order_id'], orderBy: [{ column: 'updated_at', direction: 'desc' }] },
        { op: 'select', columns: [{ name: 'order_id' }, { name: 'amount' }] },
      ]),
    );
    expect(out).toEqual([
      { order_id: '1', amount: '13.00' },
      { order_id: '2', amount: 'abc' },
      { order_id: '3', amount: null },
      { order_id: 'x', amount: '7' },
    ]);
    const first = await run(
      base([
        { op: 'dedupe', keys: ['order_id', 'region'], orderBy: [{ column: '_ff_source_line', direction: 'asc' }] },
        { op: 'select', columns: [{ name: 'amount' }] },
      ]),
    );
    expect(first.out.map((r) => r.amount)).toContain(' 12.50 ');
  });

  it('derive: CASE, COALESCE, CONCAT, arithmetic, dates; later steps use the new column; replace overwrites', async () => {
    const { out, job } = await run(
      base([
        { op: 'cast', column: 'amount', type: 'DECIMAL(10,2)', onError: 'null' },
        { op: 'derive', name: 'size', expression: "CASE WHEN amount >= 13 THEN 'big' WHEN amount IS NULL THEN 'none' ELSE 'small' END" },
        { op: 'derive', name: 'label', expression: "concat(coalesce(name, '?'), ' #', order_id)" },
        { op: 'derive', name: 'gross', expression: 'amount * 1.2 + customer_id' },
        { op: 'derive', name: 'month', expression: "date_trunc('month', updated_at)::DATE" },
        { op: 'derive', name: 'name', expression: 'upper(name)', replace: true },
        { op: 'filter', condition: { column: 'size', op: 'ne', value: 'none' } },
        { op: 'select', columns: [{ name: 'order_id' }, { name: 'size' }, { name: 'label' }, { name: 'gross' }, { name: 'month' }, { name: 'name' }] },
      ]),
    );
    expect(out[0]).toEqual({ order_id: '1', size: 'big', label: 'Ann Lee #1', gross: '25.600', month: '2024-03-01', name: 'ANN LEE' });
    expect(out.map((r) => r.size)).toEqual(['big', 'small', 'small']);
    expect(job.schema).toBeUndefined(); // derived types are known to validateTransformSilver, not to the sync compiler
    const v = await validateTransformSilver(s, base([{ op: 'derive', name: 'size', expression: "CASE WHEN amount = '7' THEN 1 ELSE 2 END" }]), ctx);
    expect(v.schema.at(-1)).toEqual({ name: 'size', type: 'INTEGER', nullable: true });
  });

  it('filter: a condition tree on the columns of its step, with a relative date from ctx.now', async () => {
    const { out } = await run(
      base([
        {
          op: 'filter',
          condition: {
            and: [
              { column: 'updated_at', op: 'last', amount: 3, unit: 'days' },
              {
                or: [
                  { column: 'region', op: 'eq', value: 'us' },
                  { column: 'name', op: 'startsWith', value: 'É' },
                ],
              },
            ],
          },
        },
        { op: 'select', columns: [{ name: 'order_id' }] },
      ]),
    );
    // since 2024-03-02 12:00: orders 2 and 3 (us) and x (É...)
    expect(out).toEqual([{ order_id: '2' }, { order_id: '3' }, { order_id: 'x' }]);
  });
});

describe('transform.silver joins', () => {
  const three = (type: 'inner' | 'left' | 'right' | 'full'): TransformSilverConfig =>
    base([{ op: 'select', columns: [{ name: 'order_id' }, { name: 'customer_id' }, { name: 'region' }, { name: 'cust_name' }, { name: 'title' }] }], {
      alias: 'o',
      joins: [
        {
          table: 'bronze.sales.customers',
          type,
          alias: 'c',
          on: [
            { left: 'customer_id', right: 'customer_id' },
            { left: 'o.region', right: 'region' },
          ],
          columns: [{ name: 'name', as: 'cust_name' }, { name: 'customer_id' }, { name: 'region' }],
          prefix: 'c_',
        },
        { table: 'bronze.sales.products', type: 'left', on: [{ left: 'o.product_id', right: 'product_id' }], columns: [{ name: 'title' }] },
      ],
    });
  const ids = (out: JsonRow[]): unknown[] => out.map((r) => [r.order_id, r.customer_id, r.region, r.cust_name, r.title]);

  it('inner join on two keys, then a third table', async () => {
    const { out } = await run(three('inner'));
    expect(ids(out)).toEqual([
      ['1', 10, 'eu', 'Ann', 'Pen'],
      ['1', 10, 'eu', 'Ann', 'Pen'],
      ['2', 20, 'us', 'Bob', 'Ink'],
      ['x', 10, 'eu', 'Ann', null],
    ]);
  });

  it('left join keeps every source row', async () => {
    const { out } = await run(three('left'));
    expect(ids(out)).toContainEqual(['3', 30, 'us', null, 'Pad']);
    expect(out).toHaveLength(5);
  });

  it('right and full joins merge the equal-named keys (USING semantics)', async () => {
    const cfg = (type: 'right' | 'full'): TransformSilverConfig =>
      base([{ op: 'select', columns: [{ name: 'order_id' }, { name: 'customer_id' }, { name: 'region' }, { name: 'name' }] }], {
        joins: [
          {
            table: 'bronze.sales.customers',
            type,
            on: [
              { left: 'customer_id', right: 'customer_id' },
              { left: 'region', right: 'region' },
            ],
            columns: [{ name: 'customer_id' }, { name: 'region' }, { name: 'tier' }],
          },
        ],
        steps: [{ op: 'select', columns: [{ name: 'order_id' }, { name: 'customer_id' }, { name: 'region' }, { name: 'tier' }] }],
      });
    const right = await run(cfg('right'));
    expect(right.out.map((r) => [r.order_id, r.customer_id, r.region, r.tier])).toEqual([
      ['1', 10, 'eu', 'gold'],
      ['1', 10, 'eu', 'gold'],
      ['2', 20, 'us', 'silver'],
      ['x', 10, 'eu', 'gold'],
      [null, 20, 'eu', 'none'],
      [null, 40, 'us', 'gold'],
    ]);
    const full = await run(cfg('full'));
    expect(full.out).toHaveLength(7);
    expect(full.out.map((r) => r.customer_id)).toContain(30);
    expect(full.out.map((r) => r.customer_id)).toContain(40);
  });

  it('a join step joins at its place in the order: de-duplicate and cast the source first, then join two tables', async () => {
    const { out, job } = await run(
      base([
        { op: 'dedupe', keys: ['order_id'], orderBy: [{ column: 'updated_at' }] },
        { op: 'cast', column: 'order_id', type: 'INTEGER' },
        {
          op: 'join',
          table: 'bronze.sales.customers',
          type: 'inner',
          on: [
            { left: 'customer_id', right: 'customer_id' },
            { left: 'region', right: 'region' },
          ],
          prefix: 'c_',
        },
        { op: 'join', table: 'bronze.sales.products', type: 'left', on: [{ left: 'product_id', right: 'product_id' }], columns: [{ name: 'title' }] },
        { op: 'select', columns: [{ name: 'order_id' }, { name: 'amount' }, { name: 'c_name' }, { name: 'title' }] },
      ]),
    );
    expect(out).toEqual([
      { order_id: 1, amount: '13.00', c_name: 'Ann', title: 'Pen' },
      { order_id: 2, amount: 'abc', c_name: 'Bob', title: 'Ink' },
    ]);
    expect(job.inputs.map(tableName)).toEqual(['bronze.sales.orders', 'bronze.sales.customers', 'bronze.sales.products']);
    const e = await failure(() =>
      compileTransformSilver(
        base([{ op: 'join', table: 'bronze.sales.customers', type: 'inner', on: [{ left: 'orders.customer_id', right: 'customer_id' }] }]),
        ctx,
      ),
    );
    expect(e.problems[0]).toMatchObject({ field: 'steps[0].on[0].left', message: expect.stringContaining('unknown column "orders.customer_id"') });
  });

  it('a name collision is an error listing the names, unless a prefix is set', async () => {
    const cfg = (prefix?: string): TransformSilverConfig =>
      base([], {
        joins: [{ table: 'bronze.sales.customers', type: 'left', on: [{ left: 'customer_id', right: 'customer_id' }], ...(prefix ? { prefix } : {}) }],
      });
    const e = await failure(() => compileTransformSilver(cfg(), ctx));
    expect(e.code).toBe('FF_TRANSFORM_NAME_COLLISION');
    expect(e.problems).toEqual([{ field: 'joins[0]', message: expect.stringMatching(/"region", "name".*prefix/) }]);
    const { out } = await run(cfg('c_'));
    expect(Object.keys(out[0]!)).toEqual([...Object.keys(out[0]!).slice(0, 9), 'c_customer_id', 'c_region', 'c_name', 'c_tier']);
    expect(Object.keys(out[0]!)).not.toContain('c__ff_run_id'); // a joined table's audit columns are left out
  });
});

describe('transform.silver bad configs', () => {
  it('names the field of an unknown table, column, alias and key', async () => {
    const e = await failure(() =>
      compileTransformSilver(
        base(
          [
            { op: 'select', columns: [{ name: 'order_id' }, { name: 'amount' }] },
            { op: 'rename', columns: [{ name: 'amount', as: 'total' }] },
            { op: 'dedupe', keys: ['order_id'], orderBy: [{ column: 'updated_at' }] },
            { op: 'cast', column: 'amount', type: 'INTEGER' },
          ],
          { joins: [{ table: 'bronze.sales.nope', type: 'left', on: [{ left: 'id', right: 'id' }] }] },
        ),
        ctx,
      ),
    );
    expect(e.code).toBe('FF_TRANSFORM_UNKNOWN_TABLE');
    expect(e.problems.map((p) => p.field)).toEqual(['joins[0].table', 'steps[2].orderBy[0].column', 'steps[3].column']);
    const k = await failure(() =>
      compileTransformSilver(
        base([], { joins: [{ table: 'bronze.sales.customers', type: 'inner', on: [{ left: 'z.customer_id', right: 'nope' }], prefix: 'c_' }] }),
        ctx,
      ),
    );
    expect(k.code).toBe('FF_TRANSFORM_UNKNOWN_COLUMN');
    expect(k.problems.map((p) => p.field)).toEqual(['joins[0].on[0].left', 'joins[0].on[0].right']);
  });

  it('an unknown column at a later step is FF_TRANSFORM_UNKNOWN_COLUMN at steps[n].column, against the columns at that step', async () => {
    const e = await failure(() =>
      compileTransformSilver(
        base([
          { op: 'rename', columns: [{ name: 'amount', as: 'total' }] },
          { op: 'trim', columns: ['total'] },
          { op: 'derive', name: 'x', expression: 'total' },
          { op: 'nulls', column: 'amount', action: 'drop' },
        ]),
        ctx,
      ),
    );
    expect(e.code).toBe('FF_TRANSFORM_UNKNOWN_COLUMN');
    expect(e.problems).toEqual([{ field: 'steps[3].column', message: expect.stringMatching(/unknown column "amount".*total/) }]);
  });

  it('compiles to one statement: a WITH chain and one SELECT, no ;', () => {
    const job = compileTransformSilver(
      base([
        { op: 'cast', column: 'order_id', type: 'INTEGER' },
        { op: 'filter', condition: { column: 'region', op: 'eq', value: "eu'; --" } },
      ]),
      ctx,
    );
    expect(job.sql).toMatch(/^WITH "s0" AS NOT MATERIALIZED \(/);
    expect(job.sql.replace(/'(?:[^']|'')*'/g, "''")).not.toContain(';');
    expect(job.inputs).toEqual([{ layer: 'bronze', namespace: 'sales', table: 'orders' }]);
  });

  it('refuses a bad cast type, a bad new name, a derived name that exists, an unknown op', async () => {
    const e = await failure(() =>
      compileTransformSilver(
        base([
          { op: 'cast', column: 'amount', type: 'INTEGER); DROP TABLE x; --' },
          { op: 'rename', columns: [{ name: 'amount', as: '_ff_mine' }] },
          { op: 'derive', name: 'region', expression: '1' },
          { op: 'pivot' } as unknown as SilverStep,
          { op: 'cast', column: 'amount', type: 'DECIMAL(50,2)' },
        ]),
        ctx,
      ),
    );
    expect(e.problems.map((p) => [p.field, p.message.slice(0, 20)])).toEqual([
      ['steps[0].type', 'must be one of the s'],
      ['steps[1].columns[0].as', 'must be a name of le'],
      ['steps[2].name', 'a column "region" ex'],
      ['steps[3].op', 'unknown op "pivot"'],
      ['steps[4].type', 'DECIMAL(p,s) needs 1'],
    ]);
  });

  it('validate reports each bad expression with its position, and goes on past the first', async () => {
    const e = await failure(() =>
      validateTransformSilver(
        s,
        base([
          { op: 'derive', name: 'a', expression: 'amount || nam' },
          { op: 'derive', name: 'b', expression: "a || frob(region, 'x')" },
          { op: 'derive', name: 'c', expression: "1) FROM read_csv('/etc/passwd') WHERE (true" },
          { op: 'derive', name: 'd', expression: 'customer_id + (SELECT 1)' },
        ]),
        ctx,
      ),
    );
    expect(e.code).toBe('FF_TRANSFORM_EXPRESSION');
    expect(e.problems).toEqual([
      { field: 'steps[0].expression', message: expect.stringContaining('"nam" not found'), position: 10 },
      { field: 'steps[1].expression', message: expect.stringContaining('frob does not exist'), position: 5 },
      { field: 'steps[2].expression', message: expect.stringContaining('exactly one SQL expression'), position: expect.any(Number) },
      { field: 'steps[3].expression', message: expect.stringContaining('subquery'), position: 14 },
    ]);
  });

  it('validate reports a bind failure outside expressions at its step', async () => {
    const e = await failure(() =>
      validateTransformSilver(
        s,
        base([
          { op: 'derive', name: 'n', expression: 'customer_id * 2' },
          { op: 'trim', columns: ['n'] },
        ]),
        ctx,
      ),
    );
    expect(e.problems).toEqual([{ field: 'steps[1]', message: expect.stringContaining('does not bind') }]);
  });
});

describe('transform.silver config schema and inputs', () => {
  const validate = new Ajv2020({ strictSchema: true, strictTypes: false, allErrors: true, useDefaults: true }).compile(TRANSFORM_SILVER_CONFIG_SCHEMA);

  it('accepts a full config, fills defaults, and refuses unbounded or unknown input', () => {
    const cfg: Record<string, unknown> = {
      source: 'bronze.sales.orders',
      joins: [{ table: 'bronze.sales.customers', type: 'left', on: [{ left: 'customer_id', right: 'customer_id' }], prefix: 'c_' }],
      steps: [
        { op: 'cast', column: 'amount', type: 'DECIMAL(10,2)' },
        { op: 'filter', condition: { or: [{ column: 'x', op: 'last', amount: 7, unit: 'days' }, { not: { column: 'y', op: 'isNull' } }] } },
        { op: 'dedupe', keys: ['id'], orderBy: [{ column: 'updated_at' }] },
      ],
      target: { namespace: 'sales', table: 'orders' },
    };
    expect(validate(cfg)).toBe(true);
    expect(cfg).toMatchObject({ mode: 'replace', target: { layer: 'silver' } });
    expect(validate({ ...cfg, steps: [{ op: 'derive', name: 'x', expression: 'a'.repeat(4001) }] })).toBe(false);
    expect(validate({ ...cfg, steps: new Array(101).fill({ op: 'drop', columns: ['a'] }) })).toBe(false);
    expect(validate({ ...cfg, steps: [{ op: 'cast', column: 'a', type: 'INTEGER; DROP' }] })).toBe(false);
    expect(validate({ ...cfg, steps: [{ op: 'filter', condition: { column: 'a', op: 'in', values: new Array(1001).fill(1) } }] })).toBe(false);
    expect(validate({ ...cfg, target: { layer: 'gold', namespace: 'a', table: 'b' } })).toBe(false);
    expect(validate({ ...cfg, extra: 1 })).toBe(false);
  });

  it('titles and describes every property', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.properties)
        for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
          if (!v.description || (!v.title && k !== 'op')) missing.push(`${at}.${k}`);
          walk(v, `${at}.${k}`);
        }
      for (const key of ['items', 'oneOf', 'anyOf', '$defs'])
        if (o[key]) Object.values(o[key] as object).forEach((x, i) => walk(key === 'items' ? o[key] : x, `${at}.${key}[${i}]`));
    };
    walk(TRANSFORM_SILVER_CONFIG_SCHEMA, 'config');
    expect(missing.filter((m) => !m.startsWith('config.source') && !m.startsWith('config.target') && !m.startsWith('config.mode'))).toEqual([]);
  });

  it('inputs: the source and each joined table once', () => {
    expect(
      transformSilverInputs(
        base([], {
          joins: [
            { table: 'silver.crm.customers', type: 'left', on: [{ left: 'a', right: 'a' }] },
            { table: 'bronze.sales.orders', type: 'inner', alias: 'again', on: [{ left: 'a', right: 'a' }] },
          ],
        }),
      ),
    ).toEqual([
      { layer: 'bronze', namespace: 'sales', table: 'orders' },
      { layer: 'silver', namespace: 'crm', table: 'customers' },
    ]);
    expect(() => transformSilverInputs(base([], { source: 'sales.orders' }))).toThrow(/source/);
  });
});
