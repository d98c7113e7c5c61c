import { parseTableName, tableSql, type LakeInput } from '../relations';
import { compileGoldAggregate } from './gold-aggregate.compiler';
import type { GoldAggregateConfig } from './gold-aggregate.schema';
import { goldAggregateFingerprint, incrementalAllowed, type GoldRefreshBasis } from './gold-incremental';
import { contextOf, SpecLake } from './gold-spec-lake';

const orders = (values: string) =>
  `SELECT CAST(id AS BIGINT) AS id, CAST(customer_id AS BIGINT) AS customer_id, CAST(amount AS DECIMAL(10,2)) AS amount, CAST(ordered_at AS TIMESTAMP) AS ordered_at,
     CAST(ordered_at AS TIMESTAMPTZ) AS ordered_tz, CAST(ordered_at AS DATE) AS ordered_on
   FROM (VALUES ${values}) AS t(id, customer_id, amount, ordered_at)`;
// Berlin days: 1, 2 → 03-02; 3 → 03-28; 4 (23:30 UTC on the 28th) → 03-29; 5 (DST night) → 03-30; 6 → 04-15 (no customer); 7 → no day.
const FIRST = orders(`(1, 1, 10.00, '2026-03-02 10:00:00'), (2, 2, 20.00, '2026-03-02 12:00:00'), (3, 3, 30.00, '2026-03-28 12:00:00'),
  (4, 3, 40.00, '2026-03-28 23:30:00'), (5, 4, 50.00, '2026-03-29 22:30:00'), (6, 5, 60.00, '2026-04-15 08:00:00'), (7, 1, 70.00, NULL)`);
// Appended: 8 is on the 28th in UTC but the 29th in Berlin (the customer of that day again); 9 joins the 15 April.
const SECOND = orders(`(8, 3, 5.00, '2026-03-28 23:45:00'), (9, 1, 7.00, '2026-04-15 09:00:00')`);
// Appended later: a fact without a time (the null bucket).
const THIRD = orders(`(10, 2, 9.00, NULL)`);
const CUSTOMERS = `SELECT CAST(id AS BIGINT) AS id, country FROM (VALUES (1, 'DE'), (2, 'DE'), (3, 'FR'), (4, 'US')) AS t(id, country)`;

const config: GoldAggregateConfig = {
  fact: 'silver.sales.orders',
  dimensions: [{ table: 'silver.sales.customers', alias: 'customer', join: { from: 'fact.customer_id', to: 'id' } }],
  groupBy: [{ column: 'customer.country' }],
  time: { column: 'fact.ordered_at', grain: 'day', timeZone: 'Europe/Berlin', as: 'day' },
  measures: [
    { name: 'revenue', fn: 'sum', column: 'fact.amount' },
    { name: 'orders', fn: 'count' },
    { name: 'customers', fn: 'count_distinct', column: 'fact.customer_id' },
    { name: 'avg_amount', fn: 'avg', column: 'fact.amount' },
  ],
  kpis: [{ name: 'avg_order', expression: 'revenue / nullif(orders, 0)' }],
  target: { namespace: 'sales', table: 'daily' },
  mode: 'incremental',
};

