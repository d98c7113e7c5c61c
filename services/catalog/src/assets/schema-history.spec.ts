import { diffSchemas, isSchemaChange } from './schema-history';

const col = (name: string, type = 'BIGINT', nullable = true) => ({ name, type, nullable });

describe('schema history diff', () => {
  it('the first schema adds every column', () => {
    expect(diffSchemas(null, [col('a'), col('b')])).toEqual({ added: ['a', 'b'], removed: [], changed: [], reordered: false });
  });

  it('names added, removed and retyped columns, and a reorder', () => {
    const d = diffSchemas([col('a'), col('b'), col('c', 'VARCHAR')], [col('c', 'VARCHAR', false), col('a', 'DOUBLE'), col('d')]);
    expect(d).toEqual({
      added: ['d'],
      removed: ['b'],
      changed: [
        { name: 'c', from: 'VARCHAR', to: 'VARCHAR NOT NULL' },
        { name: 'a', from: 'BIGINT', to: 'DOUBLE' },
      ],
      reordered: true,
    });
    expect(isSchemaChange(d)).toBe(true);
  });

  it('an identical schema is no change', () => {
    expect(isSchemaChange(diffSchemas([col('a'), col('b')], [col('a'), col('b')]))).toBe(false);
  });
});
