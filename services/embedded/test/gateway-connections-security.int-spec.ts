import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

/**
 * Who may let a connection reach private networks, end to end through the gateway: the gateway forwards
 * the caller's permissions (a role's, or an API token's scopes) and the catalog refuses
 * `allowPrivateNetworks` to anyone without settings:configure-system, naming the field.
 */
describe('gateway → catalog: allowPrivateNetworks is an administrator decision', () => {
  let host: AuthHost;
  let admin: string;

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_gwconnsec'));
    admin = await host.adminToken();
  });

  afterAll(async () => {
    await host?.stop();
  });

  const loopbackPg = (name: string, allowPrivateNetworks?: boolean) => ({
    name,
    type: 'postgres',
    config: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', ...(allowPrivateNetworks === undefined ? {} : { allowPrivateNetworks }) },
  });

  it('an admin may set it; a connection manager role and an admin API token scoped below configure-system may not', async () => {
    const ok = await host.call<{ id: string; config: Record<string, unknown> }>('POST', '/api/v1/connections', {
      token: admin,
      body: loopbackPg('admin-allowed', true),
    });
    expect(ok).toMatchObject({ status: 201, body: { config: { allowPrivateNetworks: true } } });

    expect(
      (
        await host.call('PUT', '/api/v1/roles/connection-keeper', {
          token: admin,
          body: { description: 'connections only', permissions: ['connection:view', 'connection:use', 'settings:manage-connections'] },
        })
      ).status,
    ).toBeLessThan(300);
    const keeper = await host.userWith(['connection-keeper']);
    const scoped = await host.call<{ token: string }>('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'conn-only', permissions: ['connection:view', 'connection:use', 'settings:manage-connections'], expiresInDays: 1 },
    });
    expect(scoped.status).toBe(201);

    for (const [who, token] of [
      ['custom role', keeper.token],
      ['scoped admin token', scoped.body.token],
    ] as const) {
      const refused = await host.call<Problem>('POST', '/api/v1/connections', { token, body: loopbackPg(`refused-${who.replace(/ /g, '-')}`, true) });
      expect({ who, status: refused.status, code: refused.body.code, fields: refused.body.errors?.map((e) => e.field) }).toEqual({
        who,
        status: 403,
        code: 'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY',
        fields: ['config.allowPrivateNetworks'],
      });
      const moved = await host.call<Problem>('PATCH', `/api/v1/connections/${ok.body.id}`, { token, body: { config: { host: '169.254.169.254' } } });
      expect({ who, status: moved.status, code: moved.body.code }).toEqual({ who, status: 403, code: 'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY' });

      // Without the flag they may create it; its test is refused before connecting.
      const plain = await host.call<{ id: string }>('POST', '/api/v1/connections', { token, body: loopbackPg(`plain-${who.replace(/ /g, '-')}`) });
      expect(plain.status).toBe(201);
      const tested = await host.call<{ ok: boolean; code: string }>('POST', `/api/v1/connections/${plain.body.id}/test`, { token });
      expect(tested.body).toMatchObject({ ok: false, code: 'FF_CONN_FORBIDDEN_ADDRESS' });
    }
    // The administrator's connection still reaches the stack's PostgreSQL.
    expect((await host.call<{ code?: string }>('POST', `/api/v1/connections/${ok.body.id}/test`, { token: admin })).body.code).not.toBe(
      'FF_CONN_FORBIDDEN_ADDRESS',
    );
  });
});
