import Ajv2020 from 'ajv/dist/2020';
import { openDuckDb, type ColumnSchema, type DuckDb, type DuckDbSession } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { compileFilter, FILTER_CONDITION_SCHEMA, momentBefore, previewFilter, type FilterCondition } from './filter';

const schema: ColumnSchema[] = [
  { name: 'id', type: 'INTEGER', nullable: false },
  { name: 'name', type: 'VARCHAR', nullable: true },
  { name: 'amount', type: 'DECIMAL(10,2)', nullable: true },
  { name: 'active', type: 'BOOLEAN', nullable: true },
  { name: 'day', type: 'DATE', nullable: true },
  { name: 'at', type: 'TIMESTAMP', nullable: true },
  { name: 'at_tz', type: 'TIMESTAMP WITH TIME ZONE', nullable: true },
];
// A fixed "now" for relative dates: 2024-03-10 15:00 UTC.
const NOW = new Date('2024-03-10T15:00:00Z');
const ROWS = `SELECT * FROM (VALUES
  (1, 'Alpha', 10.50, true,  DATE '2024-03-10', TIMESTAMP '2024-03-10 14:00:00', TIMESTAMPTZ '2024-03-10 14:00:00+00'),
  (2, 'beta',  99.99, false, DATE '2024-03-04', TIMESTAMP '2024-03-03 16:00:00', TIMESTAMPTZ '2024-03-03 16:00:00+00'),
  (3, 'Gamma', NULL,  NULL,  DATE '2024-03-03', TIMESTAMP '2024-03-03 14:00:00', TIMESTAMPTZ '2024-03-03 14:00:00+00'),
  (4, NULL,    500.00, true, DATE '2023-12-31', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMPTZ '2024-01-01 00:00:00+00'),
  (5, 'alphabet', 0.00, false, NULL, NULL, NULL)
) AS t(id, name, amount, active, "day", "at", at_tz)`;

let db: DuckDb;
let s: DuckDbSession;
beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
  s = await db.connect();
  // A session time zone far from UTC: relative moments must not depend on it.
  await s.run(`SET TimeZone = 'America/Los_Angeles'`);
});
afterAll(() => {
  s.close();
  db.close();
});

/** The ids the condition keeps. */
async function kept(tree: FilterCondition): Promise<number[]> {
  const res = await s.all(`SELECT id FROM (${ROWS}) WHERE ${compileFilter(tree, schema, NOW)} ORDER BY id`);
  return res.rows.map((r) => Number(r.id));
}

function failure(fn: () => unknown): TransformError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    return err as TransformError;
  }
  throw new Error('did not fail');
}

