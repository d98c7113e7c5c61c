import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TokenPair } from '../api/api.types';
import { CredentialStore } from '../auth/credentials.store';
import type { CliIo } from '../cli.io';
import { runCli } from '../cli.program';
import { capturedIo, type CapturedIo } from '../testing/captured.io';
import { fakeGateway, jsonAnswer, problem, type FakeHandler, type FakeRequest } from '../testing/fake.gateway';

const URL = 'http://127.0.0.1:8080';
const PASSWORD = 'Corr3ct-Horse-Battery';
const TOKEN_ID = '0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a';
const API_TOKEN = `ffp_${TOKEN_ID}.AbCdEfSecretPart`;

function pair(n = 1, over: Partial<TokenPair['user']> = {}): TokenPair {
  return {
    tokenType: 'Bearer',
    accessToken: `eyJhbGciOi.access-${n}`,
    expiresIn: 300,
    refreshToken: `ffr_refresh-secret-${n}`,
    refreshExpiresIn: 86_400,
    sessionId: '7d1c1f7e-1111-4222-8333-444455556666',
    user: { id: 'u-1', username: 'admin', roles: ['admin'], mustChangePassword: false, ...over },
  };
}

const runsOk: FakeHandler = () => jsonAnswer(200, { items: [], nextCursor: null });

/** Every secret a test used: none may appear in anything the CLI printed. */
const SECRETS = [PASSWORD, 'eyJhbGciOi', 'ffr_refresh-secret', 'AbCdEfSecretPart', 'New-Weak', 'N3w-Str0ng-Passphrase'];

