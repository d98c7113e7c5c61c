import { createHash, randomBytes } from 'node:crypto';
import { readStackEnvFile, stackEnvFilePath } from '../stack.discovery';

/**
 * A real Keycloak login for tests, done the way a browser does it: the authorization code flow with
 * PKCE (S256) through Keycloak's own login page. Tests that need a token for a FlowForge role log in
 * like the console does, so what they prove (issuer, audience, roles, lifetime) is what the gateway
 * sees in production; the password grant would skip the login page, the PKCE check and the redirect
 * URI check, and is switched off for the console client anyway.
 *
 * Only `fetch`: cookies are kept by hand (Keycloak ties the login form to the AUTH_SESSION_ID cookie)
 * and redirects are followed by hand (`redirect: 'manual'`), so the flow can stop at the redirect to
 * the client's redirect URI and read the `code` from the Location header without fetching it.
 */

/** Console client of the `flowforge` realm (scripts/stack/keycloak/flowforge-realm.json). */
export const KEYCLOAK_CONSOLE_CLIENT_ID = 'flowforge-console';

/**
 * The redirect URI the realm registers for tests on the console client. Port 1 on the loopback
 * address: nothing listens there, only root could, and browsers refuse to connect to port 1 (a
 * "bad port" of the Fetch standard), so a code sent there in production reaches nobody. Keycloak
 * matches it exactly (it only ignores the port of a loopback redirect URI registered without one).
 */
export const KEYCLOAK_TEST_REDIRECT_URI = 'http://127.0.0.1:1/flowforge-test-callback';

/** The four realm roles, each named like the FlowForge role it maps to. */
export const FLOWFORGE_REALM_ROLES = ['admin', 'developer', 'operator', 'analyst'] as const;
export type FlowforgeRealmRole = (typeof FLOWFORGE_REALM_ROLES)[number];

/** The fields of the realm's OpenID Provider metadata the tests use. */
export interface OidcDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  introspection_endpoint?: string;
  userinfo_endpoint?: string;
  code_challenge_methods_supported?: string[];
}

export interface KeycloakLoginOptions {
  /** Keycloak's base URL, e.g. http://127.0.0.1:8180 (FLOWFORGE_TEST_KEYCLOAK_URL). */
  baseUrl: string;
  realm: string;
  clientId?: string;
  /** Must be registered on the client; defaults to {@link KEYCLOAK_TEST_REDIRECT_URI}. */
  redirectUri?: string;
  username: string;
  password: string;
  /** Defaults to `openid` (so an ID token comes back). */
  scope?: string;
  /** Per request; defaults to 15 s. */
  timeoutMs?: number;
}

export interface KeycloakTokens {
  accessToken: string;
  refreshToken: string;
  idToken: string;
  /** Seconds, as the token endpoint reports it (`expires_in`). */
  expiresIn: number;
}

/** The claims the tests look at; everything else is still there, as `unknown`. */
export interface KeycloakTokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  azp?: string;
  typ?: string;
  exp?: number;
  iat?: number;
  nonce?: string;
  preferred_username?: string;
  realm_access?: { roles?: string[] };
  [claim: string]: unknown;
}

/** The step of the flow that failed; part of the message so a failing test says where it broke. */
export type KeycloakLoginStep = 'discovery' | 'authorize' | 'login-form' | 'credentials' | 'redirect' | 'callback' | 'token';