describe('compileFilter', () => {
  it('compares: eq ne gt ge lt le, on numbers, text, booleans and dates', async () => {
    expect(await kept({ column: 'id', op: 'eq', value: 2 })).toEqual([2]);
    expect(await kept({ column: 'name', op: 'ne', value: 'beta' })).toEqual([1, 3, 5]);
    expect(await kept({ column: 'amount', op: 'gt', value: '99.99' })).toEqual([4]);
    expect(await kept({ column: 'amount', op: 'ge', value: 99.99 })).toEqual([2, 4]);
    expect(await kept({ column: 'amount', op: 'lt', value: 10.5 })).toEqual([5]);
    expect(await kept({ column: 'amount', op: 'le', value: 10.5 })).toEqual([1, 5]);
    expect(await kept({ column: 'active', op: 'eq', value: true })).toEqual([1, 4]);
    expect(await kept({ column: 'day', op: 'lt', value: '2024-01-01' })).toEqual([4]);
    expect(await kept({ column: 'name', op: 'eq', value: 'ALPHA', ignoreCase: true })).toEqual([1]);
  });

  it('tests text: contains, startsWith, endsWith, with and without case', async () => {
    expect(await kept({ column: 'name', op: 'contains', value: 'lph' })).toEqual([1, 5]);
    expect(await kept({ column: 'name', op: 'startsWith', value: 'alpha' })).toEqual([5]);
    expect(await kept({ column: 'name', op: 'startsWith', value: 'alpha', ignoreCase: true })).toEqual([1, 5]);
    expect(await kept({ column: 'name', op: 'endsWith', value: 'ma' })).toEqual([3]);
    // a value with SQL in it is a literal, nothing more
    expect(await kept({ column: 'name', op: 'contains', value: "'); DROP TABLE x; --" })).toEqual([]);
  });

  it('tests membership and ranges: in, notIn, between, isNull, isNotNull', async () => {
    expect(await kept({ column: 'id', op: 'in', values: [1, 3, 9] })).toEqual([1, 3]);
    expect(await kept({ column: 'name', op: 'notIn', values: ['Alpha', 'beta'] })).toEqual([3, 5]);
    expect(await kept({ column: 'amount', op: 'between', from: 10.5, to: 99.99 })).toEqual([1, 2]);
    expect(await kept({ column: 'day', op: 'between', from: '2024-03-01', to: '2024-03-04' })).toEqual([2, 3]);
    expect(await kept({ column: 'amount', op: 'isNull' })).toEqual([3]);
    expect(await kept({ column: 'day', op: 'isNotNull' })).toEqual([1, 2, 3, 4]);
  });

  it('date ranges: absolute between on timestamps, relative moments and last N units from a fixed now', async () => {
    expect(await kept({ column: 'at', op: 'between', from: '2024-03-03T15:00:00Z', to: '2024-03-10' })).toEqual([2]);
    expect(await kept({ column: 'at_tz', op: 'ge', value: '2024-03-03T15:00:00+00:00' })).toEqual([1, 2]);
    // last 7 days on timestamps: from 2024-03-03 15:00 to now
    expect(await kept({ column: 'at', op: 'last', amount: 7, unit: 'days' })).toEqual([1, 2]);
    expect(await kept({ column: 'at_tz', op: 'last', amount: 7, unit: 'days' })).toEqual([1, 2]);
    expect(await kept({ column: 'at', op: 'last', amount: 2, unit: 'hours' })).toEqual([1]);
    // on dates: the 7 dates ending today, 2024-03-04 .. 2024-03-10
    expect(await kept({ column: 'day', op: 'last', amount: 7, unit: 'days' })).toEqual([1, 2]);
    expect(await kept({ column: 'day', op: 'ge', value: { ago: 3, unit: 'months' } })).toEqual([1, 2, 3, 4]);
    expect(await kept({ column: 'at', op: 'between', from: { ago: 1, unit: 'years' }, to: { ago: 7, unit: 'days' } })).toEqual([3, 4]);
  });

  it('nests and / or / not', async () => {
    const tree: FilterCondition = {
      or: [
        {
          and: [
            { column: 'active', op: 'eq', value: true },
            { column: 'amount', op: 'gt', value: 100 },
          ],
        },
        { not: { column: 'name', op: 'contains', value: 'a' } },
      ],
    };
    expect(await kept(tree)).toEqual([4]);
    expect(
      await kept({
        and: [
          { column: 'id', op: 'gt', value: 1 },
          {
            or: [
              { column: 'name', op: 'isNull' },
              { column: 'name', op: 'eq', value: 'beta' },
            ],
          },
        ],
      }),
    ).toEqual([2, 4]);
  });

  it('names each bad node: unknown column, wrong value type, missing value, bad operator', () => {
    const e = failure(() =>
      compileFilter(
        {
          and: [
            { column: 'nope', op: 'eq', value: 1 },
            { column: 'id', op: 'eq', value: 'abc' },
            { column: 'day', op: 'gt', value: '10/03/2024' },
            { column: 'amount', op: 'between', from: 1 },
            { column: 'id', op: 'contains', value: 'x' },
            { column: 'day', op: 'last', amount: 3, unit: 'hours' },
            { column: 'id', op: 'like' as 'eq', value: 1 },
          ],
        },
        schema,
        NOW,
      ),
    );
    expect(e.code).toBe('FF_TRANSFORM_UNKNOWN_COLUMN');
    expect(e.problems.map((p) => p.field)).toEqual([
      'condition.and[0].column',
      'condition.and[1].value',
      'condition.and[2].value',
      'condition.and[3].to',
      'condition.and[4].column',
      'condition.and[5].unit',
      'condition.and[6].op',
    ]);
    expect(e.problems[0]!.message).toMatch(/unknown column "nope"/);
  });

  it('bounds the tree: depth, in-list size, NUL', () => {
    let deep: FilterCondition = { column: 'id', op: 'isNull' };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    expect(failure(() => compileFilter(deep, schema, NOW)).problems[0]!.message).toMatch(/nest at most/);
    expect(failure(() => compileFilter({ column: 'id', op: 'in', values: new Array(1001).fill(1) }, schema, NOW)).problems[0]!.field).toBe('condition.values');
    expect(failure(() => compileFilter({ column: 'name', op: 'eq', value: 'a\0' }, schema, NOW)).problems[0]!.message).toMatch(/NUL/);
  });

  it('the JSON schema accepts trees and refuses unknown properties', () => {
    const validate = new Ajv2020({ strictSchema: true, strictTypes: false, allErrors: true }).compile(FILTER_CONDITION_SCHEMA);
    expect(validate({ and: [{ column: 'a', op: 'last', amount: 7, unit: 'days' }, { not: { column: 'b', op: 'in', values: [1, 'x'] } }] })).toBe(true);
    expect(validate({ column: 'a', op: 'eq', value: { ago: 1, unit: 'days' } })).toBe(true);
    expect(validate({ column: 'a', op: 'eq', sql: '1=1' })).toBe(false);
    expect(validate({ and: [] })).toBe(false);
  });
});

describe('momentBefore', () => {
  it('subtracts calendar months in UTC, clamping to the month end', () => {
    expect(momentBefore(new Date('2024-03-31T10:00:00Z'), 1, 'months').toISOString()).toBe('2024-02-29T10:00:00.000Z');
    expect(momentBefore(new Date('2024-02-29T00:00:00Z'), 1, 'years').toISOString()).toBe('2023-02-28T00:00:00.000Z');
  });
});

describe('previewFilter', () => {
  it('counts the rows kept and dropped (a null result is dropped)', async () => {
    expect(await previewFilter(s, ROWS, { column: 'amount', op: 'gt', value: 50 }, schema, NOW)).toEqual({ kept: 2, dropped: 3 });
    expect(await previewFilter(s, ROWS, { column: 'at', op: 'last', amount: 7, unit: 'days' }, schema, NOW)).toEqual({ kept: 2, dropped: 3 });
  });
});
