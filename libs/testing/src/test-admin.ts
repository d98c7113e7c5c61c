import { ALL_PERMISSIONS } from '@flowforge/access';

/**
 * The first admin of every host a test or bench starts: the auth service creates it at first start
 * from these (FLOWFORGE_BOOTSTRAP_ADMIN_*; the password meets the password policy, so no change is forced).
 */
export const TEST_ADMIN = { username: 'admin', password: 'Test-Root-Passw0rd-7' } as const;

/** The environment a host needs to create TEST_ADMIN (pass it to the process hosting the auth service). */
export const testAdminEnv: Readonly<Record<string, string>> = {
  FLOWFORGE_BOOTSTRAP_ADMIN_USERNAME: TEST_ADMIN.username,
  FLOWFORGE_BOOTSTRAP_ADMIN_PASSWORD: TEST_ADMIN.password,
};

/**
 * Signs in as TEST_ADMIN through the public API at `base` (the gateway or the embedded host) and creates
 * an API token holding every permission: send it as `authorization: Bearer <token>`. An API token, not
 * the access token: that one lasts 5 minutes, an API token outlives any test.
 */
export async function adminApiToken(base: string, name = 'test'): Promise<string> {
  const post = async <T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200 && res.status !== 201) throw new Error(`POST ${path} as ${TEST_ADMIN.username}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const { accessToken } = await post<{ accessToken: string }>('/api/v1/auth/login', TEST_ADMIN);
  const { token } = await post<{ token: string }>(
    '/api/v1/tokens',
    { name, permissions: ALL_PERMISSIONS, expiresInDays: 1 },
    { authorization: `Bearer ${accessToken}` },
  );
  return token;
}

/** The header carrying `token`. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
