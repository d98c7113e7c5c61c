import { hasOrderedStats, mergeStats } from './table-schema';

describe('column statistics', () => {
  const schema = [
    { name: 'id', type: 'BIGINT', nullable: true },
    { name: 'amount', type: 'DECIMAL(10,2)', nullable: true },
    { name: 'name', type: 'VARCHAR', nullable: true },
    { name: 'day', type: 'DATE', nullable: true },
    { name: 'tags', type: 'VARCHAR[]', nullable: true },
  ];

  it('merges an append: min of mins, max of maxes (numbers compared as numbers), null counts summed', () => {
    const a = {
      id: { min: '9', max: '100', nullCount: 1 },
      amount: { min: '2.50', max: '10.00', nullCount: 0 },
      name: { min: 'b', max: 'x', nullCount: 0 },
      day: { min: '2024-01-02', max: '2024-03-01', nullCount: 0 },
      tags: { min: null, max: null, nullCount: 2 },
    };
    const b = {
      id: { min: '10', max: '99999999999999999999', nullCount: 2 },
      amount: { min: '11.00', max: '9.99', nullCount: 1 },
      name: { min: 'a', max: 'c', nullCount: 3 },
      day: { min: '2023-12-31', max: '2024-01-01', nullCount: 0 },
      tags: { min: null, max: null, nullCount: 0 },
    };
    expect(mergeStats(schema, a, b)).toEqual({
      id: { min: '9', max: '99999999999999999999', nullCount: 3 },
      amount: { min: '2.50', max: '10.00', nullCount: 1 },
      name: { min: 'a', max: 'x', nullCount: 3 },
      day: { min: '2023-12-31', max: '2024-03-01', nullCount: 0 },
      tags: { min: null, max: null, nullCount: 2 },
    });
  });

  it('a column that is all nulls on one side keeps the other side’s bounds', () => {
    const s = [{ name: 'x', type: 'INTEGER', nullable: true }];
    expect(mergeStats(s, { x: { min: null, max: null, nullCount: 5 } }, { x: { min: 3, max: 4, nullCount: 0 } })).toEqual({
      x: { min: 3, max: 4, nullCount: 5 },
    });
  });

  it('has no min/max for nested and binary types', () => {
    expect(['INTEGER[]', 'STRUCT(a INTEGER)', 'MAP(VARCHAR, INTEGER)', 'BLOB'].map(hasOrderedStats)).toEqual([false, false, false, false]);
    expect(['VARCHAR', 'TIMESTAMP', 'DECIMAL(18,3)', 'BOOLEAN'].map(hasOrderedStats)).toEqual([true, true, true, true]);
  });
});
