import { acceptChange, checkCondition } from './cdc-condition.policy';
import type { CdcChange } from './debezium-envelope.parser';

const insert = (after: Record<string, unknown>): CdcChange => ({
  table: 'public.orders',
  operation: 'insert',
  key: null,
  before: null,
  after,
  tsMs: null,
  position: null,
});
const update = (before: Record<string, unknown> | null, after: Record<string, unknown>): CdcChange => ({ ...insert(after), operation: 'update', before });

describe('cdc condition', () => {
  it('eq and ne compare decimals as numbers, tinyint booleans as booleans, null as null', () => {
    expect(checkCondition({ column: 'amount', op: 'eq', value: 10.5 }, insert({ amount: '10.50' })).matched).toBe(true);
    expect(checkCondition({ column: 'amount', op: 'eq', value: 10 }, insert({ amount: '10.50' })).matched).toBe(false);
    expect(checkCondition({ column: 'paid', op: 'eq', value: true }, insert({ paid: 1 })).matched).toBe(true);
    expect(checkCondition({ column: 'status', op: 'eq', value: 'paid' }, insert({ status: 'paid' })).matched).toBe(true);
    expect(checkCondition({ column: 'status', op: 'ne', value: 'paid' }, insert({ status: 'new' }))).toEqual({
      matched: true,
      reason: '"status" is "new", wanted ne "paid"',
    });
    expect(checkCondition({ column: 'gone', op: 'eq', value: null }, insert({ gone: null })).matched).toBe(true);
    expect(checkCondition({ column: 'gone', op: 'ne', value: null }, insert({ gone: 0 })).matched).toBe(true);
  });

  it('gt and lt order numbers numerically and strings (ISO times) lexically; null never orders', () => {
    expect(checkCondition({ column: 'amount', op: 'gt', value: 100 }, insert({ amount: '150.00' })).matched).toBe(true);
    expect(checkCondition({ column: 'amount', op: 'gt', value: 100 }, insert({ amount: '9' })).matched).toBe(false);
    expect(checkCondition({ column: 'amount', op: 'lt', value: '100' }, insert({ amount: 99 })).matched).toBe(true);
    expect(checkCondition({ column: 'at', op: 'gt', value: '2026-01-01' }, insert({ at: '2026-03-01T00:00:00Z' })).matched).toBe(true);
    expect(checkCondition({ column: 'amount', op: 'gt', value: 1 }, insert({ amount: null })).matched).toBe(false);
  });

  it('in matches any listed value', () => {
    expect(checkCondition({ column: 'region', op: 'in', value: ['eu', 'us'] }, insert({ region: 'us' })).matched).toBe(true);
    expect(checkCondition({ column: 'region', op: 'in', value: ['eu', 'us'] }, insert({ region: 'ap' })).matched).toBe(false);
    expect(checkCondition({ column: 'n', op: 'in', value: [1, 2] }, insert({ n: '2' })).matched).toBe(true);
  });

  it('changed compares the row before and after an update; inserts and deletes count as changes', () => {
    expect(checkCondition({ column: 'status', op: 'changed' }, update({ status: 'new' }, { status: 'paid' }))).toEqual({
      matched: true,
      reason: '"status" changed',
    });
    expect(checkCondition({ column: 'status', op: 'changed' }, update({ status: 'new', n: 1 }, { status: 'new', n: 2 }))).toEqual({
      matched: false,
      reason: '"status" did not change',
    });
    expect(checkCondition({ column: 'status', op: 'changed' }, update(null, { status: 'paid' }))).toEqual({
      matched: false,
      reason: '"status": the row before the update is unknown (PostgreSQL: REPLICA IDENTITY FULL)',
    });
    expect(checkCondition({ column: 'status', op: 'changed' }, insert({ status: 'new' })).matched).toBe(true);
  });

  it('a delete is judged on the row it removed; a row without the column never matches', () => {
    const del: CdcChange = { ...insert({}), operation: 'delete', before: { status: 'paid' }, after: null };
    expect(checkCondition({ column: 'status', op: 'eq', value: 'paid' }, del).matched).toBe(true);
    expect(checkCondition({ column: 'other', op: 'eq', value: 'paid' }, insert({ status: 'paid' }))).toEqual({
      matched: false,
      reason: 'the row has no column "other"',
    });
  });

  it('acceptChange applies table, operation and condition in that order', () => {
    const config = { tables: ['public.orders'], operations: ['insert' as const], condition: { column: 'amount', op: 'gt' as const, value: 100 } };
    expect(acceptChange(config, { ...insert({ amount: 500 }), table: 'public.audit' })).toEqual({
      matched: false,
      reason: 'table public.audit is not one of public.orders',
    });
    expect(acceptChange(config, update({ amount: 1 }, { amount: 500 }))).toEqual({ matched: false, reason: 'operation is update, wanted insert' });
    expect(acceptChange(config, insert({ amount: 50 }))).toEqual({ matched: false, reason: '"amount" is 50, wanted gt 100' });
    expect(acceptChange(config, insert({ amount: 500 })).matched).toBe(true);
    expect(acceptChange({ ...config, condition: undefined }, insert({ amount: 5 }))).toEqual({ matched: true, reason: 'insert on public.orders' });
  });
});
