import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { Pool } from 'pg';
import { PostgresSchemaRegistry } from './postgres-schema-registry';
import { describeSchemaRegistryContract } from './testing';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('ff_registry');
  const pool = new Pool({ connectionString: db.url, max: 4 });
  try {
    // Several processes booting at once all migrate: the advisory lock must make that safe.
    await Promise.all(Array.from({ length: 4 }, () => new PostgresSchemaRegistry(pool).migrate()));
  } finally {
    await pool.end();
  }
});

afterAll(async () => {
  await db.drop();
});

describeSchemaRegistryContract('PostgresSchemaRegistry', async () => {
  const pool = new Pool({ connectionString: db.url, max: 8 });
  const registry = new PostgresSchemaRegistry(pool);
  await registry.migrate();
  return { registry, cleanup: () => pool.end() };
});

describe('PostgresSchemaRegistry across processes', () => {
  it('gives two registries on separate pools one id and one version for the same schema', async () => {
    const pools = [new Pool({ connectionString: db.url, max: 4 }), new Pool({ connectionString: db.url, max: 4 })];
    try {
      const registries = pools.map((p) => new PostgresSchemaRegistry({ pool: p }));
      const schema = { type: 'record', name: 'Race', fields: [{ name: 'x', type: 'int' }] };
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => registries[i % 2].register('race-value', schema)));
      expect(new Set(ids).size).toBe(1);
      const { rows } = await pools[0].query('SELECT count(*)::int AS n FROM ff_registry.subject_versions WHERE subject = $1', ['race-value']);
      expect(rows[0].n).toBe(1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('keeps the version history when two different compatible schemas race for the next version', async () => {
    const pool = new Pool({ connectionString: db.url, max: 6 });
    try {
      const registry = new PostgresSchemaRegistry(pool);
      const base = { type: 'record', name: 'Evolve', fields: [{ name: 'x', type: 'int' }] };
      await registry.register('evolve-value', base);
      const variants = ['a', 'b', 'c'].map((f) => ({ ...base, fields: [...base.fields, { name: f, type: 'int', default: 0 }] }));
      const results = await Promise.allSettled(variants.map((v) => registry.register('evolve-value', v)));
      const accepted = results.filter((r) => r.status === 'fulfilled');
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      const { rows } = await pool.query<{ version: number }>('SELECT version FROM ff_registry.subject_versions WHERE subject = $1 ORDER BY version', [
        'evolve-value',
      ]);
      // Versions stay dense (1..n) whatever the interleaving: no lost or duplicated version.
      expect(rows.map((r) => r.version)).toEqual(Array.from({ length: accepted.length + 1 }, (_, i) => i + 1));
    } finally {
      await pool.end();
    }
  });
});
