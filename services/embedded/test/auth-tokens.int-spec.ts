import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost, type TokenPair } from './auth-host';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true (a new signing key is fetched at the first token carrying it). */
async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await fn()) return;
    await wait(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Forged and stale credentials against the real gateway + auth service: each is refused with 401, and
 * a control token made the same way but honestly is accepted, so each refusal is the check it claims.
 */
describe('token attacks and session revocation', () => {
  let host: AuthHost;
  let adminId: string;
  let realKey: { kid: string; key: Parameters<SignJWT['sign']>[0] };

  const me = (token: string) => host.call<{ code?: string }>('GET', '/api/v1/auth/me', { token });
  const forge = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ sid: randomUUID(), preferred_username: 'admin', roles: ['admin'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: realKey.kid, typ: 'JWT', ...header })
      .sign(realKey.key);
  const honest = () => ({
    iss: 'flowforge',
    aud: 'flowforge-gateway',
    sub: adminId,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 300,
  });

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_authtokens'));
    const session = await host.login('admin', 'Bootstrap-Root-Pass-9');
    adminId = session.user.id;
    // The test reads the issuer's private key from ff_auth (it has database access) to forge tokens an
    // attacker could only make with that key — the control proves forged-with-the-real-key tokens pass.
    const { rows } = await host.pool.query<{ kid: string; private_jwk: JWK }>(`SELECT kid, private_jwk FROM ff_auth.signing_keys WHERE retired_at IS NULL`);
    realKey = { kid: rows[0]!.kid, key: (await importJWK(rows[0]!.private_jwk, 'ES256')) as Parameters<SignJWT['sign']>[0] };
  });

  afterAll(async () => host?.stop());

  it('control: a token signed with the issuer key and right claims is accepted', async () => {
    expect((await me(await forge(honest()))).status).toBe(200);
  });

  it('refuses alg: none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(honest())}.`;
    const res = await me(token);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'FF_AUTH_TOKEN_INVALID' });
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const jwks = (await (await fetch(`${host.base}/internal/auth/jwks`, { headers: host.runtime.internalHeaders() })).json()) as { keys: JWK[] };
    const pub = jwks.keys[0]!;
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: pub.kid });
    const payload = b64(honest());
    for (const secret of [JSON.stringify(pub), `${pub.x}${pub.y}`]) {
      const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      const res = await me(`${header}.${payload}.${sig}`);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'FF_AUTH_TOKEN_INVALID' });
    }
  });

  it('refuses a wrong issuer, a wrong audience, and a key the issuer never had', async () => {
    expect((await me(await forge({ ...honest(), iss: 'https://evil.example' }))).status).toBe(401);
    expect((await me(await forge({ ...honest(), aud: 'another-service' }))).status).toBe(401);
    const { privateKey } = await generateKeyPair('ES256');
    const attackers = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: realKey.kid })
      .setIssuer('flowforge')
      .setAudience('flowforge-gateway')
      .setSubject(adminId)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await me(attackers)).status).toBe(401);
    const unknownKid = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'no-such-key' })
      .setIssuer('flowforge')
      .setAudience('flowforge-gateway')
      .setSubject(adminId)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await me(unknownKid)).status).toBe(401);
  });

  it('refuses an expired token (beyond the 30 s skew) and accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await me(await forge({ ...honest(), iat: now - 600, exp: now - 120 }));
    expect({ status: expired.status, code: expired.body.code }).toEqual({ status: 401, code: 'FF_AUTH_TOKEN_EXPIRED' });
    expect((await me(await forge({ ...honest(), iat: now - 300, exp: now - 5 }))).status).toBe(200);
  });

  it('refuses a token whose payload was edited (roles raised)', async () => {
    const analyst = await host.userWith(['analyst']);
    const [h, p, s] = analyst.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.roles).toEqual(['analyst']);
    const tampered = `${h}.${b64({ ...claims, roles: ['admin'] })}.${s}`;
    expect((await me(tampered)).status).toBe(401);
    expect((await host.call('GET', '/api/v1/users', { token: analyst.token })).status).toBe(403);
  });

  it('refuses the access token of a session signed out, or revoked from another session', async () => {
    const user = await host.userWith(['operator']);
    expect((await me(user.token)).status).toBe(200);
    expect((await host.call('POST', '/api/v1/auth/logout', { token: user.token })).status).toBe(204);
    const after = await me(user.token);
    expect({ status: after.status, code: after.body.code }).toEqual({ status: 401, code: 'FF_AUTH_SESSION_ENDED' });

    const a = await host.login(user.username, user.password);
    const b = await host.login(user.username, user.password);
    const sessions = await host.call<{ id: string; current: boolean }[]>('GET', '/api/v1/auth/sessions', { token: b.accessToken });
    expect(sessions.body.find((s) => s.current)?.id).toBe(b.sessionId);
    expect(sessions.body.map((s) => s.id)).toContain(a.sessionId);
    expect((await host.call('DELETE', `/api/v1/auth/sessions/${a.sessionId}`, { token: b.accessToken })).status).toBe(204);
    expect((await me(a.accessToken)).status).toBe(401);
    expect((await me(b.accessToken)).status).toBe(200);
    // The refresh token of the revoked session is dead too.
    expect((await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: a.refreshToken } })).status).toBe(401);
  });

  it('rotates refresh tokens; presenting a used one ends the session (stolen copy)', async () => {
    const user = await host.userWith(['developer']);
    const first = await host.login(user.username, user.password);
    const refreshed = await host.call<TokenPair>('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(first.refreshToken);
    expect(refreshed.body.sessionId).toBe(first.sessionId);
    expect((await me(refreshed.body.accessToken)).status).toBe(200);

    const replay = await host.call<{ code: string }>('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: 'FF_AUTH_REFRESH_REUSED' });
    // The legitimate holder's newer tokens stop working as well.
    expect((await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401);
    // At once: the gateway re-read the revocation list before it answered the reuse (it used to take a poll).
    expect((await me(refreshed.body.accessToken)).status).toBe(401);
    expect((await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'ffr_garbage' } })).status).toBe(401);
  });

  it('API tokens: shown once, scoped, never beyond the owner, revocable, last-used recorded', async () => {
    const dev = await host.userWith(['developer']);
    const beyond = await host.call<{ code: string }>('POST', '/api/v1/tokens', {
      token: dev.token,
      body: { name: 'ci', permissions: ['settings:manage-users'] },
    });
    expect({ status: beyond.status, code: beyond.body.code }).toEqual({ status: 400, code: 'FF_TOKEN_SCOPE_EXCEEDS_OWNER' });
    const created = await host.call<{ id: string; token: string }>('POST', '/api/v1/tokens', {
      token: dev.token,
      body: { name: 'ci', permissions: ['workflow:view'], expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^ffp_/);
    const listed = await host.call<{ id: string; token?: string; lastUsedAt: string | null }[]>('GET', '/api/v1/tokens', { token: dev.token });
    expect(listed.text).not.toContain(created.body.token.split('.')[1]);
    expect(listed.body[0]).toMatchObject({ id: created.body.id, lastUsedAt: null });
    const { rows } = await host.pool.query<{ token_hash: string }>(`SELECT token_hash FROM ff_auth.api_tokens WHERE id = $1`, [created.body.id]);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.body.token).not.toContain(rows[0]!.token_hash);

    expect((await host.call('GET', '/api/v1/workflows', { token: created.body.token })).status).toBe(200);
    expect((await host.call('PUT', '/api/v1/workflows/x', { token: created.body.token, body: {} })).status).toBe(403);
    const used = await host.call<{ lastUsedAt: string | null }[]>('GET', '/api/v1/tokens', { token: dev.token });
    expect(used.body[0]!.lastUsedAt).not.toBeNull();

    expect((await host.call('DELETE', `/api/v1/tokens/${created.body.id}`, { token: dev.token })).status).toBe(204);
    const revoked = await host.call<{ code: string }>('GET', '/api/v1/workflows', { token: created.body.token });
    expect({ status: revoked.status, code: revoked.body.code }).toEqual({ status: 401, code: 'FF_AUTH_TOKEN_INVALID' });
    expect((await host.call('GET', '/api/v1/workflows', { token: 'ffp_not-a-token' })).status).toBe(401);
  });

  it('follows a key rotation: new tokens carry the new kid, tokens signed before stay valid', async () => {
    const before = await host.login('admin', 'Bootstrap-Root-Pass-9');
    const kidOf = (t: string) => (JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const rotated = await host.call<{ kid: string }>('POST', '/api/v1/auth/keys/rotate', { token: before.accessToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.kid).not.toBe(kidOf(before.accessToken));
    const after = await host.login('admin', 'Bootstrap-Root-Pass-9');
    expect(kidOf(after.accessToken)).toBe(rotated.body.kid);
    // The gateway refetches the JWKS at the first unknown kid (at most every 5 s).
    await eventually('the gateway to accept the new key', async () => (await me(after.accessToken)).status === 200, 8000);
    expect((await me(before.accessToken)).status).toBe(200);
    const jwks = (await (await fetch(`${host.base}/internal/auth/jwks`, { headers: host.runtime.internalHeaders() })).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kidOf(before.accessToken), rotated.body.kid]));
    const analyst = await host.userWith(['analyst']);
    expect((await host.call('POST', '/api/v1/auth/keys/rotate', { token: analyst.token })).status).toBe(403);
  });

  it('says how to authenticate when the header is missing or malformed, and counts refusals for operators', async () => {
    const unauthenticated = await host.metric('ff_gateway_auth_denied_total', { reason: 'unauthenticated' });
    const forbidden = await host.metric('ff_gateway_auth_denied_total', { reason: 'forbidden' });
    const none = await host.call<{ code: string }>('GET', '/api/v1/workflows');
    expect({ status: none.status, code: none.body.code }).toEqual({ status: 401, code: 'FF_AUTH_REQUIRED' });
    const basic = await host.call<{ code: string }>('GET', '/api/v1/workflows', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect({ status: basic.status, code: basic.body.code }).toEqual({ status: 401, code: 'FF_AUTH_REQUIRED' });
    expect((await me('not.a.jwt')).status).toBe(401);
    const analyst = await host.userWith(['analyst']);
    expect((await host.call('GET', '/api/v1/users', { token: analyst.token })).status).toBe(403);
    expect(await host.metric('ff_gateway_auth_denied_total', { reason: 'unauthenticated' })).toBe(unauthenticated + 3);
    expect(await host.metric('ff_gateway_auth_denied_total', { reason: 'forbidden' })).toBe(forbidden + 1);
  });
});
