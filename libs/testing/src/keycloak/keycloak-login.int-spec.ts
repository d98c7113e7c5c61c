import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { requireStack } from '../stack.discovery';
import {
  decodeJwtPayload,
  FLOWFORGE_REALM_ROLES,
  KEYCLOAK_TEST_REDIRECT_URI,
  keycloakDiscovery,
  keycloakLogin,
  KeycloakLoginError,
  keycloakTestRealm,
  readKeycloakTestSecrets,
} from './keycloak-login';

/**
 * The real login against the stack's Keycloak (realm `flowforge`, scripts/stack/keycloak): the code
 * flow with PKCE through the console client, as the Angular console does it, and the claims the
 * gateway relies on (issuer, audience, realm roles, 5-minute lifetime, a signature the realm's JWKS
 * verifies). Skipped loudly without Keycloak; FLOWFORGE_REQUIRE_STACK=1 makes that a failure.
 */
const stack = requireStack('Keycloak login (authorization code + PKCE)', ['keycloakUrl']);

if (stack?.keycloakUrl) {
  const baseUrl = stack.keycloakUrl;
  const realm = keycloakTestRealm();

  describe('keycloakLogin against the stack Keycloak', () => {
    const { testUserPassword } = readKeycloakTestSecrets();

    it.each(FLOWFORGE_REALM_ROLES)('logs %s-user in through the code flow with the claims the gateway needs', async (role) => {
      const tokens = await keycloakLogin({ baseUrl, realm, redirectUri: KEYCLOAK_TEST_REDIRECT_URI, username: `${role}-user`, password: testUserPassword });

      const access = decodeJwtPayload(tokens.accessToken);
      expect(access.iss).toBe(`${baseUrl}/realms/${realm}`);
      expect(([] as string[]).concat(access.aud ?? [])).toContain('flowforge-gateway');
      expect(access.azp).toBe('flowforge-console');
      expect(access.preferred_username).toBe(`${role}-user`);
      const roles = access.realm_access?.roles ?? [];
      expect(roles.filter((r) => (FLOWFORGE_REALM_ROLES as readonly string[]).includes(r))).toEqual([role]);
      // The realm's 5-minute access token; Keycloak reads its clock separately for iat and exp (both whole
      // seconds), so on a busy machine exp − iat is 301 now and then.
      expect((access.exp ?? 0) - (access.iat ?? 0)).toBeGreaterThanOrEqual(300);
      expect((access.exp ?? 0) - (access.iat ?? 0)).toBeLessThanOrEqual(301);
      // Keycloak counts expires_in from the moment it answers: a second may have passed since iat.
      expect(tokens.expiresIn).toBeGreaterThanOrEqual(298);
      expect(tokens.expiresIn).toBeLessThanOrEqual(300);

      expect(decodeJwtPayload(tokens.idToken).aud).toBe('flowforge-console');
      expect(tokens.refreshToken.split('.')).toHaveLength(3);
    });

    it('issues access tokens the realm JWKS verifies (what the gateway does)', async () => {
      const discovery = await keycloakDiscovery(baseUrl, realm);
      const { accessToken } = await keycloakLogin({ baseUrl, realm, username: 'analyst-user', password: testUserPassword });
      const [header = '', payload = '', signature = ''] = accessToken.split('.');
      const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
      expect(alg).toBe('RS256');
      const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: (JsonWebKey & { kid?: string; use?: string })[] };
      const jwk = jwks.keys.find((k) => k.kid === kid && k.use === 'sig');
      expect(jwk).toBeDefined();
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      expect(verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))).toBe(true);
    });

    it('fails at the credentials step with Keycloak’s message for a wrong password', async () => {
      // A user that does not exist: brute-force protection would lock a real test user after 5 failures.
      const attempt = keycloakLogin({ baseUrl, realm, username: 'no-such-user-ff-test', password: 'Wrong-passw0rd-123' });
      await expect(attempt).rejects.toThrow(KeycloakLoginError);
      await expect(attempt).rejects.toMatchObject({ step: 'credentials', message: expect.stringContaining('Invalid username or password') });
    });

    it('is refused at the authorize step for a redirect URI the console client does not register', async () => {
      // Only port 1 of the loopback callback is registered: another port (a listener any local user
      // could open) must not receive codes.
      const attempt = keycloakLogin({
        baseUrl,
        realm,
        redirectUri: 'http://127.0.0.1:8999/flowforge-test-callback',
        username: 'analyst-user',
        password: testUserPassword,
      });
      await expect(attempt).rejects.toMatchObject({ step: 'authorize', message: expect.stringContaining('redirect_uri') });
    });
  });
} else {
  // A suite with no test fails jest ("must contain at least one test"): the skip is a counted one.
  describe.skip('keycloakLogin against the stack Keycloak: no Keycloak (FLOWFORGE_TEST_KEYCLOAK_URL)', () => {
    it("signs the stack realm's test users in through the authorization code flow", () => undefined);
  });
}
