import { commonSupertype, reconcileSchema, widensTo } from './schema-reconcile';

const col = (name: string, type: string) => ({ name, type, nullable: true });

describe('reconcileSchema', () => {
  const table = [col('id', 'BIGINT'), col('name', 'VARCHAR'), col('amount', 'INTEGER')];

  it('records the file schema on a first load', () => {
    const r = reconcileSchema(null, [col('a', 'BIGINT')], 'fail');
    expect(r.error).toBeNull();
    expect(r.schema).toEqual([col('a', 'BIGINT')]);
    expect(r.added).toEqual(['a']);
  });

  it('evolve adds new columns at the end, widens compatible types and casts narrower ones', () => {
    const r = reconcileSchema(table, [col('ID', 'INTEGER'), col('name', 'VARCHAR'), col('amount', 'BIGINT'), col('extra', 'DATE')], 'evolve');
    expect(r.error).toBeNull();
    expect(r.schema.map((c) => `${c.name} ${c.type}`)).toEqual(['id BIGINT', 'name VARCHAR', 'amount BIGINT', 'extra DATE']);
    expect(r.casts).toEqual([{ column: 'id', from: 'INTEGER', to: 'BIGINT' }]);
    expect(r.widened).toEqual([{ column: 'amount', from: 'INTEGER', to: 'BIGINT' }]);
    expect(r.added).toEqual(['extra']);
  });

  it('refuses an incompatible type naming the column, the old type and the new one', () => {
    const r = reconcileSchema(table, [col('id', 'VARCHAR'), col('name', 'VARCHAR'), col('amount', 'INTEGER')], 'evolve');
    expect(r.error).toContain('column "id" is BIGINT in the table but VARCHAR in the file');
    expect(r.conflicts).toEqual([expect.objectContaining({ column: 'id', oldType: 'BIGINT', newType: 'VARCHAR' })]);
  });

  it('fail refuses new columns and widenings but accepts narrower values and missing columns', () => {
    expect(reconcileSchema(table, [col('id', 'INTEGER'), col('name', 'VARCHAR')], 'fail')).toMatchObject({ error: null, missing: ['amount'] });
    expect(reconcileSchema(table, [...table, col('x', 'DATE')], 'fail').error).toContain('column "x" (DATE) is new');
    expect(reconcileSchema(table, [col('amount', 'BIGINT')], 'fail').error).toContain('"amount" would widen from INTEGER to BIGINT');
  });

  it('quarantine keeps the schema, leaves new columns out and lists incompatible ones', () => {
    const r = reconcileSchema(table, [col('id', 'VARCHAR'), col('name', 'VARCHAR'), col('amount', 'INTEGER'), col('x', 'DATE')], 'quarantine');
    expect(r.error).toBeNull();
    expect(r.schema).toEqual(table);
    expect(r.quarantined.map((q) => [q.column, q.oldType, q.newType])).toEqual([['id', 'BIGINT', 'VARCHAR']]);
  });

  it('widening rules', () => {
    expect(widensTo('INTEGER', 'DOUBLE')).toBe(true);
    expect(widensTo('BIGINT', 'DOUBLE')).toBe(false); // 64-bit integers do not all fit 53 bits
    expect(widensTo('DATE', 'TIMESTAMP')).toBe(true);
    expect(widensTo('BIGINT', 'VARCHAR')).toBe(false);
    expect(widensTo('DECIMAL(10,2)', 'DECIMAL(12,3)')).toBe(true);
    expect(widensTo('DECIMAL(10,2)', 'DECIMAL(10,3)')).toBe(false);
    expect(widensTo('INTEGER', 'DECIMAL(12,2)')).toBe(true);
    expect(commonSupertype('DECIMAL(10,2)', 'DECIMAL(8,4)')).toBe('DECIMAL(12,4)');
    expect(commonSupertype('VARCHAR', 'BIGINT')).toBeNull();
  });
});
