import { adminApiToken, createTestDatabase, requireStack, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { buildIfNeeded, distributedEnv, freePort, serviceMain, spawnHost, stopHost, waitFor, waitReady, type HostProcess } from './host-process';
import { PublicApi } from './public-api';

// Distributed mode: gateway, auth and orchestrator as separate processes on the real Kafka broker and
// Confluent-compatible registry from scripts/stack (FLOWFORGE_BUS=kafka). The same echo round trip
// as the embedded test: REST → gateway outbox → relay → Kafka → orchestrator inbox → internal HTTP;
// the gateway checks the caller's token with the auth service (FLOWFORGE_AUTH_URL).
const stack = requireStack('distributed echo e2e', ['kafkaBrokers', 'schemaRegistryUrl']);
const main = serviceMain;

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

  it('handles an echo once, through Kafka, across separate processes', async () => {
    // The gateway reads the echo receipt from the orchestrator's internal API and checks tokens with the
    // auth service's: all three hold one internal token.
    const common = distributedEnv(db, stack);
    const orchestratorPort = await freePort();
    const authPort = await freePort();
    const gatewayPort = await freePort();
    const orchestrator = spawnHost({ ...common, PORT: String(orchestratorPort) }, main('orchestrator'));
    hosts.push(orchestrator);
    const auth = spawnHost({ ...common, ...testAdminEnv, PORT: String(authPort) }, main('auth'));
    hosts.push(auth);
    const gateway = spawnHost(
      {
        ...common,
        PORT: String(gatewayPort),
        FLOWFORGE_ORCHESTRATOR_URL: `http://127.0.0.1:${orchestratorPort}`,
        FLOWFORGE_AUTH_URL: `http://127.0.0.1:${authPort}`,
      },
      main('gateway'),
    );
    hosts.push(gateway);
    await waitReady(`http://127.0.0.1:${orchestratorPort}`, orchestrator);
    await waitReady(`http://127.0.0.1:${authPort}`, auth);
    const api = new PublicApi(`http://127.0.0.1:${gatewayPort}`, gateway);
    await waitReady(api.base, gateway);
    api.token = await adminApiToken(api.base);

    const res = await api.call<{ id: string }>('POST', '/api/v1/system/echo', { message: 'over kafka' });
    expect(res.status).toBe(202);
    const { id } = res.body;

    const handled = await waitFor(
      `echo ${id} handled over Kafka`,
      async () => {
        const r = await api.call<{ message: string; handledCount: number }>('GET', `/api/v1/system/echo/${id}`);
        return r.status === 200 ? r.body : undefined;
      },
      60_000,
      gateway,
    );
    expect(handled).toEqual(expect.objectContaining({ message: 'over kafka', handledCount: 1 }));
  }, 120_000);
});
