import { adminApiToken, bearer, createTestDatabase, requireStack, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { buildIfNeeded, distributedEnv, freePort, serviceMain, spawnHost, stopHost, waitReady, type HostProcess } from './host-process';

// Revocation across gateway replicas (distributed mode, Kafka bus): a session ended or a user disabled
// through one gateway is refused by that gateway at once and by another gateway process within 1 s,
// through the auth service's auth.session-revoked / auth.access-changed events on the gateways'
// broadcast subscriptions — not through the long-interval polling fallback, which this test sets to an
// hour so that only the events can explain a refusal.
const stack = requireStack('distributed revocation e2e', ['kafkaBrokers', 'schemaRegistryUrl']);
const main = serviceMain;
const USER = { username: 'replica-user', password: 'Replica-Passw0rd-Long-9' };

(stack ? describe : describe.skip)('revocation on a second gateway process (Kafka bus)', () => {
  let db: TestDatabase;
  const hosts: HostProcess[] = [];
  let gatewayA = '';
  let gatewayB = '';
  let admin = '';

  const call = async (base: string, method: string, p: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const login = async (base: string): Promise<string> => {
    const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  };
  /** Milliseconds from `since` until `base` answers 401 to `token` (polls every 20 ms, gives up after 5 s). */
  const refusedAfter = async (base: string, token: string, since: number): Promise<number> => {
    while (Date.now() - since < 5_000) {
      const r = await call(base, 'GET', '/api/v1/auth/whoami', token);
      if (r.status === 401) return Date.now() - since;
      expect(r.status).toBe(200);
      await new Promise((res) => setTimeout(res, 20));
    }
    return Number.POSITIVE_INFINITY;
  };

  beforeAll(async () => {
    buildIfNeeded();
    db = await createTestDatabase('ff_revoke');
    const common = distributedEnv(db, stack);
    const authPort = await freePort();
    const auth = spawnHost({ ...common, ...testAdminEnv, PORT: String(authPort) }, main('auth'));
    hosts.push(auth);
    await waitReady(`http://127.0.0.1:${authPort}`, auth);
    for (const name of ['A', 'B']) {
      const port = await freePort();
      const gw = spawnHost(
        { ...common, PORT: String(port), FLOWFORGE_AUTH_URL: `http://127.0.0.1:${authPort}`, FLOWFORGE_AUTH_CACHE_SECONDS: '3600' },
        main('gateway'),
      );
      hosts.push(gw);
      await waitReady(`http://127.0.0.1:${port}`, gw);
      if (name === 'A') gatewayA = `http://127.0.0.1:${port}`;
      else gatewayB = `http://127.0.0.1:${port}`;
    }
    admin = await adminApiToken(gatewayA);
    const created = await call(gatewayA, 'POST', '/api/v1/users', admin, { ...USER, roles: ['operator'] });
    expect(created.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    for (const h of hosts.reverse()) await stopHost(h).catch(() => undefined);
    await db?.drop();
  });

  it('a signed-out session is refused by the gateway that signed it out at once and by the other within 1 s', async () => {
    const token = await login(gatewayA);
    // Both replicas accept it first (B has verified and cached it).
    expect((await call(gatewayA, 'GET', '/api/v1/auth/whoami', token)).status).toBe(200);
    expect((await call(gatewayB, 'GET', '/api/v1/auth/whoami', token)).status).toBe(200);

    const t0 = Date.now();
    expect((await call(gatewayA, 'POST', '/api/v1/auth/logout', token)).status).toBe(204);
    expect((await call(gatewayA, 'GET', '/api/v1/auth/whoami', token)).status).toBe(401);
    expect(await refusedAfter(gatewayB, token, t0)).toBeLessThanOrEqual(1_000);
  }, 60_000);

  it('a disabled user is refused by the other gateway within 1 s', async () => {
    const token = await login(gatewayA);
    expect((await call(gatewayB, 'GET', '/api/v1/auth/whoami', token)).status).toBe(200);
    const users = await call(gatewayA, 'GET', '/api/v1/users', admin);
    const user = (users.body as { id: string; username: string }[]).find((u) => u.username === USER.username);
    expect(user).toBeDefined();

    const t0 = Date.now();
    expect((await call(gatewayA, 'PATCH', `/api/v1/users/${user!.id}`, admin, { disabled: true })).status).toBe(200);
    expect((await call(gatewayA, 'GET', '/api/v1/auth/whoami', token)).status).toBe(401);
    expect(await refusedAfter(gatewayB, token, t0)).toBeLessThanOrEqual(1_000);
  }, 60_000);
});
