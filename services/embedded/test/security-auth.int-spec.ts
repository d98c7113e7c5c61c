import { actorHeaders } from '@flowforge/access';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost, type TokenPair } from './auth-host';

type Problem = { code?: string; detail?: string };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The security issue's items 1, 2 and 5 replayed against the real gateway + auth service: a scoped API
 * token taking over its owner's account, a user manager making itself admin, and credentials that kept
 * working after their user was deleted or disabled or their session ended by refresh-token reuse.
 * Each attack is refused, and a control made the same way but within the rules succeeds, so each refusal
 * is the check it claims. The gateway's periodic resync is set to 10 minutes here: what is refused at once
 * is refused by the change itself (applied before the answer, or heard on the bus), not by a poll.
 */
describe('security: token scopes, privilege escalation, immediate revocation', () => {
  let host: AuthHost;
  let admin: string;

  const code = (res: { status: number; body: unknown }) => ({ status: res.status, code: (res.body as Problem).code });

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_secauth'), { FLOWFORGE_AUTH_CACHE_SECONDS: '600' });
    admin = await host.adminToken();
  });

  afterAll(async () => host?.stop());

  describe('API tokens are bounded by their scopes everywhere', () => {
    it("a workflow:view token cannot mint a wide token, touch its owner's sessions or MFA, or create a user", async () => {
      const owner = await host.userWith(['admin']);
      const created = await host.call<{ id: string; token: string }>('POST', '/api/v1/tokens', {
        token: owner.token,
        body: { name: 'ci-view', permissions: ['workflow:view'], expiresInDays: 1 },
      });
      expect(created.status).toBe(201);
      const token = created.body.token;

      // The attack of the issue, step by step.
      const wide = await host.call<Problem>('POST', '/api/v1/tokens', {
        token,
        body: { name: 'escalate', permissions: ['settings:manage-users', 'settings:configure-system', 'audit:export'] },
      });
      expect(code(wide)).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      expect(wide.body.detail).toMatch(/interactive sign-in/);
      const sessions = await host.call<Problem>('GET', '/api/v1/auth/sessions', { token });
      expect(code(sessions)).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      const endSession = await host.call('DELETE', `/api/v1/auth/sessions/${owner.session.sessionId}`, { token });
      expect(code(endSession)).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      const totp = await host.call('POST', '/api/v1/auth/mfa/totp', { token });
      expect(code(totp)).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      const confirm = await host.call('POST', '/api/v1/auth/mfa/totp/confirm', { token, body: { code: '123456' } });
      expect(code(confirm)).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      const password = await host.call('POST', '/api/v1/auth/password', {
        token,
        body: { currentPassword: owner.password, newPassword: 'Another-Strong-Pw-77' },
      });
      expect(code(password)).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      expect(code(await host.call('GET', '/api/v1/auth/me', { token }))).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      expect(code(await host.call('GET', '/api/v1/tokens', { token }))).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      expect(code(await host.call('DELETE', `/api/v1/tokens/${created.body.id}`, { token }))).toEqual({ status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      const user = await host.call('POST', '/api/v1/users', {
        token,
        body: { username: 'token-made-admin', password: 'Token-Made-Admin-Pw9', roles: ['admin'] },
      });
      expect(code(user)).toEqual({ status: 403, code: 'FF_FORBIDDEN' });

      // Nothing happened: one token, the owner's session alive, no MFA, no new user.
      const tokens = await host.call<{ id: string }[]>('GET', '/api/v1/tokens', { token: owner.token });
      expect(tokens.body.map((t) => t.id)).toEqual([created.body.id]);
      const profile = await host.call<{ mfaEnabled: boolean }>('GET', '/api/v1/auth/me', { token: owner.token });
      expect(profile).toMatchObject({ status: 200, body: { mfaEnabled: false } });
      expect((await host.login(owner.username, owner.password)).accessToken).toBeTruthy();
      const users = await host.call<{ username: string }[]>('GET', '/api/v1/users', { token: admin });
      expect(users.body.map((u) => u.username)).not.toContain('token-made-admin');
      // The refusals are in the audit log as denials by the token (the entries arrive through the bus).
      const deadline = Date.now() + 5000;
      let denials = 0;
      while (denials < 10 && Date.now() < deadline) {
        const denied = await host.call<{ items: unknown[] }>('GET', `/api/v1/audit/entries?actor=${created.body.id}&outcome=denied`, { token: admin });
        denials = denied.body.items.length;
        if (denials < 10) await wait(100);
      }
      expect(denials).toBeGreaterThanOrEqual(10);

      // Control: within its scope the token works, and says what it is.
      expect((await host.call('GET', '/api/v1/workflows', { token })).status).toBe(200);
      const whoami = await host.call<{ type: string; permissions: string[] }>('GET', '/api/v1/auth/whoami', { token });
      expect(whoami.body).toMatchObject({ type: 'token', permissions: ['workflow:view'] });
    });

    it('a token scoped to settings:manage-users creates users, but grants no role beyond its scopes', async () => {
      const owner = await host.userWith(['admin']);
      const created = await host.call<{ token: string }>('POST', '/api/v1/tokens', {
        token: owner.token,
        body: { name: 'provisioner', permissions: ['settings:manage-users'], expiresInDays: 1 },
      });
      expect(created.status).toBe(201);
      const token = created.body.token;
      const analyst = await host.call('POST', '/api/v1/users', {
        token,
        body: { username: `prov-none-${Date.now()}`, password: 'Provisioned-User-Pw9', roles: [] },
      });
      expect(analyst.status).toBe(201);
      // The token holds settings:manage-users only: an admin user is a grant of everything else.
      const adminUser = await host.call<Problem>('POST', '/api/v1/users', {
        token,
        body: { username: `prov-admin-${Date.now()}`, password: 'Provisioned-User-Pw9', roles: ['admin'] },
      });
      expect(code(adminUser)).toEqual({ status: 403, code: 'FF_GRANT_NOT_HELD' });
      expect(adminUser.body.detail).toMatch(/role "admin".*settings:configure-system/);
    });

    it("the auth service refuses a token acting on its owner's account even when a caller forwards one", async () => {
      const owner = await host.userWith(['developer']);
      const actor = {
        type: 'token' as const,
        id: 'b1d5f7a4-1111-4c7e-9d0a-000000000001',
        name: 'forwarded',
        userId: owner.id,
        sessionId: null,
        ip: null,
        userAgent: null,
        permissions: ['workflow:view' as const],
      };
      const headers = { ...host.runtime.internalHeaders(), ...actorHeaders(actor), 'content-type': 'application/json' };
      for (const [method, path, body] of [
        ['POST', '/internal/auth/tokens', { name: 'wide', permissions: ['workflow:view'] }],
        ['GET', '/internal/auth/me/sessions', undefined],
        ['POST', '/internal/auth/me/mfa/totp', undefined],
      ] as const) {
        const res = await fetch(`${host.base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
        expect({ path, status: res.status, code: ((await res.json()) as Problem).code }).toEqual({ path, status: 403, code: 'FF_AUTH_INTERACTIVE_REQUIRED' });
      }
    });

    it('a token is never wider than the credential that asks for it, even an access token issued before a demotion', async () => {
      const user = await host.userWith(['admin']);
      // Demoted to analyst: the access token still carries `roles: [admin]` until it expires.
      expect((await host.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { roles: ['analyst'] } })).status).toBe(200);
      const stale = await host.call<Problem>('POST', '/api/v1/tokens', {
        token: user.token,
        body: { name: 'keep-admin', permissions: ['settings:manage-users'] },
      });
      expect(code(stale)).toEqual({ status: 400, code: 'FF_TOKEN_SCOPE_EXCEEDS_OWNER' });
      expect(stale.body.detail).toContain('settings:manage-users');
      const within = await host.call('POST', '/api/v1/tokens', { token: user.token, body: { name: 'view', permissions: ['workflow:view'] } });
      expect(within.status).toBe(201);
    });
  });

  describe('no one grants what they do not hold', () => {
    let manager: Awaited<ReturnType<AuthHost['userWith']>>;

    beforeAll(async () => {
      expect(
        (await host.call('PUT', '/api/v1/roles/user-manager', { token: admin, body: { description: 'users only', permissions: ['settings:manage-users'] } }))
          .status,
      ).toBe(201);
      manager = await host.userWith(['user-manager']);
    });

    it('refuses making oneself admin, and the master key stays out of reach', async () => {
      const self = await host.call<Problem>('PATCH', `/api/v1/users/${manager.id}`, { token: manager.token, body: { roles: ['admin'] } });
      expect(code(self)).toEqual({ status: 403, code: 'FF_USER_SELF_ROLES' });
      expect(self.body.detail).toContain('+admin');
      const after = await host.call<{ roles: string[] }>('GET', `/api/v1/users/${manager.id}`, { token: admin });
      expect(after.body.roles).toEqual(['user-manager']);
      // A fresh sign-in carries the same roles: nothing was granted.
      const again = await host.login(manager.username, manager.password);
      expect(again.user.roles).toEqual(['user-manager']);
      const rotate = await host.call<Problem>('POST', '/api/v1/system/secrets/rotate', { token: again.accessToken });
      expect(code(rotate)).toEqual({ status: 403, code: 'FF_FORBIDDEN' });
      expect(code(await host.call('POST', '/api/v1/auth/keys/rotate', { token: again.accessToken }))).toEqual({ status: 403, code: 'FF_FORBIDDEN' });
    });

    it('refuses a custom role with permissions the caller lacks, and growing one', async () => {
      const wider = await host.call<Problem>('PUT', '/api/v1/roles/escalator', {
        token: manager.token,
        body: { permissions: ['settings:manage-users', 'settings:configure-system', 'audit:export'] },
      });
      expect(code(wider)).toEqual({ status: 403, code: 'FF_GRANT_NOT_HELD' });
      expect(wider.body.detail).toMatch(/settings:configure-system, audit:export/);
      const roles = await host.call<{ name: string }[]>('GET', '/api/v1/roles', { token: admin });
      expect(roles.body.map((r) => r.name)).not.toContain('escalator');
      const grow = await host.call<Problem>('PUT', '/api/v1/roles/user-manager', {
        token: manager.token,
        body: { permissions: ['settings:manage-users', 'audit:view'] },
      });
      expect(code(grow)).toEqual({ status: 403, code: 'FF_GRANT_NOT_HELD' });
      expect(grow.body.detail).toContain('audit:view');
      // Control: a role within what the caller holds is fine.
      expect((await host.call('PUT', '/api/v1/roles/helpdesk', { token: manager.token, body: { permissions: ['settings:manage-users'] } })).status).toBe(201);
    });

    it('refuses giving others a role the caller does not hold, or taking over an account that holds more', async () => {
      const created = await host.call<Problem>('POST', '/api/v1/users', {
        token: manager.token,
        body: { username: `mgr-admin-${Date.now()}`, password: 'Manager-Made-Pw-99', roles: ['admin'] },
      });
      expect(code(created)).toEqual({ status: 403, code: 'FF_GRANT_NOT_HELD' });
      expect(created.body.detail).toContain('role "admin"');
      const peer = await host.call<{ id: string }>('POST', '/api/v1/users', {
        token: manager.token,
        body: { username: `mgr-peer-${Date.now()}`, password: 'Manager-Made-Pw-99', roles: ['helpdesk'] },
      });
      expect(peer.status).toBe(201);
      const promote = await host.call<Problem>('PATCH', `/api/v1/users/${peer.body.id}`, { token: manager.token, body: { roles: ['helpdesk', 'operator'] } });
      expect(code(promote)).toEqual({ status: 403, code: 'FF_GRANT_NOT_HELD' });
      expect(promote.body.detail).toMatch(/role "operator".*workflow:execute/);

      const adminId = (await host.login('admin', 'Bootstrap-Root-Pass-9')).user.id;
      const takeover = await host.call<Problem>('POST', `/api/v1/users/${adminId}/password`, {
        token: manager.token,
        body: { password: 'Taken-Over-Admin-Pw1', temporary: false },
      });
      expect(code(takeover)).toEqual({ status: 403, code: 'FF_USER_HOLDS_MORE' });
      expect(code(await host.call('PATCH', `/api/v1/users/${adminId}`, { token: manager.token, body: { disabled: true } }))).toEqual({
        status: 403,
        code: 'FF_USER_HOLDS_MORE',
      });
      expect(code(await host.call('DELETE', `/api/v1/users/${adminId}`, { token: manager.token }))).toEqual({ status: 403, code: 'FF_USER_HOLDS_MORE' });
      expect((await host.login('admin', 'Bootstrap-Root-Pass-9')).accessToken).toBeTruthy();

      // Control: the admin holds every permission and grants what it likes; the manager manages its peers.
      expect((await host.call('PATCH', `/api/v1/users/${peer.body.id}`, { token: admin, body: { roles: ['helpdesk', 'operator'] } })).status).toBe(200);
      expect((await host.call('PATCH', `/api/v1/users/${peer.body.id}`, { token: admin, body: { roles: ['helpdesk'] } })).status).toBe(200);
      expect((await host.call('PATCH', `/api/v1/users/${peer.body.id}`, { token: manager.token, body: { displayName: 'Peer' } })).status).toBe(200);
    });

    it('an admin cannot change its own roles either, but edits its own profile', async () => {
      const other = await host.userWith(['admin']);
      const self = await host.call<Problem>('PATCH', `/api/v1/users/${other.id}`, { token: other.token, body: { roles: ['admin', 'analyst'] } });
      expect(code(self)).toEqual({ status: 403, code: 'FF_USER_SELF_ROLES' });
      expect(
        (await host.call('PATCH', `/api/v1/users/${other.id}`, { token: other.token, body: { roles: ['admin'], displayName: 'Same roles' } })).status,
      ).toBe(200);
    });
  });

  describe('revocation is immediate', () => {
    it("refuses a deleted user's access token at once, and keeps the session on the revocation list", async () => {
      const user = await host.userWith(['developer']);
      expect((await host.call('GET', '/api/v1/workflows', { token: user.token })).status).toBe(200);
      expect((await host.call('DELETE', `/api/v1/users/${user.id}`, { token: admin })).status).toBe(204);
      const after = await host.call('GET', '/api/v1/workflows', { token: user.token });
      expect(code(after)).toEqual({ status: 401, code: 'FF_AUTH_SESSION_ENDED' });
      // What a gateway starting now (or resyncing) loads: the session is there although its row is gone.
      const { rows } = await host.pool.query(`SELECT 1 FROM ff_auth.sessions WHERE id = $1`, [user.session.sessionId]);
      expect(rows).toHaveLength(0);
      const list = (await (await fetch(`${host.base}/internal/auth/revoked-sessions`, { headers: host.runtime.internalHeaders() })).json()) as {
        sessionId: string;
      }[];
      expect(list.map((r) => r.sessionId)).toContain(user.session.sessionId);
    });

    it("refuses a disabled user's API token at once (it was verified and cached just before)", async () => {
      const user = await host.userWith(['developer']);
      const created = await host.call<{ token: string }>('POST', '/api/v1/tokens', { token: user.token, body: { name: 'ci', permissions: ['workflow:view'] } });
      expect((await host.call('GET', '/api/v1/workflows', { token: created.body.token })).status).toBe(200);
      expect((await host.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
      expect(code(await host.call('GET', '/api/v1/workflows', { token: created.body.token }))).toEqual({ status: 401, code: 'FF_AUTH_TOKEN_INVALID' });
      expect(code(await host.call('GET', '/api/v1/workflows', { token: user.token }))).toEqual({ status: 401, code: 'FF_AUTH_SESSION_ENDED' });
      // Control: enabled again, the token works again (it was refused for the owner, not broken).
      expect((await host.call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { disabled: false } })).status).toBe(200);
      expect((await host.call('GET', '/api/v1/workflows', { token: created.body.token })).status).toBe(200);
    });

    it('refuses the access token of a session ended by refresh-token reuse at once', async () => {
      const user = await host.userWith(['operator']);
      const first = await host.login(user.username, user.password);
      const rotated = await host.call<TokenPair>('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
      expect(rotated.status).toBe(200);
      expect((await host.call('GET', '/api/v1/workflows', { token: rotated.body.accessToken })).status).toBe(200);
      const replay = await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
      expect(code(replay)).toEqual({ status: 401, code: 'FF_AUTH_REFRESH_REUSED' });
      // The auth service named the ended session to the gateway; the client is not told.
      expect(replay.headers.get('x-flowforge-revoked-session')).toBeNull();
      expect(code(await host.call('GET', '/api/v1/workflows', { token: rotated.body.accessToken }))).toEqual({ status: 401, code: 'FF_AUTH_SESSION_ENDED' });
      expect(code(await host.call('GET', '/api/v1/workflows', { token: first.accessToken }))).toEqual({ status: 401, code: 'FF_AUTH_SESSION_ENDED' });
    });

    it('another gateway replica refuses them within a second (bus broadcast), without polling', async () => {
      // The replica hosts the gateway and auth modules only: `whoami` is the route it answers by itself.
      const replica = await host.startReplica({ FLOWFORGE_AUTH_CACHE_SECONDS: '600' });
      try {
        const deleted = await host.userWith(['developer']);
        const disabled = await host.userWith(['developer']);
        const apiToken = (
          await host.call<{ token: string }>('POST', '/api/v1/tokens', { token: disabled.token, body: { name: 'ci', permissions: ['workflow:view'] } })
        ).body.token;
        const reused = await host.userWith(['operator']);
        const rotated = (await host.call<TokenPair>('POST', '/api/v1/auth/refresh', { body: { refreshToken: reused.session.refreshToken } })).body;
        // The replica has seen (and cached) every credential.
        for (const token of [deleted.token, disabled.token, apiToken, rotated.accessToken])
          expect((await replica.call('GET', '/api/v1/auth/whoami', { token })).status).toBe(200);

        // Each change is made on the first gateway, then the replica is polled for the credentials it
        // ends: the clock starts when the change answered (one change at a time, so a slow change does
        // not count against the one before it).
        const refusedAfter = new Map<string, number>();
        const refusedByReplica = async (change: () => Promise<void>, credentials: Record<string, string>): Promise<void> => {
          await change();
          const changedAt = Date.now();
          const pending = new Map(Object.entries(credentials));
          while (pending.size && Date.now() - changedAt < 3000) {
            for (const [what, token] of pending) {
              if ((await replica.call('GET', '/api/v1/auth/whoami', { token })).status === 401) {
                refusedAfter.set(what, Date.now() - changedAt);
                pending.delete(what);
              }
            }
            await wait(20);
          }
          // Still pending here means this replica never heard the event: the bus must deliver a broadcast
          // subscription (SubscribeOptions.broadcast) to every replica, not to one member of a shared group.
          expect([...pending.keys()]).toEqual([]);
        };
        await refusedByReplica(async () => expect((await host.call('DELETE', `/api/v1/users/${deleted.id}`, { token: admin })).status).toBe(204), {
          'deleted user access token': deleted.token,
        });
        await refusedByReplica(
          async () => expect((await host.call('PATCH', `/api/v1/users/${disabled.id}`, { token: admin, body: { disabled: true } })).status).toBe(200),
          {
            'disabled user access token': disabled.token,
            'disabled user API token': apiToken,
          },
        );
        await refusedByReplica(
          async () => expect((await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: reused.session.refreshToken } })).status).toBe(401),
          {
            'reused refresh session access token': rotated.accessToken,
          },
        );
        expect(refusedAfter.size).toBe(4);
        for (const [what, ms] of refusedAfter) expect({ what, within1s: ms <= 1000 }).toEqual({ what, within1s: true });
        // Control: an untouched user's credential still passes on the replica.
        const bystander = await host.userWith(['analyst']);
        expect((await replica.call('GET', '/api/v1/auth/whoami', { token: bystander.token })).status).toBe(200);
      } finally {
        await replica.stop();
      }
    });
  });
});
