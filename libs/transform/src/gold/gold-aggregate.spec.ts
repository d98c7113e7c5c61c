import type { LakeInput } from '../relations';
import { TransformError } from '../transform.errors';
import { compileGoldAggregate, goldAggregateInputs, goldAggregateTarget } from './gold-aggregate.compiler';
import type { GoldAggregateConfig, GoldGrain } from './gold-aggregate.schema';
import { contextOf, SpecLake } from './gold-spec-lake';

// Orders in UTC. 4: 23:30 UTC on 28 March is 00:30 on the 29th in Berlin (CET); 5: 22:30 UTC on the 29th
// (the DST day) is 00:30 CEST on Monday the 30th; 6: next month in Berlin; 7: next year in Berlin;
// 8: a customer missing from the dimension; 9: no time at all.
const ORDERS = `SELECT * FROM (VALUES
  (1, 1, 'A', 10.00, 6.00, 1, TIMESTAMP '2026-03-02 10:00:00', 'gift', 0.5),
  (2, 1, 'B', 20.00, 15.00, 2, TIMESTAMP '2026-03-02 12:00:00', NULL, NULL),
  (3, 2, 'A', 30.00, 20.00, 1, TIMESTAMP '2026-03-03 09:00:00', NULL, 1.5),
  (4, 3, 'C', 40.00, 10.00, 4, TIMESTAMP '2026-03-28 23:30:00', 'rush', NULL),
  (5, 4, 'B', 50.00, 45.00, 5, TIMESTAMP '2026-03-29 22:30:00', NULL, NULL),
  (6, 1, 'A', 60.00, 30.00, 1, TIMESTAMP '2026-03-31 22:30:00', NULL, NULL),
  (7, 2, 'C', 70.00, 35.00, 2, TIMESTAMP '2026-12-31 23:30:00', 'gift', 2.0),
  (8, 5, 'A', 80.00, 40.00, 1, TIMESTAMP '2026-04-15 08:00:00', NULL, NULL)
) AS t(id, customer_id, sku, amount, cost, qty, ordered_at, note, discount)`;
const ORDERS_TYPED = `SELECT CAST(id AS BIGINT) AS id, CAST(customer_id AS BIGINT) AS customer_id, sku, CAST(amount AS DECIMAL(10,2)) AS amount,
  CAST(cost AS DECIMAL(10,2)) AS cost, CAST(qty AS INTEGER) AS qty, ordered_at, CAST(ordered_at AS TIMESTAMPTZ) AS ordered_tz,
  CAST(ordered_at AS DATE) AS ordered_on, CAST(note AS VARCHAR) AS note, CAST(discount AS DOUBLE) AS discount FROM (${ORDERS})`;
const CUSTOMERS = `SELECT CAST(id AS BIGINT) AS id, name, country, CAST(region_id AS INTEGER) AS region_id FROM (VALUES
  (1, 'Ann', 'DE', 10), (2, 'Bob', 'DE', 10), (3, 'Cid', 'FR', 20), (4, 'Dee', 'US', 30)) AS t(id, name, country, region_id)`;
const PRODUCTS = `SELECT * FROM (VALUES ('A', 'toys', 'Ball'), ('B', 'books', 'Atlas'), ('C', 'toys', 'Kite')) AS t(sku, category, name)`;
const REGIONS = `SELECT CAST(id AS INTEGER) AS id, continent FROM (VALUES (10, 'Europe'), (20, 'Europe'), (30, 'America')) AS t(id, continent)`;

const target = { namespace: 'sales', table: 'summary' };
const customerDim = { table: 'silver.sales.customers', alias: 'customer', join: { from: 'fact.customer_id', to: 'id' } };
const productDim = { table: 'silver.sales.products', alias: 'product', join: { from: 'fact.sku', to: 'sku' } };
const regionDim = { table: 'silver.sales.regions', alias: 'region', join: { from: 'customer.region_id', to: 'id' } };