export class KeycloakLoginError extends Error {
  constructor(
    readonly step: KeycloakLoginStep,
    detail: string,
  ) {
    super(`Keycloak login failed at step "${step}": ${detail}`);
    this.name = 'KeycloakLoginError';
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 10;

export async function keycloakDiscovery(baseUrl: string, realm: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OidcDiscovery> {
  const url = `${baseUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new KeycloakLoginError('discovery', `GET ${url}: ${errorText(e)}`);
  }
  if (!res.ok) throw new KeycloakLoginError('discovery', `GET ${url}: HTTP ${res.status} ${snippet(await res.text())}`);
  const doc = (await res.json()) as Partial<OidcDiscovery>;
  const { issuer, authorization_endpoint, token_endpoint, jwks_uri } = doc;
  if (!issuer || !authorization_endpoint || !token_endpoint || !jwks_uri) {
    throw new KeycloakLoginError('discovery', `${url} lacks issuer/authorization_endpoint/token_endpoint/jwks_uri`);
  }
  return { ...doc, issuer, authorization_endpoint, token_endpoint, jwks_uri };
}

export async function keycloakLogin(options: KeycloakLoginOptions): Promise<KeycloakTokens> {
  const {
    baseUrl,
    realm,
    clientId = KEYCLOAK_CONSOLE_CLIENT_ID,
    redirectUri = KEYCLOAK_TEST_REDIRECT_URI,
    username,
    password,
    scope = 'openid',
    timeoutMs = DEFAULT_TIMEOUT_MS,
  } = options;
  const discovery = await keycloakDiscovery(baseUrl, realm, timeoutMs);
  const jar = new CookieJar();
  const request = async (step: KeycloakLoginStep, url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const cookie = jar.header(url);
    if (cookie) headers.set('cookie', cookie);
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw new KeycloakLoginError(step, `${init.method ?? 'GET'} ${url}: ${errorText(e)}`);
    }
    jar.store(url, res.headers.getSetCookie());
    return res;
  };

  // 1. authorization request: Keycloak answers with its login page and an authentication session cookie
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let res = await request('authorize', authorize.toString());
  if (res.status !== 200) {
    // A refused client or redirect URI is an error page (400), never a redirect to an unchecked URI; other
    // refusals (scope, PKCE) are a redirect to the client carrying `error`.
    const location = res.headers.get('location');
    const to = location ? new URL(location, authorize) : undefined;
    if (to && isRedirectTarget(to, redirectUri) && to.searchParams.get('error')) {
      throw new KeycloakLoginError('authorize', `${to.searchParams.get('error')}: ${to.searchParams.get('error_description') ?? ''}`);
    }
    throw new KeycloakLoginError('authorize', `GET ${authorize.origin}${authorize.pathname}: HTTP ${res.status} ${pageMessage(await res.text())}`);
  }

  // 2. the login form: its action carries the session code, execution and tab id
  const loginPage = await res.text();
  const action = formAction(loginPage, 'kc-form-login');
  if (!action) throw new KeycloakLoginError('login-form', `no login form (kc-form-login) on the page: ${pageMessage(loginPage)}`);
  const actionUrl = new URL(action, res.url || authorize).toString();

  // 3. credentials: a redirect on success, the login page again (with Keycloak's message) otherwise
  res = await request('credentials', actionUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, credentialId: '' }).toString(),
  });
  if (res.status < 300 || res.status >= 400) {
    // wrong credentials (or a locked user): the login page again with the message; an expired
    // authentication session: an error page
    const page = await res.text();
    const message = feedbackText(page);
    if (message) throw new KeycloakLoginError('credentials', `${username}: ${message}`);
    throw new KeycloakLoginError('credentials', `${username}: HTTP ${res.status} instead of a redirect, ${pageMessage(page)}`);
  }

  // 4. redirects: followed on Keycloak itself, stopped at the client's redirect URI (never fetched)
  const keycloakOrigin = new URL(discovery.authorization_endpoint).origin;
  let current = actionUrl;
  for (let hop = 0; ; hop++) {
    if (res.status < 300 || res.status >= 400) {
      // e.g. a required action (CONFIGURE_TOTP, UPDATE_PASSWORD) the user has to complete in a browser
      throw new KeycloakLoginError(
        'redirect',
        `${describeUrl(current)} answered HTTP ${res.status} instead of redirecting to the client: ${pageMessage(await res.text())}`,
      );
    }
    const location = res.headers.get('location');
    if (!location) throw new KeycloakLoginError('redirect', `${describeUrl(current)}: HTTP ${res.status} without a Location header`);
    const next = new URL(location, current);
    if (isRedirectTarget(next, redirectUri)) {
      const code = readCallback(next, state, discovery.issuer);
      const tokens = await exchangeCode(discovery, { clientId, redirectUri, code, verifier, timeoutMs });
      checkNonce(tokens.idToken, nonce);
      return tokens;
    }
    if (next.origin !== keycloakOrigin) throw new KeycloakLoginError('redirect', `redirected away from Keycloak to ${next.origin}${next.pathname}`);
    if (hop >= MAX_REDIRECTS) throw new KeycloakLoginError('redirect', `more than ${MAX_REDIRECTS} redirects (last ${next.pathname})`);
    await res.body?.cancel();
    current = next.toString();
    res = await request('redirect', current);
  }
}

/** Decodes a JWT's payload without checking anything: for assertions on tokens a test got from Keycloak. */
export function decodeJwtPayload(token: string): KeycloakTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) throw new Error(`not a JWT (expected 3 dot-separated parts, got ${parts.length})`);
  const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('JWT payload is not a JSON object');
  return payload as KeycloakTokenClaims;
}

export interface KeycloakTestSecrets {
  /** Password of every `<role>-user` test user (FLOWFORGE_TEST_USER_PASSWORD). */
  testUserPassword: string;
  /** Secret of the confidential `flowforge-gateway` client (FLOWFORGE_GATEWAY_CLIENT_SECRET), when the file has it. */
  gatewayClientSecret?: string;
}

/**
 * Reads the test stack's Keycloak secrets from the file FLOWFORGE_TEST_KEYCLOAK_SECRETS names (taken
 * from the environment, else from `.stack/env`, like the rest of the stack discovery). The secrets are
 * generated per machine by scripts/stack (or per run by the testcontainers setup) and never committed.
 */
export function readKeycloakTestSecrets(env: NodeJS.ProcessEnv = process.env, stackEnvFile = stackEnvFilePath(env)): KeycloakTestSecrets {
  const file = env.FLOWFORGE_TEST_KEYCLOAK_SECRETS || readStackEnvFile(stackEnvFile).FLOWFORGE_TEST_KEYCLOAK_SECRETS;
  if (!file) {
    throw new Error('FLOWFORGE_TEST_KEYCLOAK_SECRETS is not set (neither in the environment nor in .stack/env); start Keycloak with `scripts/stack/stack up`');
  }
  const secrets = readStackEnvFile(file);
  const testUserPassword = secrets.FLOWFORGE_TEST_USER_PASSWORD;
  if (!testUserPassword) throw new Error(`${file} (FLOWFORGE_TEST_KEYCLOAK_SECRETS) has no FLOWFORGE_TEST_USER_PASSWORD`);
  return { testUserPassword, gatewayClientSecret: secrets.FLOWFORGE_GATEWAY_CLIENT_SECRET || undefined };
}

/** The realm the tests log in to: FLOWFORGE_TEST_KEYCLOAK_REALM (environment, then `.stack/env`), else `flowforge`. */
export function keycloakTestRealm(env: NodeJS.ProcessEnv = process.env, stackEnvFile = stackEnvFilePath(env)): string {
  return env.FLOWFORGE_TEST_KEYCLOAK_REALM || readStackEnvFile(stackEnvFile).FLOWFORGE_TEST_KEYCLOAK_REALM || 'flowforge';
}

async function exchangeCode(
  discovery: OidcDiscovery,
  p: { clientId: string; redirectUri: string; code: string; verifier: string; timeoutMs: number },
): Promise<KeycloakTokens> {
  let res: Response;
  try {
    res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: p.clientId,
        redirect_uri: p.redirectUri,
        code: p.code,
        code_verifier: p.verifier,
      }).toString(),
      signal: AbortSignal.timeout(p.timeoutMs),
    });
  } catch (e) {
    throw new KeycloakLoginError('token', `POST ${discovery.token_endpoint}: ${errorText(e)}`);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // reported below with the raw text
  }
  if (!res.ok) {
    const reason =
      typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : snippet(text);
    throw new KeycloakLoginError('token', `HTTP ${res.status} ${reason}`);
  }
  const { access_token, refresh_token, id_token, expires_in } = body;
  if (typeof access_token !== 'string' || typeof refresh_token !== 'string' || typeof id_token !== 'string' || typeof expires_in !== 'number') {
    throw new KeycloakLoginError('token', `response lacks access_token/refresh_token/id_token/expires_in (keys: ${Object.keys(body).join(', ')})`);
  }
  return { accessToken: access_token, refreshToken: refresh_token, idToken: id_token, expiresIn: expires_in };
}

/** Same scheme, host, port and path as the registered redirect URI: the query is Keycloak's. */
function isRedirectTarget(location: URL, redirectUri: string): boolean {
  const target = new URL(redirectUri);
  return location.origin === target.origin && location.pathname === target.pathname;
}

/** The callback parameters: an OAuth error, a foreign state or issuer (RFC 9207) end the flow here. */
function readCallback(location: URL, state: string, issuer: string): string {
  const q = location.searchParams;
  const error = q.get('error');
  if (error) throw new KeycloakLoginError('callback', `${error}${q.get('error_description') ? `: ${q.get('error_description')}` : ''}`);
  if (q.get('state') !== state) throw new KeycloakLoginError('callback', `state mismatch (sent ${state}, got ${q.get('state') ?? 'none'})`);
  const iss = q.get('iss');
  if (iss !== null && iss !== issuer) throw new KeycloakLoginError('callback', `iss ${iss} is not the issuer ${issuer}`);
  const code = q.get('code');
  if (!code) throw new KeycloakLoginError('callback', `no code in the redirect to ${location.origin}${location.pathname}`);
  return code;
}

function checkNonce(idToken: string, nonce: string): void {
  const got = decodeJwtPayload(idToken).nonce;
  if (got !== nonce) throw new KeycloakLoginError('token', `ID token nonce ${String(got)} is not the one sent`);
}

/**
 * The smallest cookie jar that carries a Keycloak login: name=value per host, removed when the server
 * expires it. Domain, path and Secure are ignored on purpose: every request goes to the one Keycloak
 * host, and Keycloak marks its cookies Secure even on the plain-HTTP test server.
 */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, setCookies: string[]): void {
    const host = new URL(url).host;
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cookies = this.byHost.get(host) ?? new Map<string, string>();
      this.byHost.set(host, cookies);
      if (isExpired(attributes)) cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  header(url: string): string | undefined {
    const cookies = this.byHost.get(new URL(url).host);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function isExpired(attributes: string[]): boolean {
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=', 2).map((s) => s.trim());
    if (key.toLowerCase() === 'max-age' && Number(value) <= 0) return true;
    if (key.toLowerCase() === 'expires' && Date.parse(value) <= Date.now()) return true;
  }
  return false;
}

/** The action of the form with the given id (or of the first form), with HTML entities decoded. */
function formAction(html: string, id: string): string | undefined {
  const forms = [...html.matchAll(/<form\b[^>]*>/gi)].map((m) => m[0]);
  const form = forms.find((f) => new RegExp(`\\bid\\s*=\\s*["']${id}["']`).test(f)) ?? forms[0];
  const action = form && /\baction\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(form);
  const raw = action ? (action[1] ?? action[2]) : undefined;
  return raw ? decodeEntities(raw) : undefined;
}

/** The message Keycloak shows on its page (`kc-feedback-text`), e.g. "Invalid username or password." */
function feedbackText(html: string): string | undefined {
  const messages = [...html.matchAll(/<[^>]*class="[^"]*\bkc-feedback-text\b[^"]*"[^>]*>([\s\S]*?)<\//gi)].map((m) => normalize(m[1] ?? '')).filter(Boolean);
  return messages.length > 0 ? [...new Set(messages)].join(' / ') : undefined;
}

/**
 * Keycloak's message, else the page's heading and instruction (its error page: "We are sorry... Invalid
 * parameter: redirect_uri"), else the start of the text: enough to see which page it was.
 */
function pageMessage(html: string): string {
  const feedback = feedbackText(html);
  if (feedback) return feedback;
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const instruction = /<[^>]*class="[^"]*\binstruction\b[^"]*"[^>]*>([\s\S]*?)<\//i.exec(html)?.[1];
  const parts = [title, heading, instruction].map((s) => normalize(s ?? '')).filter(Boolean);
  return parts.length > 0 ? `page "${parts.join(' — ')}"` : snippet(html);
}

function normalize(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const lower = e.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? `&${e};`;
  });
}

/** Origin, path and the `execution` (which step of the flow); not the session codes of the query. */
function describeUrl(url: string): string {
  const u = new URL(url);
  const execution = u.searchParams.get('execution');
  return `${u.origin}${u.pathname}${execution ? `?execution=${execution}` : ''}`;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/**
 * fetch's "fetch failed" with the reason in its cause (e.g. ECONNREFUSED). Duck-typed, not instanceof:
 * under jest, fetch's errors come from another realm than the test's Error.
 */
function errorText(e: unknown): string {
  const message = (x: unknown): string | undefined =>
    typeof x === 'object' && x !== null && 'message' in x && typeof x.message === 'string' ? x.message : undefined;
  const cause = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const reason = [code, message(cause)].filter(Boolean).join(' ');
  const text = message(e) ?? String(e);
  return reason ? `${text} (${reason})` : text;
}
