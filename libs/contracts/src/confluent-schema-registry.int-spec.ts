import net from 'node:net';
import { requireStack } from '@flowforge/testing';
import { ConfluentSchemaRegistry, SchemaRegistryUnavailableError } from './confluent-schema-registry';
import { describeSchemaRegistryContract } from './testing';

// The same contract as the Postgres-table registry, against the real registry `scripts/stack` starts
// (Apicurio Registry 3, Confluent-compatible API). Subjects are random per test: the server is shared.
const stack = requireStack('Confluent-compatible schema registry contract', ['schemaRegistryUrl']);
if (stack?.schemaRegistryUrl) {
  const url = stack.schemaRegistryUrl;
  describeSchemaRegistryContract('ConfluentSchemaRegistry (real registry)', async () => ({
    registry: new ConfluentSchemaRegistry({ url }),
    cleanup: async () => undefined,
  }));
} else {
  describe.skip('ConfluentSchemaRegistry (real registry): no registry (FLOWFORGE_TEST_SCHEMA_REGISTRY_URL)', () => undefined);
}

describe('ConfluentSchemaRegistry with the registry down', () => {
  it('fails fast with an error naming the registry URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
    const registry = new ConfluentSchemaRegistry({ url, timeoutMs: 1_000 });
    await expect(registry.getLatest('any-value')).rejects.toThrow(SchemaRegistryUnavailableError);
    await expect(registry.getById(1)).rejects.toThrow(url);
  });
});
