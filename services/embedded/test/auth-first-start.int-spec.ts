import { BootstrapAdmin } from '@flowforge/service-auth';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost, type TokenPair } from './auth-host';

/**
 * The embedded default is locked down without Keycloak: the first start creates `admin` with a
 * generated one-time password printed once on the terminal (never logged, never stored in clear), and
 * that account can do nothing but change its password until it has.
 */
describe('first start without FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD', () => {
  let host: AuthHost;
  let printed = '';

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed += chunk.toString();
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    try {
      host = await startAuthHost(() => createTestDatabase('ff_authfirst'), { FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD: '', FLOWFORGE_AUTH_IP_FAILURE_LIMIT: '8' });
    } finally {
      spy.mockRestore();
    }
  });
  afterAll(async () => host?.stop());

  it('prints the one-time password once; it signs in, and allows nothing but a password change', async () => {
    const m = /sign in as "admin" with the one-time password\s+(\S+)/.exec(printed);
    expect(m).not.toBeNull();
    const oneTime = m![1]!;
    const session = await host.login('admin', oneTime);
    expect(session.user).toMatchObject({ username: 'admin', roles: ['admin'], mustChangePassword: true });

    const blocked = await host.call<{ code: string }>('GET', '/api/v1/workflows', { token: session.accessToken });
    expect({ status: blocked.status, code: blocked.body.code }).toEqual({ status: 403, code: 'FF_AUTH_PASSWORD_CHANGE_REQUIRED' });
    expect((await host.call('GET', '/api/v1/auth/whoami', { token: session.accessToken })).status).toBe(200);

    const next = 'Chosen-By-The-Owner-42';
    expect(
      (await host.call('POST', '/api/v1/auth/password', { token: session.accessToken, body: { currentPassword: oneTime, newPassword: next } })).status,
    ).toBe(204);
    const refreshed = await host.call<TokenPair>('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await host.call('GET', '/api/v1/workflows', { token: refreshed.body.accessToken })).status).toBe(200);
    expect((await host.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: oneTime } })).status).toBe(401);

    // Never in the logs, the audit log or the database in clear.
    expect(host.logs.join('\n')).not.toContain(oneTime);
    const audit = await host.call('GET', '/api/v1/audit/export?format=json', { token: refreshed.body.accessToken });
    expect(audit.status).toBe(200);
    expect(audit.text).not.toContain(oneTime);
    const { rows } = await host.pool.query<{ row: string }>(`SELECT row_to_json(u)::text AS row FROM ff_auth.users u`);
    expect(rows.map((r) => r.row).join('\n')).not.toContain(oneTime);
  });

  it('prints nothing on the next start (the admin exists)', async () => {
    let again = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      again += chunk.toString();
      return true;
    });
    try {
      await host.app.get(BootstrapAdmin).onApplicationBootstrap();
    } finally {
      spy.mockRestore();
    }
    expect(again).not.toMatch(/one-time password/);
    const { rows } = await host.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_auth.users`);
    expect(rows[0]!.n).toBe(1);
  });

  // Last: it locks this test's client address.
  it('refuses a client address that sprays failed logins over many names (8 here), whatever the name', async () => {
    // The first test's refused login with the old password was this address's first failure: 7 more lock it.
    for (let i = 0; i < 7; i++) {
      const res = await host.call<{ code: string }>('POST', '/api/v1/auth/login', { body: { username: `spray-${i}`, password: 'Winter2026!' } });
      expect({ i, code: res.body.code }).toEqual({ i, code: 'FF_AUTH_INVALID_CREDENTIALS' });
    }
    const res = await host.call<{ code: string }>('POST', '/api/v1/auth/login', { body: { username: 'spray-fresh-name', password: 'Winter2026!' } });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 429, code: 'FF_AUTH_LOCKED' });
  });
});
