import path from 'node:path';
import { generateInternalToken } from '@flowforge/service-kit';
import { createTestDatabase, requireStack, type TestDatabase } from '@flowforge/testing';
import { buildIfNeeded, freePort, repoRoot, spawnHost, stopHost, waitFor, waitReady, type HostProcess } from './host-process';

// Distributed mode: gateway and orchestrator as separate processes on the real Kafka broker and
// Confluent-compatible registry from scripts/stack (FLOWFORGE_BUS=kafka). The same echo round trip
// as the embedded test: REST → gateway outbox → relay → Kafka → orchestrator inbox → internal HTTP.
const stack = requireStack('distributed echo e2e', ['kafkaBrokers', 'schemaRegistryUrl']);
const main = (service: string): string => path.join(repoRoot, `dist/services/${service}/src/main.js`);

(stack ? describe : describe.skip)('distributed mode (one process per service, Kafka bus)', () => {
  let db: TestDatabase;
  const hosts: HostProcess[] = [];

  beforeAll(async () => {
    buildIfNeeded();
    db = await createTestDatabase('ff_dist');
  }, 120_000);

  afterAll(async () => {
    for (const h of hosts) await stopHost(h);
    await db?.drop();
  });

  it('handles an echo once, through Kafka, across two processes', async () => {
    const common = {
      DATABASE_URL: db.url,
      FLOWFORGE_BUS: 'kafka',
      FLOWFORGE_KAFKA_BROKERS: (stack?.kafkaBrokers ?? []).join(','),
      FLOWFORGE_SCHEMA_REGISTRY_URL: stack?.schemaRegistryUrl ?? '',
      // The gateway reads the echo receipt from the orchestrator's internal API: both hold one token.
      FLOWFORGE_INTERNAL_TOKEN: generateInternalToken(),
    };
    const orchestratorPort = await freePort();
    const gatewayPort = await freePort();
    const orchestrator = spawnHost({ ...common, PORT: String(orchestratorPort) }, main('orchestrator'));
    hosts.push(orchestrator);
    const gateway = spawnHost(
      { ...common, PORT: String(gatewayPort), FLOWFORGE_ORCHESTRATOR_URL: `http://127.0.0.1:${orchestratorPort}` },
      main('gateway'),
    );
    hosts.push(gateway);
    await waitReady(`http://127.0.0.1:${orchestratorPort}`, orchestrator);
    const base = `http://127.0.0.1:${gatewayPort}`;
    await waitReady(base, gateway);

    const res = await fetch(`${base}/api/v1/system/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'over kafka' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const handled = await waitFor(
      `echo ${id} handled over Kafka`,
      async () => {
        const r = await fetch(`${base}/api/v1/system/echo/${id}`);
        return r.status === 200 ? ((await r.json()) as { message: string; handledCount: number }) : undefined;
      },
      60_000,
      gateway,
    );
    expect(handled).toEqual(expect.objectContaining({ message: 'over kafka', handledCount: 1 }));
  }, 120_000);
});
