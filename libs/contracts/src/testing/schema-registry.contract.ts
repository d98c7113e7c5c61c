import { randomBytes } from 'node:crypto';
import { SchemaIncompatibleError, SchemaInvalidError, SchemaNotFoundError, type SchemaRegistry } from '../schema-registry.port';

export interface SchemaRegistryUnderTest {
  registry: SchemaRegistry;
  cleanup(): Promise<void>;
}

const v1 = (): Record<string, unknown> => ({
  type: 'record',
  name: 'Probe',
  namespace: 'io.flowforge.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'rowCount', type: 'long' },
  ],
});

const withField = (field: Record<string, unknown>): Record<string, unknown> => {
  const s = v1();
  return { ...s, fields: [...(s.fields as unknown[]), field] };
};

/**
 * The promises every SchemaRegistry adapter keeps (Kestra's JdbcQueueTest pattern): call it once
 * per adapter. Subjects are unique per test, so the adapter may share state across tests.
 */
export function describeSchemaRegistryContract(name: string, makeRegistry: () => Promise<SchemaRegistryUnderTest>): void {
  describe(`SchemaRegistry contract: ${name}`, () => {
    let registry: SchemaRegistry;
    let cleanup: () => Promise<void>;
    let subject: string;

    beforeEach(async () => {
      ({ registry, cleanup } = await makeRegistry());
      subject = `contract.${randomBytes(6).toString('hex')}-value`;
    });
    afterEach(async () => {
      await cleanup();
    });

    it('returns a positive id and serves the schema back by that id', async () => {
      const id = await registry.register(subject, v1());
      expect(Number.isInteger(id) && id > 0).toBe(true);
      expect(await registry.getById(id)).toEqual(v1());
      expect(await registry.getLatest(subject)).toEqual({ id, subject, version: 1, schema: v1() });
    });

    it('returns the same id for the same schema registered twice, without a new version', async () => {
      const first = await registry.register(subject, v1());
      const second = await registry.register(subject, v1());
      expect(second).toBe(first);
      expect((await registry.getLatest(subject))?.version).toBe(1);
    });

    it('gives one global id to the same schema under two subjects', async () => {
      const other = `${subject}-other`;
      const a = await registry.register(subject, v1());
      const b = await registry.register(other, v1());
      expect(b).toBe(a);
      expect(await registry.getLatest(other)).toMatchObject({ id: a, version: 1 });
    });

    it('increases versions and accepts a field added with a default', async () => {
      const evolved = withField({ name: 'note', type: ['null', 'string'], default: null });
      const id1 = await registry.register(subject, v1());
      expect(await registry.checkCompatibility(subject, evolved)).toBeNull();
      const id2 = await registry.register(subject, evolved);
      expect(id2).not.toBe(id1);
      expect(await registry.getLatest(subject)).toEqual({ id: id2, subject, version: 2, schema: evolved });
      // Re-registering an older version finds it instead of appending a third version.
      expect(await registry.register(subject, v1())).toBe(id1);
      expect((await registry.getLatest(subject))?.version).toBe(2);
    });

    it('refuses a field added without a default, naming the field', async () => {
      await registry.register(subject, v1());
      const bad = withField({ name: 'params', type: { type: 'map', values: 'string' } });
      expect(await registry.checkCompatibility(subject, bad)).toBe('field "params" was added without a default');
      const err = await registry.register(subject, bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaIncompatibleError);
      expect((err as SchemaIncompatibleError).code).toBe('FF_SCHEMA_INCOMPATIBLE');
      expect((err as Error).message).toContain('field "params" was added without a default');
      expect((await registry.getLatest(subject))?.version).toBe(1);
    });

    it('refuses a changed field type, naming the field and both types', async () => {
      await registry.register(subject, v1());
      const s = v1();
      const bad = {
        ...s,
        fields: [
          { name: 'id', type: 'string' },
          { name: 'rowCount', type: 'string' },
        ],
      };
      await expect(registry.register(subject, bad)).rejects.toThrow('field "rowCount" changed type from long to string');
    });

    it('refuses a schema that is not valid Avro', async () => {
      await expect(registry.register(subject, { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] })).rejects.toBeInstanceOf(SchemaInvalidError);
    });

    it('throws SchemaNotFoundError for an unknown id and returns null for an unknown subject', async () => {
      const err = await registry.getById(2_000_000_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaNotFoundError);
      expect((err as SchemaNotFoundError).code).toBe('FF_SCHEMA_NOT_FOUND');
      expect(await registry.getLatest(`${subject}-missing`)).toBeNull();
    });

    it('gives concurrent registrations of the same schema one id and one version', async () => {
      const schema = withField({ name: 'c', type: 'int', default: 0 });
      const ids = await Promise.all(Array.from({ length: 12 }, () => registry.register(subject, schema)));
      expect(new Set(ids).size).toBe(1);
      expect(await registry.getLatest(subject)).toMatchObject({ id: ids[0], version: 1 });
    });

    it('gives concurrent registrations under different subjects one global id', async () => {
      const schema = withField({ name: 'd', type: 'double', default: 0 });
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => registry.register(`${subject}-${i}`, schema)));
      expect(new Set(ids).size).toBe(1);
    });
  });
}