describe('gold.aggregate incremental refresh (real DuckDB over Parquet)', () => {
  let lake: SpecLake;
  let customers: LakeInput;
  const files: Record<'first' | 'second' | 'third', string> = { first: '', second: '', third: '' };
  let factSchema: LakeInput['schema'];
  const fact = (...parts: string[]): LakeInput => ({
    ref: parseTableName('silver.sales.orders'),
    snapshotId: parts.join('+'),
    schema: factSchema,
    files: parts,
  });
  const newFacts = (...parts: string[]): LakeInput => ({ ref: parseTableName('silver.sales.orders_new'), snapshotId: 'new', schema: factSchema, files: parts });

  beforeAll(async () => {
    lake = await SpecLake.open();
    customers = await lake.table('silver.sales.customers', CUSTOMERS);
    for (const [key, sql] of [
      ['first', FIRST],
      ['second', SECOND],
      ['third', THIRD],
    ] as const) {
      const written = await lake.file(sql);
      files[key] = written.file;
      factSchema = written.schema;
    }
  });
  afterAll(async () => {
    await lake?.close();
  });

  /** A full refresh over `factFiles`, written to Parquet and registered as the gold table (the "previous" rows). */
  const fullRefresh = async (...factFiles: string[]) => fullRefreshOf(config, ...factFiles);
  const fullRefreshOf = async (cfg: GoldAggregateConfig, ...factFiles: string[]) => {
    const input = fact(...factFiles);
    await lake.register(input, customers);
    const job = compileGoldAggregate({ ...cfg, mode: 'replace' }, contextOf(input, customers));
    return { job, rows: await lake.rows(job.sql) };
  };
  const previousFrom = async (sql: string): Promise<LakeInput> => {
    const written = await lake.file(sql);
    const gold: LakeInput = { ref: parseTableName('gold.sales.daily'), snapshotId: 'gold', schema: written.schema, files: [written.file] };
    await lake.register(gold);
    return gold;
  };
  /** An incremental refresh: the fact is all of `factFiles`, the new facts are `appended`, over `previous`. */
  const incremental = async (previous: LakeInput, appended: string[], ...factFiles: string[]) => incrementalOf(config, false, previous, appended, ...factFiles);
  /** With `constants`, the two-step form: the affected buckets first, then the refresh compiled with them. */
  const incrementalOf = async (cfg: GoldAggregateConfig, constants: boolean, previous: LakeInput, appended: string[], ...factFiles: string[]) => {
    const input = fact(...factFiles);
    const added = newFacts(...appended);
    await lake.register(input, customers, added);
    const relations = { newFacts: tableSql(added.ref), previous: tableSql(previous.ref) };
    let job = compileGoldAggregate(cfg, contextOf(input, customers), { incremental: relations });
    const affected = (await lake.rows(job.affectedPartitionsSql!)).map((r) => r.partition as string | null);
    if (constants) {
      job = compileGoldAggregate(cfg, contextOf(input, customers), { incremental: { ...relations, partitions: affected } });
      expect((await lake.rows(job.affectedPartitionsSql!)).map((r) => r.partition)).toEqual(affected);
    }
    return { job, affected, rows: await lake.rows(job.sql) };
  };
  const inDays = (rows: Awaited<ReturnType<SpecLake['rows']>>, days: (string | null)[]) => rows.filter((r) => days.includes(r.day as string | null));

  it('recomputes only the days the new facts fall in (in Berlin, not UTC) and equals a full refresh row for row', async () => {
    const before = await fullRefresh(files.first);
    const previous = await previousFrom(before.job.sql);
    const previousRows = await lake.rows(`SELECT * FROM ${tableSql(previous.ref)}`);

    const inc = await incremental(previous, [files.second], files.first, files.second);
    // 8 is on 28 March in UTC but 29 March in Berlin: only the 29th and 15 April are touched.
    expect(inc.affected).toEqual(['2026-03-29', '2026-04-15']);
    expect(inc.job.partitionColumn).toBe('day');

    const full = await fullRefresh(files.first, files.second);
    expect(inc.rows).toEqual(full.rows);
    expect(inc.rows.length).toBe(previousRows.length + 1); // DE joins 15 April

    // Untouched days are the previous rows, value for value (28 March in Berlin included).
    const untouched = ['2026-03-02', '2026-03-28', '2026-03-30', null];
    expect(inDays(previousRows, untouched)).toHaveLength(4);
    expect(JSON.stringify(inDays(inc.rows, untouched))).toBe(JSON.stringify(inDays(previousRows, untouched)));

    // COUNT DISTINCT and AVG are recomputed, not merged: customer 3 bought twice on the 29th.
    expect(inDays(inc.rows, ['2026-03-29'])).toEqual([
      { country: 'FR', day: '2026-03-29', revenue: '45.00', orders: '2', customers: '1', avg_amount: 22.5, avg_order: 22.5 },
    ]);
    expect(inDays(inc.rows, ['2026-04-15'])).toEqual([
      { country: 'DE', day: '2026-04-15', revenue: '7.00', orders: '1', customers: '1', avg_amount: 7, avg_order: 7 },
      { country: null, day: '2026-04-15', revenue: '60.00', orders: '1', customers: '1', avg_amount: 60, avg_order: 60 },
    ]);
  });

  it('carries untouched days from the previous rows as they are, and replaces touched ones', async () => {
    const before = await fullRefresh(files.first);
    // Mark the previous rows: a marker survives only where the rows are carried, not recomputed.
    const previous = await previousFrom(`SELECT * REPLACE (CAST(999.99 AS DECIMAL(38,2)) AS revenue) FROM (${before.job.sql})`);
    const inc = await incremental(previous, [files.second], files.first, files.second);
    expect(inc.rows.filter((r) => r.revenue === '999.99').map((r) => r.day)).toEqual(['2026-03-02', '2026-03-28', '2026-03-30', null]);
    expect(inDays(inc.rows, ['2026-03-29', '2026-04-15']).map((r) => r.revenue)).toEqual(['45.00', '7.00', '60.00']);
  });

  it('treats the null bucket as a partition (facts without a time): replaced once, never doubled', async () => {
    const first = await fullRefresh(files.first);
    const afterFirst = await previousFrom(first.job.sql);
    const second = await incremental(afterFirst, [files.second], files.first, files.second);
    const afterSecond = await previousFrom(second.job.sql);
    const third = await incremental(afterSecond, [files.third], files.first, files.second, files.third);
    expect(third.affected).toEqual([null]);
    expect(third.rows).toEqual((await fullRefresh(files.first, files.second, files.third)).rows);
    expect(inDays(third.rows, [null])).toEqual([
      { country: 'DE', day: null, revenue: '79.00', orders: '2', customers: '2', avg_amount: 39.5, avg_order: 39.5 },
    ]);
  });

  it.each([
    ['fact.ordered_at', 'day', false],
    ['fact.ordered_at', 'day', true],
    ['fact.ordered_tz', 'week', false],
    ['fact.ordered_tz', 'week', true],
    ['fact.ordered_on', 'month', true],
    ['fact.ordered_at', 'quarter', true],
    ['fact.ordered_at', 'year', true],
  ] as const)('equals a full refresh after each append: %s by %s, buckets as constants: %s', async (column, grain, constants) => {
    const cfg: GoldAggregateConfig = { ...config, time: { column, grain, timeZone: 'Europe/Berlin', as: 'day' } };
    const afterFirst = await previousFrom((await fullRefreshOf(cfg, files.first)).job.sql);
    const second = await incrementalOf(cfg, constants, afterFirst, [files.second], files.first, files.second);
    expect(second.rows).toEqual((await fullRefreshOf(cfg, files.first, files.second)).rows);
    const afterSecond = await previousFrom(second.job.sql);
    const third = await incrementalOf(cfg, constants, afterSecond, [files.third], files.first, files.second, files.third);
    expect(third.affected).toEqual([null]);
    expect(third.rows).toEqual((await fullRefreshOf(cfg, files.first, files.second, files.third)).rows);
  });

  it('refreshes buckets taken from a dimension (a calendar) the same way', async () => {
    const calendar = await lake.table(
      'silver.sales.calendar',
      `SELECT CAST(d AS DATE) AS "date", CAST(date_trunc('week', d) AS DATE) AS week_start FROM range(DATE '2026-03-01', DATE '2026-05-01', INTERVAL 1 DAY) AS r(d)`,
    );
    await lake.register(calendar);
    const cfg: GoldAggregateConfig = {
      ...config,
      dimensions: [...config.dimensions!, { table: 'silver.sales.calendar', alias: 'calendar', join: { from: 'fact.ordered_on', to: 'date' } }],
      time: { column: 'calendar.date', grain: 'month', as: 'day' },
    };
    const ctx = (...factFiles: string[]) => contextOf(fact(...factFiles), customers, calendar);
    await lake.register(fact(files.first), customers);
    const previous = await previousFrom(compileGoldAggregate({ ...cfg, mode: 'replace' }, ctx(files.first)).sql);
    const added = newFacts(files.second);
    await lake.register(fact(files.first, files.second), added);
    const inc = compileGoldAggregate(cfg, ctx(files.first, files.second), { incremental: { newFacts: tableSql(added.ref), previous: tableSql(previous.ref) } });
    // The calendar keys by the UTC date: order 8 (28 March in UTC) falls in March, order 9 in April.
    expect((await lake.rows(inc.affectedPartitionsSql!)).map((r) => r.partition)).toEqual(['2026-03-01', '2026-04-01']);
    const full = compileGoldAggregate({ ...cfg, mode: 'replace' }, ctx(files.first, files.second));
    expect(await lake.rows(inc.sql)).toEqual(await lake.rows(full.sql));
  });

  it('with the buckets as constants, filters the fact by time ranges around them (one day wider on each side)', async () => {
    const previous = await previousFrom((await fullRefresh(files.first)).job.sql);
    const inc = await incrementalOf(config, true, previous, [files.second], files.first, files.second);
    expect(inc.job.sql).toContain(
      `("fact"."ordered_at" >= TIMESTAMP '2026-03-28 00:00:00' AND "fact"."ordered_at" < TIMESTAMP '2026-03-31 00:00:00') OR ("fact"."ordered_at" >= TIMESTAMP '2026-04-14 00:00:00' AND "fact"."ordered_at" < TIMESTAMP '2026-04-17 00:00:00')`,
    );
    // Many scattered buckets: one range from the first to the last.
    const many = Array.from({ length: 100 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + 3 * i)).toISOString().slice(0, 10));
    const wide = compileGoldAggregate(config, contextOf(fact(files.first), customers), { incremental: { newFacts: 'n', previous: 'p', partitions: many } });
    expect(wide.sql).toContain(`("fact"."ordered_at" >= TIMESTAMP '2025-12-31 00:00:00' AND "fact"."ordered_at" < TIMESTAMP '2026-10-27 00:00:00')`);
  });

  it('refuses buckets that are not dates', () => {
    const compileWith = (partitions: unknown) => () =>
      compileGoldAggregate(config, contextOf(fact(files.first), customers), {
        incremental: { newFacts: 'n', previous: 'p', partitions: partitions as string[] },
      });
    expect(compileWith(['2026-02-30'])).toThrow(
      expect.objectContaining({ problems: [{ field: 'incremental.partitions[0]', message: 'must be a date YYYY-MM-DD or null' }] }),
    );
    expect(compileWith([null, "2026-01-01'); DROP"])).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ field: 'incremental.partitions[1]' })] }),
    );
    expect(compileWith('2026-01-01')).toThrow(expect.objectContaining({ problems: [expect.objectContaining({ field: 'incremental.partitions' })] }));
  });

  it('with no new facts, yields the previous rows unchanged', async () => {
    const before = await fullRefresh(files.first);
    const previous = await previousFrom(before.job.sql);
    const empty: LakeInput = { ref: parseTableName('silver.sales.orders_new'), snapshotId: 'empty', schema: factSchema, files: [] };
    await lake.register(fact(files.first), customers, empty);
    const job = compileGoldAggregate(config, contextOf(fact(files.first), customers), {
      incremental: { newFacts: tableSql(empty.ref), previous: tableSql(previous.ref) },
    });
    expect(await lake.rows(job.affectedPartitionsSql!)).toEqual([]);
    expect(JSON.stringify(await lake.rows(job.sql))).toBe(JSON.stringify(await lake.rows(`SELECT * FROM ${tableSql(previous.ref)}`)));
  });
});

