import { InMemorySchemaRegistry } from './in-memory-schema-registry';
import { describeSchemaRegistryContract } from './testing';

describeSchemaRegistryContract('InMemorySchemaRegistry', async () => ({
  registry: new InMemorySchemaRegistry(),
  cleanup: async () => undefined,
}));

describe('InMemorySchemaRegistry', () => {
  it('keeps its own copy of a registered schema', async () => {
    const registry = new InMemorySchemaRegistry();
    const schema: Record<string, unknown> = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] };
    const id = await registry.register('a-value', schema);
    (schema.fields as unknown[]).push({ name: 'y', type: 'int' });
    expect(((await registry.getById(id)).fields as unknown[]).length).toBe(1);
  });
});