describe('credentials and sign-in commands', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-auth-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(
    argv: string[],
    routes: Record<string, FakeHandler>,
    options: { env?: Record<string, string>; io?: Partial<CliIo> } = {},
  ): Promise<{ code: number; io: CapturedIo; requests: FakeRequest[] }> {
    const gw = fakeGateway(routes);
    const io = capturedIo({ FLOWFORGE_CONFIG_DIR: dir, ...options.env }, { fetch: gw.fetch, ...options.io });
    const code = await runCli(argv, io);
    const printed = io.stdout.text + io.stderr.text;
    if (!argv.includes('create')) for (const s of SECRETS) expect(printed).not.toContain(s);
    return { code, io, requests: gw.requests };
  }

  const stdin = (text: string): AsyncIterable<Buffer> =>
    (async function* () {
      yield Buffer.from(text);
    })();

  /** A terminal that answers each question in turn and records how it was asked. */
  function terminal(answers: string[]): { prompt: NonNullable<CliIo['prompt']>; asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      prompt: async (question, opts) => {
        asked.push(`${question}${opts?.secret ? ' (hidden)' : ''}`);
        return answers.shift() ?? '';
      },
    };
  }

  const store = (): CredentialStore => new CredentialStore(dir);

  async function signedIn(): Promise<void> {
    const r = await cli(
      ['login', '--username', 'admin', '--password-stdin'],
      { 'POST /api/v1/auth/login': () => jsonAnswer(200, pair()) },
      { io: { stdin: stdin(`${PASSWORD}\n`) } },
    );
    expect(r.code).toBe(0);
  }

  describe('login', () => {
    it('--password-stdin: sends the password less its line break, stores the pair 0600 per server, prints no token', async () => {
      const r = await cli(
        ['login', '-u', 'admin', '--password-stdin'],
        { 'POST /api/v1/auth/login': () => jsonAnswer(200, pair()) },
        { io: { stdin: stdin(`${PASSWORD}\r\n`) } },
      );
      expect(r.code).toBe(0);
      expect(r.requests).toHaveLength(1);
      expect(r.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/auth/login', bearer: undefined, body: { username: 'admin', password: PASSWORD } });
      expect(r.io.stdout.text).toBe(`signed in to ${URL} as admin (admin)\n`);
      expect(r.io.stderr.text).toBe('');
      const stored = store().read(URL)!;
      expect(stored).toMatchObject({ username: 'admin', accessToken: 'eyJhbGciOi.access-1', refreshToken: 'ffr_refresh-secret-1' });
      expect(fs.statSync(store().file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    });

    it('asks on a terminal for what is missing, the password without echo', async () => {
      const tty = terminal(['admin', PASSWORD]);
      const r = await cli(['login'], { 'POST /api/v1/auth/login': () => jsonAnswer(200, pair()) }, { io: { prompt: tty.prompt } });
      expect(r.code).toBe(0);
      expect(tty.asked).toEqual(['Username: ', 'Password:  (hidden)']);
      expect(r.requests[0]!.body).toEqual({ username: 'admin', password: PASSWORD });
    });

    it('without a terminal, says which flag to pass instead of waiting (exit 2)', async () => {
      const noPassword = await cli(['login', '--username', 'admin'], {});
      expect(noPassword.code).toBe(2);
      expect(noPassword.io.stderr.text).toMatch(/^error: the password is needed and there is no terminal to ask on: pass --password-stdin\n/);
      const noUser = await cli(['login', '--password-stdin'], {}, { io: { stdin: stdin(PASSWORD) } });
      expect(noUser.code).toBe(2);
      expect(noUser.io.stderr.text).toMatch(/--password-stdin needs --username/);
      expect([...noPassword.requests, ...noUser.requests]).toEqual([]);
    });

    it('FF_AUTH_MFA_REQUIRED: asks for the code and signs in with it; --otp sends it at once; a recovery code goes as one', async () => {
      const mfa: FakeHandler = (req) => {
        const body = req.body as { otp?: string; recoveryCode?: string };
        if (!body.otp && !body.recoveryCode) return problem(401, 'FF_AUTH_MFA_REQUIRED', 'this account uses two-factor authentication');
        return jsonAnswer(200, pair());
      };
      const tty = terminal(['123456']);
      const asked = await cli(
        ['login', '-u', 'admin'],
        { 'POST /api/v1/auth/login': mfa },
        { io: { prompt: async (q, o) => (q.startsWith('Password') ? PASSWORD : tty.prompt(q, o)) } },
      );
      expect(asked.code).toBe(0);
      expect(tty.asked).toEqual(['Two-factor code (or a recovery code): ']);
      expect(asked.requests.map((r) => r.body)).toEqual([
        { username: 'admin', password: PASSWORD },
        { username: 'admin', password: PASSWORD, otp: '123456' },
      ]);

      const flag = await cli(
        ['login', '-u', 'admin', '--password-stdin', '--otp', '654321'],
        { 'POST /api/v1/auth/login': mfa },
        { io: { stdin: stdin(PASSWORD) } },
      );
      expect(flag.code).toBe(0);
      expect(flag.requests.map((r) => (r.body as { otp?: string }).otp)).toEqual(['654321']);

      const recovery = await cli(
        ['login', '-u', 'admin', '--password-stdin', '--otp', '7kq2-mx0d-p9ta'],
        { 'POST /api/v1/auth/login': mfa },
        { io: { stdin: stdin(PASSWORD) } },
      );
      expect(recovery.requests[0]!.body).toEqual({ username: 'admin', password: PASSWORD, recoveryCode: '7kq2-mx0d-p9ta' });

      const ci = await cli(['login', '-u', 'admin', '--password-stdin'], { 'POST /api/v1/auth/login': mfa }, { io: { stdin: stdin(PASSWORD) } });
      expect(ci.code).toBe(2);
      expect(ci.io.stderr.text).toMatch(/^error: a two-factor code is needed and there is no terminal to ask on: pass --otp <code>\n/);
    });

    it('FF_AUTH_INVALID_CREDENTIALS and FF_AUTH_LOCKED (with Retry-After) end with exit 1 and store nothing', async () => {
      const wrong = await cli(
        ['login', '-u', 'admin', '--password-stdin'],
        { 'POST /api/v1/auth/login': () => problem(401, 'FF_AUTH_INVALID_CREDENTIALS', 'wrong username or password') },
        { io: { stdin: stdin(PASSWORD) } },
      );
      expect(wrong.code).toBe(1);
      expect(wrong.io.stderr.text).toBe(`error: wrong username, password or two-factor code for ${URL} (FF_AUTH_INVALID_CREDENTIALS)\n`);
      const locked = await cli(
        ['login', '-u', 'admin', '--password-stdin'],
        { 'POST /api/v1/auth/login': () => problem(429, 'FF_AUTH_LOCKED', 'too many failed logins: try again in 15 minute(s)', { 'retry-after': '873' }) },
        { io: { stdin: stdin(PASSWORD) } },
      );
      expect(locked.code).toBe(1);
      expect(locked.io.stderr.text).toBe(
        'error: too many failed logins for "admin" (FF_AUTH_LOCKED): try again in 873 s (Retry-After), or ask an admin to unlock the account\n',
      );
      expect(fs.existsSync(store().file)).toBe(false);
    });

    it('notes when FLOWFORGE_TOKEN will still be used before the new sign-in', async () => {
      const r = await cli(
        ['login', '-u', 'admin', '--password-stdin'],
        { 'POST /api/v1/auth/login': () => jsonAnswer(200, pair()) },
        { env: { FLOWFORGE_TOKEN: API_TOKEN }, io: { stdin: stdin(PASSWORD) } },
      );
      expect(r.requests[0]!.bearer).toBeUndefined();
      expect(r.io.stderr.text).toBe('note: the API token from FLOWFORGE_TOKEN is still used before this sign-in; unset it to use the sign-in\n');
    });
  });

  describe('which credential a call sends', () => {
    it('--token, then FLOWFORGE_TOKEN, then the stored sign-in for that URL, then none', async () => {
      await signedIn();
      const sent = async (argv: string[], env: Record<string, string> = {}) => (await cli(argv, { 'GET /api/v1/runs': runsOk }, { env })).requests[0]!.bearer;
      expect(await sent(['runs', '--token', 'eyJflag'], { FLOWFORGE_TOKEN: API_TOKEN })).toBe('eyJflag');
      expect(await sent(['runs'], { FLOWFORGE_TOKEN: API_TOKEN })).toBe(API_TOKEN);
      expect(await sent(['runs'])).toBe('eyJhbGciOi.access-1');
      expect(await sent(['runs', '--url', `${URL}/`])).toBe('eyJhbGciOi.access-1'); // the same server, as normalised
      expect(await sent(['runs', '--url', 'http://other:8080'])).toBeUndefined();
    });

    it('a 401 without any credential says how to sign in (exit 1)', async () => {
      const r = await cli(['runs'], { 'GET /api/v1/runs': () => problem(401, 'FF_AUTH_REQUIRED', 'sign in') });
      expect(r.code).toBe(1);
      expect(r.io.stderr.text).toBe(
        `error: not signed in to ${URL} (FF_AUTH_REQUIRED)\n  sign in: flowforge login\n  or, for scripts and CI, set FLOWFORGE_TOKEN to an API token (flowforge tokens create)\n`,
      );
    });

    it("a 403 prints the server's detail: which permission is missing", async () => {
      const r = await cli(
        ['audit', 'search'],
        { 'GET /api/v1/audit/entries': () => problem(403, 'FF_FORBIDDEN', "this API token's scopes do not include audit:view") },
        { env: { FLOWFORGE_TOKEN: API_TOKEN } },
      );
      expect(r.code).toBe(1);
      expect(r.io.stderr.text).toBe("error: Forbidden: this API token's scopes do not include audit:view\n");
    });

    it('--verbose shows each request, the answer and where the credential came from, never the credential', async () => {
      await signedIn();
      let calls = 0;
      const r = await cli(['runs', '--verbose'], {
        'GET /api/v1/runs': (req) =>
          ++calls === 1
            ? problem(401, 'FF_AUTH_TOKEN_EXPIRED', 'expired')
            : req.bearer === 'eyJhbGciOi.access-2'
              ? runsOk(req)
              : problem(401, 'FF_AUTH_TOKEN_INVALID', 'no'),
        'POST /api/v1/auth/refresh': () => jsonAnswer(200, pair(2)),
      });
      expect(r.code).toBe(0);
      const lines = r.io.stderr.text.trimEnd().split('\n');
      expect(lines).toEqual([
        `> GET ${URL}/api/v1/runs?limit=20 (Bearer: sign-in of admin stored in ${store().file})`,
        expect.stringMatching(/^< 401 \(\d+ ms\)$/),
        'the gateway says the access token has expired: refreshing it',
        `> POST ${URL}/api/v1/auth/refresh (no credential)`,
        expect.stringMatching(/^< 200 \(\d+ ms\)$/),
        `> GET ${URL}/api/v1/runs?limit=20 (Bearer: sign-in of admin stored in ${store().file})`,
        expect.stringMatching(/^< 200 \(\d+ ms\)$/),
        'no runs',
      ]);
      expect(store().read(URL)?.refreshToken).toBe('ffr_refresh-secret-2');
    });
  });

  describe('changing the password', () => {
    const policy = () =>
      jsonAnswer(400, {
        title: 'Bad Request',
        status: 400,
        code: 'FF_PASSWORD_POLICY',
        detail: 'too short; too common',
        errors: [
          { field: 'password', message: 'too-short: at least 12 characters' },
          { field: 'password', message: 'common: a common password' },
        ],
      });

    it('login of an account that must change its password asks for a new one, then refreshes the limited token', async () => {
      const tty = terminal(['admin', PASSWORD, 'New-Weak', 'New-Weak', 'N3w-Str0ng-Passphrase', 'N3w-Str0ng-Passphrase']);
      let changes = 0;
      const r = await cli(
        ['login'],
        {
          'POST /api/v1/auth/login': () => jsonAnswer(200, pair(1, { mustChangePassword: true })),
          'POST /api/v1/auth/password': () => (++changes === 1 ? policy() : new Response(null, { status: 204 })),
          'POST /api/v1/auth/refresh': () => jsonAnswer(200, pair(2)),
        },
        { io: { prompt: tty.prompt } },
      );
      expect(r.code).toBe(0);
      expect(tty.asked).toEqual([
        'Username: ',
        'Password:  (hidden)',
        'New password:  (hidden)',
        'Repeat the new password:  (hidden)',
        'New password:  (hidden)',
        'Repeat the new password:  (hidden)',
      ]);
      expect(r.requests.map((q) => [q.route, q.bearer])).toEqual([
        ['/api/v1/auth/login', undefined],
        ['/api/v1/auth/password', 'eyJhbGciOi.access-1'],
        ['/api/v1/auth/password', 'eyJhbGciOi.access-1'],
        ['/api/v1/auth/refresh', undefined],
      ]);
      expect(r.requests[2]!.body).toEqual({ currentPassword: PASSWORD, newPassword: 'N3w-Str0ng-Passphrase' });
      expect(r.io.stdout.text).toBe(`signed in to ${URL} as admin (admin)\npassword changed; your other sessions have been ended\n`);
      expect(r.io.stderr.text).toBe(
        'this account must change its password before anything else\nthe new password is not accepted:\n  too-short: at least 12 characters\n  common: a common password\n',
      );
      expect(store().read(URL)?.accessToken).toBe('eyJhbGciOi.access-2');
    });

    it('login without a terminal signs in and says to run passwd', async () => {
      const r = await cli(
        ['login', '-u', 'admin', '--password-stdin'],
        { 'POST /api/v1/auth/login': () => jsonAnswer(200, pair(1, { mustChangePassword: true })) },
        { io: { stdin: stdin(PASSWORD) } },
      );
      expect(r.code).toBe(0);
      expect(r.io.stderr.text).toBe(
        'note: this account must change its password before it can do anything else: run flowforge passwd on a terminal, or pipe the current and the new password, one a line, to flowforge passwd --password-stdin\n',
      );
    });

    it('passwd --password-stdin: a scripted sign-in changes its must-change password from two lines, and its next command works', async () => {
      const login = await cli(
        ['login', '-u', 'admin', '--password-stdin'],
        { 'POST /api/v1/auth/login': () => jsonAnswer(200, pair(1, { mustChangePassword: true })) },
        { io: { stdin: stdin(`${PASSWORD}\n`) } },
      );
      expect(login.code).toBe(0);
      const r = await cli(
        ['passwd', '--password-stdin'],
        { 'POST /api/v1/auth/password': () => new Response(null, { status: 204 }), 'POST /api/v1/auth/refresh': () => jsonAnswer(200, pair(2)) },
        { io: { stdin: stdin(`${PASSWORD}\r\nN3w-Str0ng-Passphrase\r\n`) } },
      );
      expect(r.code).toBe(0);
      expect(r.requests.map((q) => [q.route, q.bearer])).toEqual([
        ['/api/v1/auth/password', 'eyJhbGciOi.access-1'],
        ['/api/v1/auth/refresh', undefined],
      ]);
      expect(r.requests[0]!.body).toEqual({ currentPassword: PASSWORD, newPassword: 'N3w-Str0ng-Passphrase' });
      expect(r.io.stdout.text).toBe('password changed; your other sessions have been ended\n');
      // The stored sign-in is the unrestricted one now: the next command sends it.
      expect(store().read(URL)?.accessToken).toBe('eyJhbGciOi.access-2');
      const next = await cli(['runs'], { 'GET /api/v1/runs': runsOk });
      expect(next.code).toBe(0);
      expect(next.requests[0]!.bearer).toBe('eyJhbGciOi.access-2');
    });

    it('passwd --password-stdin: anything but two non-empty lines is a usage error, nothing sent; a refused new password is not asked again', async () => {
      await signedIn();
      for (const [input, why] of [
        [PASSWORD, /stdin held one line/],
        [`${PASSWORD}\nN3w-Str0ng-Passphrase\nextra\n`, /stdin held 3 lines/],
        [`${PASSWORD}\n\n`, /the second line \(the new password\) is empty/],
        [`\nN3w-Str0ng-Passphrase\n`, /the first line \(the current password\) is empty/],
      ] as const) {
        const r = await cli(['passwd', '--password-stdin'], {}, { io: { stdin: stdin(input) } });
        expect({ code: r.code, sent: r.requests.length }).toEqual({ code: 2, sent: 0 });
        expect(r.io.stderr.text).toMatch(why);
      }
      const weak = await cli(['passwd', '--password-stdin'], { 'POST /api/v1/auth/password': policy }, { io: { stdin: stdin(`${PASSWORD}\nNew-Weak\n`) } });
      expect(weak.code).toBe(1);
      expect(weak.requests).toHaveLength(1);
      expect(weak.io.stderr.text).toBe(
        'error: the new password is not accepted (FF_PASSWORD_POLICY); nothing was changed\n  too-short: at least 12 characters\n  common: a common password\n',
      );
      const wrong = await cli(
        ['passwd', '--password-stdin'],
        { 'POST /api/v1/auth/password': () => problem(401, 'FF_AUTH_INVALID_CREDENTIALS', 'the current password is wrong') },
        { io: { stdin: stdin(`not-it\nN3w-Str0ng-Passphrase\n`) } },
      );
      expect(wrong.code).toBe(1);
      expect(wrong.io.stderr.text).toBe('error: the current password is wrong (FF_AUTH_INVALID_CREDENTIALS); nothing was changed\n');
    });

    it('passwd: a wrong current password is said as such (not as a sign-in problem); no terminal is a usage error', async () => {
      await signedIn();
      const tty = terminal(['not-it', 'N3w-Str0ng-Passphrase', 'N3w-Str0ng-Passphrase']);
      const wrong = await cli(
        ['passwd'],
        { 'POST /api/v1/auth/password': () => problem(401, 'FF_AUTH_INVALID_CREDENTIALS', 'the current password is wrong') },
        { io: { prompt: tty.prompt } },
      );
      expect(wrong.code).toBe(1);
      expect(wrong.io.stderr.text).toBe('error: the current password is wrong (FF_AUTH_INVALID_CREDENTIALS); nothing was changed\n');
      expect(store().read(URL)?.accessToken).toBe('eyJhbGciOi.access-1');
      const noTty = await cli(['passwd'], {});
      expect(noTty.code).toBe(2);
      expect(noTty.io.stderr.text).toMatch(/^error: changing a password asks on a terminal/);
    });
  });

  describe('logout and whoami', () => {
    it('logout ends the stored session with its own token and deletes it; again, there is nothing to end', async () => {
      await signedIn();
      const r = await cli(['logout'], { 'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }) }, { env: { FLOWFORGE_TOKEN: API_TOKEN } });
      expect(r.code).toBe(0);
      expect(r.requests.map((q) => [q.method, q.path, q.bearer])).toEqual([['POST', '/api/v1/auth/logout', 'eyJhbGciOi.access-1']]);
      expect(r.io.stdout.text).toBe(`signed out of ${URL}\n`);
      expect(r.io.stderr.text).toBe('note: the API token from FLOWFORGE_TOKEN is still set and still used\n');
      expect(store().read(URL)).toBeUndefined();
      const again = await cli(['logout'], {});
      expect(again).toMatchObject({ code: 0, requests: [] });
      expect(again.io.stderr.text).toBe(`not signed in to ${URL}\n`);
      const after = await cli(['runs'], { 'GET /api/v1/runs': () => problem(401, 'FF_AUTH_REQUIRED', 'sign in') });
      expect(after.io.stderr.text).toMatch(/^error: not signed in to .*\n  sign in: flowforge login\n/);
    });

    it('logout of a session the server already ended still deletes it', async () => {
      await signedIn();
      const r = await cli(['logout'], { 'POST /api/v1/auth/logout': () => problem(401, 'FF_AUTH_SESSION_ENDED', 'this session has ended') });
      expect(r.code).toBe(0);
      expect(r.io.stdout.text).toBe(`signed out of ${URL} (the session had already ended)\n`);
      expect(store().read(URL)).toBeUndefined();
    });

    it("whoami prints the identity, how it signed in, the credential's source, roles and permissions", async () => {
      const me = { id: 'u-1', username: 'admin', type: 'user', via: 'builtin', roles: ['admin'], permissions: ['audit:view', 'workflow:view'] };
      const r = await cli(['whoami'], { 'GET /api/v1/auth/whoami': () => jsonAnswer(200, me) }, { env: { FLOWFORGE_TOKEN: API_TOKEN } });
      expect(r.code).toBe(0);
      expect(r.io.stdout.text).toBe(
        [
          'user         admin (u-1)',
          'via          builtin',
          'credential   API token from FLOWFORGE_TOKEN',
          'roles        admin',
          'permissions  audit:view, workflow:view',
          '',
        ].join('\n'),
      );
      const json = await cli(['whoami', '--json'], { 'GET /api/v1/auth/whoami': () => jsonAnswer(200, me) }, { env: { FLOWFORGE_TOKEN: API_TOKEN } });
      expect(JSON.parse(json.io.stdout.text)).toEqual(me);
    });
  });

  describe('tokens', () => {
    const view = {
      id: TOKEN_ID,
      name: 'ci',
      ownerId: 'u-1',
      permissions: ['workflow:execute', 'workflow:view'],
      createdAt: '2026-01-31T10:00:00Z',
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    };

    it('create prints the token alone on stdout, once, with the warning on stderr', async () => {
      const r = await cli(
        ['tokens', 'create', 'ci', '--permission', 'workflow:view', '--permission', 'workflow:execute', '--expires-in-days', '30'],
        {
          'POST /api/v1/tokens': () => jsonAnswer(201, { ...view, token: API_TOKEN }),
        },
        { env: { FLOWFORGE_TOKEN: 'eyJ.admin' } },
      );
      expect(r.code).toBe(0);
      expect(r.requests[0]!.body).toEqual({ name: 'ci', permissions: ['workflow:view', 'workflow:execute'], expiresInDays: 30 });
      expect(r.io.stdout.text).toBe(`${API_TOKEN}\n`);
      expect(r.io.stderr.text).toBe(
        `created API token ${TOKEN_ID} "ci" (workflow:execute, workflow:view), never expires\n` +
          'this is the only time the token is shown: store it now (e.g. as FLOWFORGE_TOKEN in your CI secrets)\n',
      );
    });

    it('create needs at least one --permission; revoke needs a token id (exit 2, nothing sent)', async () => {
      const none = await cli(['tokens', 'create', 'ci'], {});
      expect(none.code).toBe(2);
      expect(none.io.stderr.text).toMatch(/required option '--permission <permission>' not specified/);
      const bad = await cli(['tokens', 'revoke', 'ci'], {});
      expect(bad.code).toBe(2);
      expect(bad.io.stderr.text).toMatch(/expected a token id/);
      expect([...none.requests, ...bad.requests]).toEqual([]);
    });

    it("ls shows each token's state, never the token; revoke deletes by id", async () => {
      const revoked = { ...view, id: '1b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a', name: 'old', revokedAt: '2026-01-30T00:00:00Z' };
      const ls = await cli(['tokens', 'ls'], { 'GET /api/v1/tokens': () => jsonAnswer(200, [view, revoked]) }, { env: { FLOWFORGE_TOKEN: 'eyJ.admin' } });
      const [header, ...rows] = ls.io.stdout.text.trimEnd().split('\n');
      expect(header).toMatch(/^ID +NAME +STATE +PERMISSIONS +CREATED +EXPIRES +LAST USED$/);
      expect(rows[0]).toMatch(new RegExp(`^${TOKEN_ID} +ci +active +workflow:execute,workflow:view +\\S+ \\S+ +never +never$`));
      expect(rows[1]).toMatch(/ old +revoked /);
      const revoke = await cli(
        ['tokens', 'revoke', TOKEN_ID.toUpperCase()],
        { [`DELETE /api/v1/tokens/${TOKEN_ID}`]: () => new Response(null, { status: 204 }) },
        { env: { FLOWFORGE_TOKEN: 'eyJ.admin' } },
      );
      expect(revoke.code).toBe(0);
      expect(revoke.io.stdout.text).toBe(`token ${TOKEN_ID} revoked\n`);
    });
  });

  describe('audit search and export', () => {
    const env = { FLOWFORGE_TOKEN: API_TOKEN };

    it('search maps the filters to the query (times as UTC ISO 8601) and prints a table', async () => {
      const entry = {
        seq: 7,
        id: 'e-7',
        at: '2026-01-31T10:00:07.000Z',
        service: 'auth',
        actorType: 'user',
        actorId: 'u-1',
        actorName: 'ada',
        action: 'auth:login',
        resourceType: 'session',
        resourceId: 's-1',
        outcome: 'denied',
        status: 401,
        ip: '10.0.0.9',
        userAgent: null,
        traceId: null,
        changes: null,
        prevHash: '0'.repeat(64),
        hash: '1'.repeat(64),
      };
      const r = await cli(
        [
          'audit',
          'search',
          '--actor',
          'ada',
          '--action',
          'auth:*',
          '--resource-type',
          'session',
          '--outcome',
          'denied',
          '--since',
          '2026-01-31',
          '--until',
          '2026-02-01T12:00',
          '-n',
          '1',
        ],
        { 'GET /api/v1/audit/entries': () => jsonAnswer(200, { items: [entry], nextAfterSeq: 7 }) },
        { env },
      );
      expect(r.code).toBe(0);
      expect(r.requests[0]!.path).toBe(
        '/api/v1/audit/entries?actor=ada&action=auth%3A*&resourceType=session&outcome=denied&since=2026-01-31T00%3A00%3A00.000Z&until=2026-02-01T12%3A00%3A00.000Z&limit=1',
      );
      const [header, row] = r.io.stdout.text.split('\n');
      expect(header).toMatch(/^SEQ +AT +ACTOR +ACTION +RESOURCE +OUTCOME +STATUS +IP$/);
      expect(row).toMatch(/^ {2}7 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +ada +auth:login +session\/s-1 +denied +401 +10\.0\.0\.9$/);
      expect(r.io.stderr.text).toBe('more: add --after-seq 7 to the same command\n');
      const bad = await cli(['audit', 'search', '--since', 'yesterday'], {}, { env });
      expect(bad.code).toBe(2);
      expect(bad.io.stderr.text).toMatch(/expected a date \(2026-01-31\), a date-time/);
    });

    const CSV = 'seq,id,at,service\n1,e-1,2026-01-31T10:00:00.000Z,auth\n';
    const streamed = (chunks: string[], fail?: Error): Response => {
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = chunks.shift();
          if (next !== undefined) controller.enqueue(new TextEncoder().encode(next));
          else if (fail) controller.error(fail);
          else controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' } });
    };

    it('export -o writes the whole file (format from --format or the file name); stdout without -o', async () => {
      const r = await cli(
        ['audit', 'export', '--format', 'csv', '-o', path.join(dir, 'audit.csv'), '--actor', 'ada'],
        { 'GET /api/v1/audit/export': () => streamed(CSV.match(/.{1,10}/gs)!) },
        { env },
      );
      expect(r.code).toBe(0);
      expect(r.requests[0]!.path).toBe('/api/v1/audit/export?format=csv&actor=ada');
      expect(fs.readFileSync(path.join(dir, 'audit.csv'), 'utf8')).toBe(CSV);
      expect(r.io.stderr.text).toMatch(/^wrote \d+ B of audit log to .*audit\.csv \(csv\)\n$/);
      const byName = await cli(['audit', 'export', '-o', path.join(dir, 'again.csv')], { 'GET /api/v1/audit/export': () => streamed([CSV]) }, { env });
      expect(byName.requests[0]!.query.get('format')).toBe('csv');
      const out = await cli(['audit', 'export', '--format', 'csv'], { 'GET /api/v1/audit/export': () => streamed([CSV]) }, { env });
      expect(out.io.stdout.text).toBe(CSV);
      const unknown = await cli(['audit', 'export', '-o', 'audit.txt'], {}, { env });
      expect(unknown.code).toBe(2);
      expect(unknown.io.stderr.text).toMatch(/--format csv\|json is required/);
    });

    it('a download that fails half-way leaves no file, not even a temp file, and an older export untouched', async () => {
      const file = path.join(dir, 'audit.csv');
      fs.writeFileSync(file, 'the previous export\n');
      const r = await cli(
        ['audit', 'export', '--format', 'csv', '-o', file],
        { 'GET /api/v1/audit/export': () => streamed([CSV], Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } })) },
        { env },
      );
      expect(r.code).toBe(1);
      expect(r.io.stderr.text).toBe(`error: the download failed after ${Buffer.byteLength(CSV)} bytes (ECONNRESET); audit.csv was not written\n`);
      expect(fs.readFileSync(file, 'utf8')).toBe('the previous export\n');
      expect(fs.readdirSync(dir).sort()).toEqual(['audit.csv']);
      const json = await cli(
        ['audit', 'export', '-o', path.join(dir, 'cut.json')],
        {
          'GET /api/v1/audit/export': () => new Response('[\n{"seq":1}', { status: 200, headers: { 'content-type': 'application/json' } }),
        },
        { env },
      );
      expect(json.code).toBe(1);
      expect(json.io.stderr.text).toMatch(/the JSON array is not closed\); cut\.json was not written/);
      expect(fs.readdirSync(dir).sort()).toEqual(['audit.csv']);
    });
  });
});