describe('incrementalAllowed', () => {
  const basis: GoldRefreshBasis = {
    fingerprint: goldAggregateFingerprint(config),
    snapshots: { 'silver.sales.orders': 'o1', 'silver.sales.customers': 'c1' },
  };
  const now = (orders: string, customersSnap = 'c1', factIsAppendOfBasis = true) => ({
    snapshots: { 'silver.sales.orders': orders, 'silver.sales.customers': customersSnap },
    factIsAppendOfBasis,
  });

  it('allows an incremental refresh after appends to the fact, with the dimensions unchanged', () => {
    expect(incrementalAllowed(config, basis, now('o2'))).toEqual({ allowed: true, upToDate: false });
    expect(incrementalAllowed(config, basis, now('o1'))).toEqual({ allowed: true, upToDate: true });
  });

  it('asks for a full refresh otherwise, saying why', () => {
    const reason = (...args: Parameters<typeof incrementalAllowed>) => {
      const d = incrementalAllowed(...args);
      return d.allowed ? 'allowed' : d.reason;
    };
    expect(reason({ ...config, mode: 'replace' }, basis, now('o2'))).toMatch(/replace mode/);
    expect(reason(config, undefined, now('o2'))).toMatch(/no previous refresh/);
    expect(reason({ ...config, time: { ...config.time!, timeZone: 'UTC' } }, basis, now('o2'))).toMatch(/config changed/);
    expect(reason(config, basis, now('o2', 'c2'))).toMatch(/dimension silver\.sales\.customers changed since the previous refresh \(snapshot c1 → c2\)/);
    expect(reason(config, basis, now('o2', 'c1', false))).toMatch(/changed other than by appends/);
    expect(reason(config, { ...basis, snapshots: { 'silver.sales.customers': 'c1' } }, now('o2'))).toMatch(/no snapshot of the fact/);
  });

  it('fingerprints the config with its defaults, ignoring key order and the mode', () => {
    const reordered = Object.fromEntries(Object.entries(config).reverse()) as unknown as GoldAggregateConfig;
    expect(Object.keys(reordered)[0]).toBe('mode');
    expect(goldAggregateFingerprint({ ...reordered, mode: 'replace' })).toBe(basis.fingerprint);
    expect(goldAggregateFingerprint({ ...config, time: { column: 'fact.ordered_at', grain: 'day', as: 'day' } })).toBe(
      goldAggregateFingerprint({ ...config, time: { column: 'fact.ordered_at', grain: 'day', as: 'day', timeZone: 'UTC' } }),
    );
    expect(goldAggregateFingerprint({ ...config, kpis: [] })).not.toBe(basis.fingerprint);
  });
});
