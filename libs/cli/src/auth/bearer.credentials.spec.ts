import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TokenPair } from '../api/api.types';
import { FlowForgeClient } from '../api/flowforge.client';
import { AuthenticationFailure, GatewayUnreachableError } from '../cli.errors';
import { fakeGateway, jsonAnswer, problem, type FakeRequest } from '../testing/fake.gateway';
import { credentialsFromPair, StaticCredentials, StoredSessionCredentials } from './bearer.credentials';
import { CredentialStore } from './credentials.store';

const SERVER = 'http://gw.test:8080';
const NOW = Date.parse('2026-01-31T10:00:00.000Z');

/**
 * The auth side of a gateway: access tokens that it may call expired, single-use refresh tokens (a
 * second use is FF_AUTH_REFRESH_REUSED, as the real one answers), and one protected route.
 */
function authGateway() {
  let issued = 0;
  const live = new Set<string>();
  const expired = new Set<string>();
  const unusedRefresh = new Set<string>();
  const usedRefresh = new Set<string>();
  const issue = (): TokenPair => {
    issued++;
    const pair: TokenPair = {
      tokenType: 'Bearer',
      accessToken: `eyJ.access-${issued}`,
      expiresIn: 300,
      refreshToken: `ffr_refresh-${issued}`,
      refreshExpiresIn: 86_400,
      sessionId: 's-1',
      user: { id: 'u-1', username: 'ada', roles: ['admin'], mustChangePassword: false },
    };
    live.add(pair.accessToken);
    unusedRefresh.add(pair.refreshToken);
    return pair;
  };
  const gw = fakeGateway({
    'GET /api/v1/runs': (req) => {
      if (!req.bearer) return problem(401, 'FF_AUTH_REQUIRED', 'sign in: send `Authorization: Bearer <access token or API token>`');
      if (expired.has(req.bearer)) return problem(401, 'FF_AUTH_TOKEN_EXPIRED', 'the access token has expired: refresh it or sign in again');
      if (!live.has(req.bearer)) return problem(401, 'FF_AUTH_TOKEN_INVALID', 'the access token is not valid');
      return jsonAnswer(200, { items: [], nextCursor: null });
    },
    'POST /api/v1/auth/refresh': async (req) => {
      const { refreshToken } = req.body as { refreshToken: string };
      await new Promise((r) => setTimeout(r, 10)); // a real round trip: two callers can overlap
      if (usedRefresh.has(refreshToken)) return problem(401, 'FF_AUTH_REFRESH_REUSED', 'this refresh token was already used: the session has been ended');
      if (!unusedRefresh.delete(refreshToken)) return problem(401, 'FF_AUTH_REFRESH_INVALID', 'the refresh token is not valid: sign in again');
      usedRefresh.add(refreshToken);
      return jsonAnswer(200, issue());
    },
  });
  const refreshes = (): FakeRequest[] => gw.requests.filter((r) => r.route === '/api/v1/auth/refresh');
  return { ...gw, issue, expire: (token: string) => expired.add(token), refreshes };
}

