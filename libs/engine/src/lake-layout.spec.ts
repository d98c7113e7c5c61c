import { attemptPrefix, parseDataKey, tableRoot } from './lake-layout';

describe('lake layout', () => {
  const ref = { layer: 'silver' as const, namespace: 'sales', table: 'orders_2024' };

  it('builds table roots and attempt prefixes', () => {
    expect(tableRoot(ref)).toBe('silver/sales/orders_2024');
    expect(attemptPrefix(ref, 'run-1.step-2.a3')).toBe('silver/sales/orders_2024/data/run-1.step-2.a3/');
  });

  it('refuses names that cannot be lake paths, naming the part', () => {
    expect(() => tableRoot({ ...ref, layer: 'platinum' as never })).toThrow('FF_ENGINE_LAKE_PATH: layer "platinum" must be one of bronze, silver, gold');
    expect(() => tableRoot({ ...ref, namespace: '../etc' })).toThrow(/namespace "\.\.\/etc" must be 1-63 lower-case letters/);
    expect(() => tableRoot({ ...ref, table: 'Orders' })).toThrow(/table "Orders"/);
    expect(() => attemptPrefix(ref, 'a/b')).toThrow(/attempt id "a\/b"/);
  });

  it('parses data keys and ignores anything else', () => {
    expect(parseDataKey('gold/kpi/daily/data/abc-1/part-0.parquet')).toEqual({
      ref: { layer: 'gold', namespace: 'kpi', table: 'daily' },
      attemptId: 'abc-1',
      file: 'part-0.parquet',
    });
    expect(parseDataKey('gold/kpi/daily/metadata/x.json')).toBeNull();
    expect(parseDataKey('gold/kpi/daily/data/abc/nested/part-0.parquet')).toBeNull();
    expect(parseDataKey('tmp/kpi/daily/data/abc/part-0.parquet')).toBeNull();
  });
});