function problemsOf(fn: () => unknown): { code: string; problems: TransformError['problems'] } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    return { code: (err as TransformError).code, problems: (err as TransformError).problems };
  }
  throw new Error('compiled without an error');
}

describe('gold.aggregate compiler (real DuckDB over Parquet)', () => {
  let lake: SpecLake;
  let orders: LakeInput;
  let customers: LakeInput;
  let products: LakeInput;
  let regions: LakeInput;
  const all = (): LakeInput[] => [orders, customers, products, regions];

  beforeAll(async () => {
    lake = await SpecLake.open();
    orders = await lake.table('silver.sales.orders', ORDERS_TYPED);
    customers = await lake.table('silver.sales.customers', CUSTOMERS);
    products = await lake.table('silver.sales.products', PRODUCTS);
    regions = await lake.table('silver.sales.regions', REGIONS);
    await lake.register(...all());
  });
  afterAll(async () => {
    await lake?.close();
  });

  const run = async (config: GoldAggregateConfig) => {
    const job = compileGoldAggregate(config, contextOf(...all()));
    const result = await lake.session.all(job.sql);
    return { job, rows: result.rows, columns: result.columns };
  };

  it('names its inputs (each table once) and its gold target', () => {
    const config: GoldAggregateConfig = {
      fact: 'silver.sales.orders',
      dimensions: [customerDim, { ...customerDim, alias: 'buyer' }, regionDim],
      measures: [{ name: 'n', fn: 'count' }],
      target,
    };
    expect(goldAggregateInputs(config).map((r) => `${r.layer}.${r.namespace}.${r.table}`)).toEqual([
      'silver.sales.orders',
      'silver.sales.customers',
      'silver.sales.regions',
    ]);
    expect(goldAggregateTarget(config)).toEqual({ layer: 'gold', namespace: 'sales', table: 'summary' });
  });

  it('aggregates a star (two dimensions, left joins keep facts without a match)', async () => {
    const { rows, job } = await run({
      fact: 'silver.sales.orders',
      dimensions: [customerDim, productDim],
      groupBy: [{ column: 'customer.country' }, { column: 'product.category' }],
      measures: [
        { name: 'revenue', fn: 'sum', column: 'fact.amount' },
        { name: 'orders', fn: 'count' },
      ],
      target,
    });
    expect(rows).toEqual([
      { country: 'DE', category: 'books', revenue: '20.00', orders: '1' },
      { country: 'DE', category: 'toys', revenue: '170.00', orders: '4' },
      { country: 'FR', category: 'toys', revenue: '40.00', orders: '1' },
      { country: 'US', category: 'books', revenue: '50.00', orders: '1' },
      { country: null, category: 'toys', revenue: '80.00', orders: '1' },
    ]);
    expect(job.schema).toEqual([
      { name: 'country', type: 'VARCHAR', nullable: true },
      { name: 'category', type: 'VARCHAR', nullable: true },
      { name: 'revenue', type: 'DECIMAL(38,2)', nullable: true },
      { name: 'orders', type: 'BIGINT', nullable: false },
    ]);
    expect(job.inputs).toHaveLength(3);
  });

  it('drops facts without a match on an inner join', async () => {
    const { rows } = await run({
      fact: 'silver.sales.orders',
      dimensions: [{ ...customerDim, joinType: 'inner' }],
      groupBy: [{ column: 'country', as: 'land' }],
      measures: [{ name: 'revenue', fn: 'sum', column: 'amount' }],
      target,
    });
    expect(rows).toEqual([
      { land: 'DE', revenue: '190.00' },
      { land: 'FR', revenue: '40.00' },
      { land: 'US', revenue: '50.00' },
    ]);
  });

  it('aggregates a snowflake (a dimension joined to a dimension)', async () => {
    const { rows } = await run({
      fact: 'silver.sales.orders',
      dimensions: [customerDim, regionDim],
      groupBy: [{ column: 'region.continent' }],
      measures: [
        { name: 'revenue', fn: 'sum', column: 'fact.amount' },
        { name: 'customers', fn: 'count_distinct', column: 'customer.id' },
      ],
      target,
    });
    expect(rows).toEqual([
      { continent: 'America', revenue: '50.00', customers: '1' },
      { continent: 'Europe', revenue: '230.00', customers: '3' },
      { continent: null, revenue: '80.00', customers: '0' },
    ]);
  });

  it('computes every measure function, with the schema it announces', async () => {
    const { rows, columns, job } = await run({
      fact: 'silver.sales.orders',
      dimensions: [customerDim],
      groupBy: [{ column: 'customer.country' }],
      measures: [
        { name: 'revenue', fn: 'sum', column: 'amount' },
        { name: 'units', fn: 'sum', column: 'qty' },
        { name: 'discounts', fn: 'sum', column: 'discount' },
        { name: 'avg_qty', fn: 'avg', column: 'qty' },
        { name: 'avg_amount', fn: 'avg', column: 'amount' },
        { name: 'orders', fn: 'count', column: '*' },
        { name: 'noted', fn: 'count', column: 'note' },
        { name: 'customers', fn: 'count_distinct', column: 'fact.customer_id' },
        { name: 'first_order', fn: 'min', column: 'ordered_at' },
        { name: 'last_order_tz', fn: 'max', column: 'ordered_tz' },
        { name: 'biggest', fn: 'max', column: 'amount' },
        { name: 'first_sku', fn: 'min', column: 'sku' },
      ],
      target,
    });
    expect(columns.map((c) => ({ name: c.name, type: c.type }))).toEqual(job.schema.map((s) => ({ name: s.name, type: s.type })));
    expect(job.schema.map((s) => s.type)).toEqual([
      'VARCHAR',
      'DECIMAL(38,2)',
      'BIGINT',
      'DOUBLE',
      'DOUBLE',
      'DOUBLE',
      'BIGINT',
      'BIGINT',
      'BIGINT',
      'TIMESTAMP',
      'TIMESTAMP WITH TIME ZONE',
      'DECIMAL(10,2)',
      'VARCHAR',
    ]);
    expect(rows[0]).toEqual({
      country: 'DE',
      revenue: '190.00',
      units: '7',
      discounts: 4,
      avg_qty: 1.4,
      avg_amount: 38,
      orders: '5',
      noted: '2',
      customers: '2',
      first_order: '2026-03-02 10:00:00',
      last_order_tz: '2026-12-31 23:30:00+00',
      biggest: '70.00',
      first_sku: 'A',
    });
    // A group where every value is null: sum/avg/min/max null, counts 0.
    expect(rows.find((r) => r.country === 'US')).toMatchObject({ discounts: null, noted: '0', units: '5' });
  });

  it('aggregates without groups or time into one row', async () => {
    const { rows } = await run({ fact: 'silver.sales.orders', measures: [{ name: 'orders', fn: 'count' }], target });
    expect(rows).toEqual([{ orders: '8' }]);
  });

  // Each order's bucket, per grain, in Berlin and in UTC (grouping by the order id gives one row per order).
  const expected: Record<GoldGrain, { berlin: string[]; utc: string[] }> = {
    day: {
      berlin: ['2026-03-02', '2026-03-02', '2026-03-03', '2026-03-29', '2026-03-30', '2026-04-01', '2027-01-01', '2026-04-15'],
      utc: ['2026-03-02', '2026-03-02', '2026-03-03', '2026-03-28', '2026-03-29', '2026-03-31', '2026-12-31', '2026-04-15'],
    },
    week: {
      berlin: ['2026-03-02', '2026-03-02', '2026-03-02', '2026-03-23', '2026-03-30', '2026-03-30', '2026-12-28', '2026-04-13'],
      utc: ['2026-03-02', '2026-03-02', '2026-03-02', '2026-03-23', '2026-03-23', '2026-03-30', '2026-12-28', '2026-04-13'],
    },
    month: {
      berlin: ['2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', '2026-04-01', '2027-01-01', '2026-04-01'],
      utc: ['2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', '2026-12-01', '2026-04-01'],
    },
    quarter: {
      berlin: ['2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-04-01', '2027-01-01', '2026-04-01'],
      utc: ['2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-10-01', '2026-04-01'],
    },
    year: {
      berlin: ['2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2027-01-01', '2026-01-01'],
      utc: ['2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01'],
    },
  };
  const bucketsOf = async (column: string, grain: GoldGrain, timeZone: string): Promise<string[]> => {
    const { rows, job } = await run({
      fact: 'silver.sales.orders',
      groupBy: [{ column: 'id' }],
      time: { column, grain, timeZone, as: 'period' },
      measures: [{ name: 'n', fn: 'count' }],
      target,
    });
    expect(job.partitionColumn).toBe('period');
    expect(job.schema.find((s) => s.name === 'period')?.type).toBe('DATE');
    return [...rows].sort((a, b) => Number(a.id) - Number(b.id)).map((r) => String(r.period));
  };

  it.each(Object.keys(expected) as GoldGrain[])('cuts %s buckets in the time zone (Europe/Berlin across DST, and UTC)', async (grain) => {
    expect(await bucketsOf('ordered_at', grain, 'Europe/Berlin')).toEqual(expected[grain].berlin);
    expect(await bucketsOf('ordered_at', grain, 'UTC')).toEqual(expected[grain].utc);
    // The same instants as TIMESTAMP WITH TIME ZONE land in the same buckets.
    expect(await bucketsOf('ordered_tz', grain, 'Europe/Berlin')).toEqual(expected[grain].berlin);
  });

  it('cuts a zone west of UTC and never shifts a DATE column', async () => {
    // New York: 2026-03-31 22:30 UTC is 18:30 on the 31st (Berlin: 1 April); 2026-12-31 23:30 UTC is 18:30 on the 31st.
    expect(await bucketsOf('ordered_at', 'month', 'America/New_York')).toEqual(expected.month.utc);
    expect(await bucketsOf('ordered_on', 'day', 'Europe/Berlin')).toEqual(expected.day.utc);
    expect(await bucketsOf('ordered_on', 'week', 'Pacific/Kiritimati')).toEqual(expected.week.utc);
  });

  it('names the bucket <column>_<grain> by default and orders rows by bucket then groups', async () => {
    const { rows, job } = await run({
      fact: 'silver.sales.orders',
      dimensions: [customerDim],
      groupBy: [{ column: 'customer.country' }],
      time: { column: 'fact.ordered_at', grain: 'month', timeZone: 'Europe/Berlin' },
      measures: [{ name: 'revenue', fn: 'sum', column: 'amount' }],
      target,
    });
    expect(job.partitionColumn).toBe('ordered_at_month');
    expect(rows).toEqual([
      { country: 'DE', ordered_at_month: '2026-03-01', revenue: '60.00' },
      { country: 'FR', ordered_at_month: '2026-03-01', revenue: '40.00' },
      { country: 'US', ordered_at_month: '2026-03-01', revenue: '50.00' },
      { country: 'DE', ordered_at_month: '2026-04-01', revenue: '60.00' },
      { country: null, ordered_at_month: '2026-04-01', revenue: '80.00' },
      { country: 'DE', ordered_at_month: '2027-01-01', revenue: '70.00' },
    ]);
  });

  it('computes KPIs over the aggregated measures (ratio, margin), as DOUBLE', async () => {
    const { rows, columns } = await run({
      fact: 'silver.sales.orders',
      dimensions: [customerDim],
      groupBy: [{ column: 'customer.country' }],
      measures: [
        { name: 'revenue', fn: 'sum', column: 'amount' },
        { name: 'cost', fn: 'sum', column: 'cost' },
        { name: 'orders', fn: 'count' },
        { name: 'noted', fn: 'count', column: 'note' },
      ],
      kpis: [
        { name: 'avg_order', expression: 'revenue / nullif(orders, 0)' },
        { name: 'margin', expression: 'round((Revenue - "cost") / NULLIF(revenue, 0), 4)' },
        { name: 'per_note_unsafe', expression: 'revenue / noted' },
        { name: 'per_note', expression: 'revenue / nullif(noted, 0)' },
        { name: 'zero_by_zero', expression: '(noted - noted) / noted' },
      ],
      target,
    });
    expect(columns.slice(-5).map((c) => c.type)).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
    expect(rows[0]).toMatchObject({ country: 'DE', avg_order: 38, margin: 0.4421, per_note_unsafe: 95, per_note: 95 });
    // US has no note: DuckDB divides to Infinity (NaN for 0/0); nullif makes it NULL.
    expect(rows.find((r) => r.country === 'US')).toMatchObject({
      avg_order: 50,
      margin: 0.1,
      per_note_unsafe: 'Infinity',
      per_note: null,
      zero_by_zero: 'NaN',
    });
  });

  it('compiles a guard that fails the job when a dimension key repeats', async () => {
    const dup = await lake.table('silver.sales.customers_dup', `${CUSTOMERS} UNION ALL SELECT 3, 'Cid again', 'BE', 20`);
    await lake.register(dup);
    const config: GoldAggregateConfig = {
      fact: 'silver.sales.orders',
      dimensions: [{ ...customerDim, table: 'silver.sales.customers_dup' }],
      measures: [{ name: 'n', fn: 'count' }],
      target,
    };
    const job = compileGoldAggregate(config, contextOf(orders, dup));
    expect(job.guards).toHaveLength(1);
    expect(job.guards![0]!.code).toBe('FF_TRANSFORM_DUPLICATE_KEY');
    expect(job.guards![0]!.message).toContain('dimensions[0]');
    expect(await lake.rows(job.guards![0]!.sql)).toEqual([{ key: '3', rows: '2' }]);
    const clean = compileGoldAggregate({ ...config, dimensions: [customerDim] }, contextOf(orders, customers));
    expect(await lake.rows(clean.guards![0]!.sql)).toEqual([]);
  });

  describe('refuses bad configs, naming the field', () => {
    const base: GoldAggregateConfig = {
      fact: 'silver.sales.orders',
      dimensions: [customerDim, productDim],
      groupBy: [{ column: 'customer.country' }],
      time: { column: 'ordered_at', grain: 'day', timeZone: 'Europe/Berlin' },
      measures: [
        { name: 'revenue', fn: 'sum', column: 'amount' },
        { name: 'orders', fn: 'count' },
      ],
      target,
    };
    const refuse = (patch: Partial<GoldAggregateConfig>, opts?: Parameters<typeof compileGoldAggregate>[2]) =>
      problemsOf(() => compileGoldAggregate({ ...base, ...patch }, contextOf(...all()), opts));

    it('compiles the base config (so each refusal below is about its patch)', () => {
      expect(compileGoldAggregate(base, contextOf(...all())).sql).toContain('GROUP BY');
    });

    it('unknown or malformed tables', () => {
      expect(refuse({ fact: 'silver.sales.nope' })).toEqual({
        code: 'FF_TRANSFORM_UNKNOWN_TABLE',
        problems: [{ field: 'fact', message: 'silver.sales.nope is not in the lake (or not readable)' }],
      });
      expect(refuse({ dimensions: [customerDim, { ...productDim, table: 'silver.sales.nope' }] }).problems).toEqual([
        { field: 'dimensions[1].table', message: 'silver.sales.nope is not in the lake (or not readable)' },
      ]);
      expect(refuse({ fact: 'orders' })).toMatchObject({ code: 'FF_TRANSFORM_CONFIG', problems: [{ field: 'fact' }] });
      expect(refuse({ fact: 'gold.sales.summary' }).problems[0]).toMatchObject({ field: 'fact', message: expect.stringContaining('target table itself') });
    });

    it('unknown columns and aliases, listing what exists', () => {
      const r = refuse({ groupBy: [{ column: 'customer.county' }] });
      expect(r.code).toBe('FF_TRANSFORM_UNKNOWN_COLUMN');
      expect(r.problems).toEqual([
        { field: 'groupBy[0].column', message: expect.stringContaining('has no column "county"; it has id, name, country, region_id') },
      ]);
      expect(refuse({ groupBy: [{ column: 'cust.country' }] }).problems[0]).toMatchObject({
        field: 'groupBy[0].column',
        message: expect.stringContaining('"cust" is not an alias'),
      });
      expect(refuse({ measures: [{ name: 'x', fn: 'sum', column: 'price' }] }).problems[0]).toMatchObject({ field: 'measures[0].column' });
    });

    it('a column of two tables written without its alias', () => {
      const r = refuse({ groupBy: [{ column: 'name' }] });
      expect(r.code).toBe('FF_TRANSFORM_CONFIG');
      expect(r.problems[0]!.field).toBe('groupBy[0].column');
      expect(r.problems[0]!.message).toMatch(/ambiguous: customer and product both have it; write it with its alias, e\.g\. product\.name/);
    });

    it('join keys of different types, and joins to a dimension listed later', () => {
      expect(refuse({ dimensions: [{ ...customerDim, join: { from: 'fact.sku', to: 'id' } }] }).problems).toEqual([
        {
          field: 'dimensions[0].join',
          message: 'join key types differ: fact.sku is VARCHAR but customer.id is BIGINT; cast one of them in silver first',
        },
      ]);
      expect(refuse({ dimensions: [regionDim, customerDim] }).problems[0]).toMatchObject({
        field: 'dimensions[0].join.from',
        message: expect.stringContaining('listed before'),
      });
      expect(refuse({ dimensions: [customerDim, { ...productDim, alias: 'customer' }] }).problems[0]).toMatchObject({ field: 'dimensions[1].alias' });
      expect(refuse({ dimensions: [{ ...customerDim, alias: 'fact' }] }).problems[0]).toMatchObject({ field: 'dimensions[0].alias' });
      expect(refuse({ dimensions: [{ ...customerDim, join: { from: 'fact.customer_id', to: 'nope' } }] }).problems[0]).toMatchObject({
        field: 'dimensions[0].join.to',
      });
    });

    it('KPI expressions: a name that is not a measure, with its position; syntax; functions; injection', () => {
      const kpi = (expression: string) => refuse({ kpis: [{ name: 'k', expression }] });
      expect(kpi('revenue / nullif(orderz, 0)')).toEqual({
        code: 'FF_TRANSFORM_EXPRESSION',
        problems: [{ field: 'kpis[0].expression', position: 17, message: expect.stringContaining('"orderz" is not a measure of this job') }],
      });
      expect(kpi('revenue / amount').problems[0]).toMatchObject({ position: 10, message: expect.stringContaining('measure names: revenue, orders') });
      expect(kpi('revenue /').problems[0]).toMatchObject({ position: 9 });
      expect(kpi('exp(revenue)').problems[0]).toMatchObject({ position: 0, message: expect.stringContaining('unknown function "exp"') });
      expect(kpi('revenue); DROP TABLE x; --').problems[0]).toMatchObject({ position: 7 });
      expect(kpi("revenue || 'x'").problems[0]).toMatchObject({ position: 8 });
    });

    it('time: zone, column type, incremental without time', () => {
      expect(refuse({ time: { column: 'ordered_at', grain: 'day', timeZone: 'Mars/Olympus' } }).problems).toEqual([
        { field: 'time.timeZone', message: expect.stringContaining('not an IANA time zone') },
      ]);
      expect(refuse({ time: { column: 'ordered_at', grain: 'day', timeZone: '+01:00' } }).problems[0]!.field).toBe('time.timeZone');
      expect(refuse({ time: { column: 'fact.sku', grain: 'day' } }).problems).toEqual([
        { field: 'time.column', message: 'fact.sku is VARCHAR: the time bucket needs a DATE or TIMESTAMP column' },
      ]);
      expect(refuse({ time: { column: 'ordered_at', grain: 'hour' as GoldGrain } }).problems[0]!.field).toBe('time.grain');
      const { time: _t, ...noTime } = base;
      expect(problemsOf(() => compileGoldAggregate({ ...noTime, mode: 'incremental' }, contextOf(...all()))).problems).toEqual([
        { field: 'mode', message: expect.stringContaining('incremental refresh needs time') },
      ]);
    });

    it('measures: a function on a column it cannot take', () => {
      expect(refuse({ measures: [{ name: 'x', fn: 'sum', column: 'fact.sku' }] }).problems).toEqual([
        { field: 'measures[0].column', message: 'sum needs a numeric column; fact.sku is VARCHAR' },
      ]);
      expect(refuse({ measures: [{ name: 'x', fn: 'avg' }] }).problems[0]).toMatchObject({
        field: 'measures[0].column',
        message: expect.stringContaining('needs a column'),
      });
      expect(refuse({ measures: [{ name: 'x', fn: 'count_distinct', column: '*' }] }).problems[0]!.field).toBe('measures[0].column');
      expect(refuse({ measures: [] }).problems[0]!.field).toBe('measures');
      expect(refuse({ measures: [{ name: 'x', fn: 'median' as 'sum', column: 'amount' }] }).problems[0]!.field).toBe('measures[0].fn');
    });

    it('two output columns with one name (ignoring case, as DuckDB does)', () => {
      expect(refuse({ measures: [{ name: 'Country', fn: 'count' }] })).toEqual({
        code: 'FF_TRANSFORM_NAME_COLLISION',
        problems: [{ field: 'measures[0].name', message: expect.stringContaining('also produced by groupBy[0].column') }],
      });
      expect(refuse({ kpis: [{ name: 'revenue', expression: 'orders * 2' }] }).problems[0]!.field).toBe('kpis[0].name');
      expect(refuse({ groupBy: [{ column: 'customer.name' }, { column: 'product.name' }] }).problems[0]!.field).toBe('groupBy[1].column');
    });

    it('bounds and control characters, for callers that skipped the JSON schema', () => {
      expect(refuse({ groupBy: [{ column: 'customer.\u0000country' }] }).problems[0]!.field).toBe('groupBy[0].column');
      expect(refuse({ kpis: Array.from({ length: 65 }, (_, i) => ({ name: `k${i}`, expression: 'orders' })) }).problems[0]!.field).toBe('kpis');
      expect(refuse({ kpis: [{ name: 'k', expression: `${'('.repeat(70)}orders${')'.repeat(70)}` }] }).problems[0]).toMatchObject({
        field: 'kpis[0].expression',
        message: expect.stringContaining('nested deeper'),
      });
      expect(refuse({ target: { namespace: 'Sales', table: 'x' } }).problems[0]!.field).toBe('target');
    });

    it('incremental options: only in incremental mode, with relation names', () => {
      expect(refuse({}, { incremental: { newFacts: 'new_orders', previous: '"gold"."sales"."summary"' } }).problems).toEqual([
        { field: 'mode', message: expect.stringContaining('is replace') },
      ]);
      expect(refuse({ mode: 'incremental' }, { incremental: { newFacts: 'x; DROP TABLE y', previous: 'gold.sales.summary' } }).problems).toEqual([
        { field: 'incremental.newFacts', message: expect.stringContaining('relation name') },
      ]);
    });

    it('reports every problem at once', () => {
      const r = refuse({ groupBy: [{ column: 'nope' }], measures: [{ name: 'x', fn: 'sum', column: 'fact.sku' }], kpis: [{ name: 'k', expression: 'y' }] });
      expect(r.problems.map((p) => p.field)).toEqual(['groupBy[0].column', 'measures[0].column', 'kpis[0].expression']);
    });
  });
});