describe('stored sign-in: refresh and retry', () => {
  let dir: string;
  let store: CredentialStore;
  let gw: ReturnType<typeof authGateway>;
  let now: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-bearer-'));
    store = new CredentialStore(dir);
    gw = authGateway();
    now = NOW;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A client as a CLI process builds it: the stored entry as read at its start. */
  function client(): FlowForgeClient {
    const anonymous = new FlowForgeClient({ baseUrl: SERVER, fetch: gw.fetch });
    const credentials = new StoredSessionCredentials(store, SERVER, store.read(SERVER)!, (t, s) => anonymous.refreshSession(t, s), { now: () => now });
    return new FlowForgeClient({ baseUrl: SERVER, credentials, fetch: gw.fetch });
  }

  async function signIn(): Promise<TokenPair> {
    const pair = gw.issue();
    await store.save(SERVER, credentialsFromPair(pair, now));
    return pair;
  }

  it('sends the stored access token while it is fresh', async () => {
    const pair = await signIn();
    await client().listRuns({});
    expect(gw.requests.map((r) => [r.route, r.bearer])).toEqual([['/api/v1/runs', pair.accessToken]]);
  });

  it('refreshes a token past its stored expiry before the call, and stores the new pair', async () => {
    const first = await signIn();
    now += 280_000; // within 30 s of the 300 s lifetime
    await client().listRuns({});
    expect(gw.requests.map((r) => r.route)).toEqual(['/api/v1/auth/refresh', '/api/v1/runs']);
    expect(gw.refreshes()[0]!.body).toEqual({ refreshToken: first.refreshToken });
    expect(gw.refreshes()[0]!.bearer).toBeUndefined();
    const stored = store.read(SERVER)!;
    expect(stored.refreshToken).toBe('ffr_refresh-2');
    expect(gw.requests[1]!.bearer).toBe(stored.accessToken);
    expect(stored.accessExpiresAt).toBe(new Date(now + 300_000).toISOString());
  });

  it('on 401 FF_AUTH_TOKEN_EXPIRED refreshes once and retries the call once', async () => {
    const first = await signIn();
    gw.expire(first.accessToken); // the gateway's clock is ahead of ours
    await client().listRuns({});
    expect(gw.requests.map((r) => [r.route, r.bearer])).toEqual([
      ['/api/v1/runs', first.accessToken],
      ['/api/v1/auth/refresh', undefined],
      ['/api/v1/runs', 'eyJ.access-2'],
    ]);
    expect(store.read(SERVER)?.refreshToken).toBe('ffr_refresh-2');
  });

  it('does not loop: a token still called expired after the refresh fails the call', async () => {
    const first = await signIn();
    gw.expire(first.accessToken);
    gw.expire('eyJ.access-2');
    const err = await client()
      .listRuns({})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationFailure);
    expect((err as Error).message).toBe(
      `your sign-in to ${SERVER} is no longer accepted (FF_AUTH_TOKEN_EXPIRED: the access token has expired: refresh it or sign in again)`,
    );
    expect(gw.refreshes()).toHaveLength(1);
  });

  it('a refused refresh deletes the stored sign-in and says to log in again, naming no token', async () => {
    const first = await signIn();
    // The refresh token was spent elsewhere (a copy of the file): the server refuses it.
    await client().listRuns({}); // fine
    gw.expire(first.accessToken);
    await gw.fetch(`${SERVER}/api/v1/auth/refresh`, { method: 'POST', body: JSON.stringify({ refreshToken: first.refreshToken }) });
    const err = (await client()
      .listRuns({})
      .catch((e: unknown) => e)) as AuthenticationFailure;
    expect(err).toBeInstanceOf(AuthenticationFailure);
    expect(err.code).toBe('FF_AUTH_REFRESH_REUSED');
    expect(err.message).toBe(`your sign-in to ${SERVER} has ended (FF_AUTH_REFRESH_REUSED: this refresh token was already used: the session has been ended)`);
    expect(err.details).toEqual(['sign in again: flowforge login']);
    expect(store.read(SERVER)).toBeUndefined();
    expect(`${err.message} ${err.details.join(' ')}`).not.toMatch(/eyJ|ffr_/);
  });

  it('does not even try a refresh token past its own expiry', async () => {
    await signIn();
    now += 2 * 86_400_000;
    await expect(client().listRuns({})).rejects.toThrow(
      `your sign-in to ${SERVER} has ended (FF_CLI_SESSION_ENDED: the sign-in expired at 2026-02-01T10:00:00.000Z)`,
    );
    expect(gw.refreshes()).toHaveLength(0);
    expect(store.read(SERVER)).toBeUndefined();
  });

  it('two commands finding the same expired token spend the refresh token once: the second takes the new pair', async () => {
    await signIn();
    now += 301_000;
    const [a, b] = [client(), client()]; // both read the file before either refreshed
    await Promise.all([a.listRuns({}), b.listRuns({})]);
    expect(gw.refreshes()).toHaveLength(1);
    const runs = gw.requests.filter((r) => r.route === '/api/v1/runs');
    expect(runs.map((r) => r.bearer)).toEqual(['eyJ.access-2', 'eyJ.access-2']);
    expect(store.read(SERVER)?.refreshToken).toBe('ffr_refresh-2');
  });

  it('keeps the stored pair when the refresh cannot reach the gateway', async () => {
    const first = await signIn();
    now += 301_000;
    const down = (async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))) as typeof fetch;
    const anonymous = new FlowForgeClient({ baseUrl: SERVER, fetch: down });
    const credentials = new StoredSessionCredentials(store, SERVER, store.read(SERVER)!, (t) => anonymous.refreshSession(t), { now: () => now });
    await expect(new FlowForgeClient({ baseUrl: SERVER, credentials, fetch: down }).listRuns({})).rejects.toThrow(GatewayUnreachableError);
    expect(store.read(SERVER)?.refreshToken).toBe(first.refreshToken);
  });
});

describe('a token from --token or FLOWFORGE_TOKEN', () => {
  it('is sent as it is, never refreshed; a 401 names where it came from, not the token', async () => {
    const gw = authGateway();
    const credentials = new StaticCredentials('ffp_0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a.s3cret', 'env');
    const err = (await new FlowForgeClient({ baseUrl: SERVER, credentials, fetch: gw.fetch }).listRuns({}).catch((e: unknown) => e)) as AuthenticationFailure;
    expect(err.message).toBe('the gateway refused the API token from FLOWFORGE_TOKEN (FF_AUTH_TOKEN_INVALID: the access token is not valid)');
    expect(err.details).toEqual(['use a valid API token (flowforge tokens create), or leave FLOWFORGE_TOKEN unset to use the sign-in of flowforge login']);
    expect(gw.refreshes()).toHaveLength(0);
    expect(new StaticCredentials('eyJ.x', 'flag').description).toBe('access token from --token');
  });

  it('without any credential, a 401 says how to sign in', async () => {
    const gw = authGateway();
    const err = (await new FlowForgeClient({ baseUrl: SERVER, fetch: gw.fetch }).listRuns({}).catch((e: unknown) => e)) as AuthenticationFailure;
    expect(err.message).toBe(`not signed in to ${SERVER} (FF_AUTH_REQUIRED)`);
    expect(err.details).toEqual(['sign in: flowforge login', 'or, for scripts and CI, set FLOWFORGE_TOKEN to an API token (flowforge tokens create)']);
  });
});
