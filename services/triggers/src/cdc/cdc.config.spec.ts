import { fieldErrorsOf } from '@flowforge/service-kit';
import { z } from 'zod';
import { cdcConfigSchema } from './cdc.config';

const errors = (input: unknown) => {
  const r = cdcConfigSchema.safeParse(input);
  return r.success ? [] : fieldErrorsOf(r.error, 'config');
};

describe('cdc trigger config', () => {
  it('fills the defaults: every operation, a 1 s window, 10 changes in full', () => {
    expect(cdcConfigSchema.parse({ connection: 'shop', tables: ['public.orders'] })).toEqual({
      connection: 'shop',
      tables: ['public.orders'],
      operations: ['insert', 'update', 'delete'],
      windowMs: 1000,
      maxChanges: 10,
    });
  });

  it('accepts a condition of each kind', () => {
    for (const condition of [
      { column: 'status', op: 'eq', value: 'paid' },
      { column: 'amount', op: 'gt', value: 100 },
      { column: 'deleted', op: 'ne', value: null },
      { column: 'region', op: 'in', value: ['eu', 'us'] },
      { column: 'status', op: 'changed' },
    ]) {
      expect(errors({ connection: 'c', tables: ['s.t'], condition })).toEqual([]);
    }
  });

  it('names every bad field', () => {
    expect(errors({})).toEqual([
      { field: 'config.connection', message: 'is required' },
      { field: 'config.tables', message: 'is required' },
    ]);
    expect(
      errors({
        connection: '',
        tables: ['orders', 'public.orders;drop', 'a.b', 'a.b'],
        operations: ['insert', 'truncate'],
        windowMs: 5,
        maxChanges: 1000,
        keyColumns: [],
        extra: 1,
      }),
    ).toEqual([
      { field: 'config.connection', message: 'must be a catalog connection name' },
      { field: 'config.tables[0]', message: 'must be schema.table (letters, digits and _; for MariaDB database.table)' },
      { field: 'config.tables[1]', message: 'must be schema.table (letters, digits and _; for MariaDB database.table)' },
      { field: 'config.tables', message: 'must not list a table twice' },
      { field: 'config.operations[1]', message: 'must be "insert", "update" or "delete"' },
      { field: 'config.windowMs', message: 'must be at least 10' },
      { field: 'config.keyColumns', message: 'must list at least one column' },
      { field: 'config.maxChanges', message: 'must be at most 100' },
      { field: 'config.extra', message: 'is not a known field' },
    ]);
    expect(errors({ connection: 'c', tables: ['a.b', 'a.b'] })).toEqual([{ field: 'config.tables', message: 'must not list a table twice' }]);
    expect(errors({ connection: 'c', tables: ['a.b'], windowMs: 60_001 })).toEqual([{ field: 'config.windowMs', message: 'must be at most 60000' }]);
  });

  it('refuses a condition whose value does not fit its op', () => {
    expect(errors({ connection: 'c', tables: ['s.t'], condition: { column: 'x', op: 'changed', value: 1 } })).toEqual([
      { field: 'config.condition.value', message: 'must be absent for "changed"' },
    ]);
    expect(errors({ connection: 'c', tables: ['s.t'], condition: { column: 'x', op: 'in', value: 1 } })).toEqual([
      { field: 'config.condition.value', message: 'must be a list of values for "in"' },
    ]);
    expect(errors({ connection: 'c', tables: ['s.t'], condition: { column: 'x', op: 'eq' } })).toEqual([
      { field: 'config.condition.value', message: 'must be one string, number, boolean or null for "eq"' },
    ]);
    expect(errors({ connection: 'c', tables: ['s.t'], condition: { column: 'x y', op: 'like', value: 'a' } })).toEqual([
      { field: 'config.condition.column', message: 'must be a column name (letters, digits and _, at most 63)' },
      { field: 'config.condition.op', message: 'must be one of "eq", "ne", "gt", "lt", "in", "changed"' },
    ]);
    expect(errors({ connection: 'c', tables: ['s.t'], condition: { column: 'x', op: 'in', value: Array.from({ length: 101 }, (_, i) => i) } })).toEqual([
      { field: 'config.condition.value', message: 'must list at most 100 values' },
    ]);
    expect(errors({ connection: 'c', tables: ['s.t'], condition: { column: 'x', op: 'eq', value: { a: 1 } } })).toEqual([
      { field: 'config.condition.value', message: 'must be a string, number, boolean or null, or a list of them for "in"' },
    ]);
  });
});

describe('cdc trigger config in the OpenAPI document', () => {
  it('converts to JSON Schema (the document is generated from the schema that validates)', () => {
    const schema = z.toJSONSchema(cdcConfigSchema, { io: 'input' }) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(['connection', 'tables', 'operations', 'condition', 'windowMs', 'keyColumns', 'maxChanges']);
    expect(schema.required).toEqual(['connection', 'tables']);
  });
});
