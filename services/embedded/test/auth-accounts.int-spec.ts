import { totpCode } from '@flowforge/access';
import { startTracing, type TracingHandle } from '@flowforge/service-kit';
import { startTestSmtpServer, type TestSmtpServer, createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function median(fn: () => Promise<unknown>, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

/** Built-in accounts on the real host: lockout, MFA, password policy and reset by mail (real SMTP server), audit integrity. */
describe('built-in accounts', () => {
  let host: AuthHost;
  let smtp: TestSmtpServer;
  /** Shown once by design (TOTP secret, recovery codes, reset link) but never in the audit log or the logs. */
  const secrets: string[] = [];
  /** Never in any answer either. */
  const passwords: string[] = [];

  let tracing: TracingHandle;

  beforeAll(async () => {
    // As in every FlowForge process: spans without an exporter, so audit entries carry the request's trace id.
    tracing = startTracing({ serviceName: 'auth-accounts-test' });
    smtp = await startTestSmtpServer({ username: 'mailer', password: 'smtp-secret-Pw1' });
    passwords.push('smtp-secret-Pw1', 'Bootstrap-Root-Pass-9');
    host = await startAuthHost(() => createTestDatabase('ff_authaccounts'), {
      FLOWFORGE_SMTP_URL: smtp.url,
      FLOWFORGE_AUTH_LOCKOUT_THRESHOLD: '5',
      FLOWFORGE_PUBLIC_URL: 'http://console.test',
    });
  });

  afterAll(async () => {
    await host?.stop();
    await smtp?.close();
    await tracing?.shutdown();
  });

  describe('brute force', () => {
    it('locks a login name after 5 failures, even for the right password, until an admin unlocks it', async () => {
      const user = await host.userWith(['analyst']);
      passwords.push(user.password);
      const [failures, lockedBefore] = [
        await host.metric('ff_auth_logins_total', { outcome: 'failure' }),
        await host.metric('ff_auth_logins_total', { outcome: 'locked' }),
      ];
      for (let i = 0; i < 5; i++) {
        const res = await host.call<{ code: string }>('POST', '/api/v1/auth/login', { body: { username: user.username, password: `wrong-${i}` } });
        expect({ attempt: i, status: res.status, code: res.body.code }).toEqual({ attempt: i, status: 401, code: 'FF_AUTH_INVALID_CREDENTIALS' });
      }
      const locked = await host.call<{ code: string }>('POST', '/api/v1/auth/login', { body: { username: user.username, password: user.password } });
      expect({ status: locked.status, code: locked.body.code }).toEqual({ status: 429, code: 'FF_AUTH_LOCKED' });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
      expect(await host.metric('ff_auth_logins_total', { outcome: 'failure' })).toBe(failures + 5);
      expect(await host.metric('ff_auth_logins_total', { outcome: 'locked' })).toBe(lockedBefore + 1);
      const listed = await host.call<{ lockedUntil: string | null }>('GET', `/api/v1/users/${user.id}`, { token: await host.adminToken() });
      expect(listed.body.lockedUntil).not.toBeNull();
      expect((await host.call('POST', `/api/v1/users/${user.id}/unlock`, { token: await host.adminToken() })).status).toBe(200);
      expect((await host.login(user.username, user.password)).accessToken).toBeTruthy();
    });

    it('answers an unknown user exactly like a wrong password, in similar time, and locks it the same way', async () => {
      const user = await host.userWith(['analyst']);
      const known = await host.call<Record<string, unknown>>('POST', '/api/v1/auth/login', { body: { username: user.username, password: 'not-it-1' } });
      const unknown = await host.call<Record<string, unknown>>('POST', '/api/v1/auth/login', { body: { username: 'nobody-here', password: 'not-it-1' } });
      expect(unknown.status).toBe(known.status);
      expect(unknown.body).toEqual(known.body);
      // argon2id runs for the unknown user too (against a dummy hash). Skipping it would make an unknown
      // name answer in a few ms against ~50 ms or more (a ratio under 0.1); the bounds leave room for a busy
      // CI machine. 4 samples each: with the failure above that is 5 for the known name, all verified before the lock.
      const tKnown = await median(() => host.call('POST', '/api/v1/auth/login', { body: { username: `${user.username}`, password: 'nope-2' } }), 4);
      const tUnknown = await median(() => host.call('POST', '/api/v1/auth/login', { body: { username: 'nobody-else', password: 'nope-2' } }), 4);
      expect(tUnknown / tKnown).toBeGreaterThan(0.25);
      expect(tUnknown / tKnown).toBeLessThan(4);
      for (let i = 0; i < 5; i++) await host.call('POST', '/api/v1/auth/login', { body: { username: 'ghost-user', password: 'x' } });
      const ghost = await host.call<{ code: string }>('POST', '/api/v1/auth/login', { body: { username: 'ghost-user', password: 'x' } });
      expect({ status: ghost.status, code: ghost.body.code }).toEqual({ status: 429, code: 'FF_AUTH_LOCKED' });
    });
  });

  it('refuses a weak password naming every rule it breaks, and a reused one', async () => {
    const admin = await host.adminToken();
    const weak = await host.call<{ code: string; errors: { message: string }[] }>('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'weakling', password: 'password1', roles: [] },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('FF_PASSWORD_POLICY');
    const codes = weak.body.errors.map((e) => e.message.split(':')[0]);
    expect(codes).toEqual(expect.arrayContaining(['FF_PASSWORD_TOO_SHORT', 'FF_PASSWORD_COMMON', 'FF_PASSWORD_CHARACTER_CLASSES']));
    expect(weak.text).not.toContain('password1');

    const user = await host.userWith(['analyst']);
    const reuse = await host.call<{ code: string; errors: { message: string }[] }>('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: user.password },
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^FF_PASSWORD_REUSED/)]);
    const next = `${user.password}-Next`;
    passwords.push(user.password, next);
    expect((await host.call('POST', '/api/v1/auth/password', { token: user.token, body: { currentPassword: user.password, newPassword: next } })).status).toBe(
      204,
    );
    expect((await host.call('POST', '/api/v1/auth/login', { body: { username: user.username, password: user.password } })).status).toBe(401);
    expect((await host.login(user.username, next)).accessToken).toBeTruthy();
  });

  it('an admin sets a temporary password: old sessions end, the user must change it first', async () => {
    const admin = await host.adminToken();
    const user = await host.userWith(['developer']);
    const temporary = 'Temporary-Pass-4-You';
    passwords.push(temporary);
    const set = await host.call<{ mustChangePassword: boolean }>('POST', `/api/v1/users/${user.id}/password`, { token: admin, body: { password: temporary } });
    expect({ status: set.status, must: set.body.mustChangePassword }).toEqual({ status: 200, must: true });
    expect((await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.session.refreshToken } })).status).toBe(401);
    const session = await host.login(user.username, temporary);
    const blocked = await host.call<{ code: string }>('GET', '/api/v1/jobs', { token: session.accessToken });
    expect(blocked.body.code).toBe('FF_AUTH_PASSWORD_CHANGE_REQUIRED');
    const weak = await host.call('POST', `/api/v1/users/${user.id}/password`, { token: admin, body: { password: 'short' } });
    expect(weak.status).toBe(400);
    const self = await host.call<{ code: string }>('GET', '/api/v1/auth/me', { token: admin });
    const own = await host.call<{ code: string }>('POST', `/api/v1/users/${(self.body as unknown as { id: string }).id}/password`, {
      token: admin,
      body: { password: 'Whatever-Strong-77' },
    });
    expect(own.body.code).toBe('FF_USER_SELF_PASSWORD');
  });

  it('TOTP: enrol, confirm, then sign-in needs a fresh code or a single-use recovery code', async () => {
    const user = await host.userWith(['developer']);
    const begin = await host.call<{ secret: string; otpauthUri: string }>('POST', '/api/v1/auth/mfa/totp', { token: user.token });
    expect(begin.status).toBe(200);
    expect(begin.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/FlowForge:/);
    secrets.push(begin.body.secret);
    const wrong = await host.call<{ code: string }>('POST', '/api/v1/auth/mfa/totp/confirm', { token: user.token, body: { code: '000000' } });
    expect(wrong.body.code).toBe('FF_MFA_CODE_INVALID');
    const confirmed = await host.call<{ recoveryCodes: string[] }>('POST', '/api/v1/auth/mfa/totp/confirm', {
      token: user.token,
      body: { code: totpCode(begin.body.secret, Date.now()) },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    secrets.push(...confirmed.body.recoveryCodes);

    const noCode = await host.call<{ code: string }>('POST', '/api/v1/auth/login', { body: { username: user.username, password: user.password } });
    expect({ status: noCode.status, code: noCode.body.code }).toEqual({ status: 401, code: 'FF_AUTH_MFA_REQUIRED' });
    const badCode = await host.call<{ code: string }>('POST', '/api/v1/auth/login', {
      body: { username: user.username, password: user.password, otp: '123456' },
    });
    expect(badCode.status).toBe(401);
    // The confirm used this step's code; the next step's code is accepted (one step of drift allowed), once.
    const next = totpCode(begin.body.secret, Date.now() + 30_000);
    expect((await host.login(user.username, user.password, { otp: next })).accessToken).toBeTruthy();
    expect((await host.call('POST', '/api/v1/auth/login', { body: { username: user.username, password: user.password, otp: next } })).status).toBe(401);
    const recovery = confirmed.body.recoveryCodes[0]!;
    expect((await host.login(user.username, user.password, { recoveryCode: recovery })).accessToken).toBeTruthy();
    expect((await host.call('POST', '/api/v1/auth/login', { body: { username: user.username, password: user.password, recoveryCode: recovery } })).status).toBe(
      401,
    );
    const me = await host.call<{ mfaEnabled: boolean }>('GET', '/api/v1/auth/me', { token: user.token });
    expect(me.body.mfaEnabled).toBe(true);
  });

  it('password reset: a mailed single-use link through a real SMTP server; unknown addresses get the same 202 and no mail', async () => {
    const admin = await host.adminToken();
    const password = 'Reset-Me-Later-77';
    const created = await host.call<{ id: string }>('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'resetter', email: 'resetter@example.com', password, roles: ['analyst'] },
    });
    expect(created.status).toBe(201);
    const session = await host.login('resetter', password);

    const before = smtp.messages.length;
    const unknown = await host.call('POST', '/api/v1/auth/password/reset-request', { body: { email: 'nobody@example.com' } });
    const known = await host.call('POST', '/api/v1/auth/password/reset-request', { body: { email: 'resetter@example.com' } });
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(unknown.text).toBe(known.text);
    const mail = await smtp.waitForMail((m) => m.envelope.to.includes('resetter@example.com'));
    expect(smtp.messages.slice(before).map((m) => m.envelope.to)).toEqual([['resetter@example.com']]);
    const link = /http:\/\/console\.test\/reset-password\?token=(\S+)/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    const token = decodeURIComponent(link![1]!);
    secrets.push(token);

    const next = 'Brand-New-Secret-88';
    passwords.push(next, password);
    expect((await host.call('POST', '/api/v1/auth/password/reset', { body: { token, newPassword: next } })).status).toBe(204);
    const again = await host.call<{ code: string }>('POST', '/api/v1/auth/password/reset', { body: { token, newPassword: 'Another-New-One-99' } });
    expect(again.body.code).toBe('FF_RESET_TOKEN_INVALID');
    expect((await host.call('POST', '/api/v1/auth/login', { body: { username: 'resetter', password } })).status).toBe(401);
    expect((await host.login('resetter', next)).accessToken).toBeTruthy();
    // Every earlier session ended with the reset.
    expect((await host.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).status).toBe(401);
  });

  describe('audit log', () => {
    it('records logins, failures, user changes and mutating API calls, with actor, IP and user agent', async () => {
      const admin = await host.adminToken();
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await host.call('PUT', '/api/v1/workflows/audited', {
        token: admin,
        body: { steps: [] },
        headers: { 'user-agent': 'audit-test/1.0', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      });
      expect(res.status).toBeGreaterThanOrEqual(200);
      let entries: {
        action: string;
        outcome: string;
        userAgent: string | null;
        ip: string | null;
        actorName: string | null;
        traceId: string | null;
        changes: unknown;
      }[] = [];
      for (let i = 0; i < 50 && !entries.some((e) => e.userAgent === 'audit-test/1.0'); i++) {
        await wait(100);
        entries = (await host.call<{ items: typeof entries }>('GET', '/api/v1/audit/entries?limit=1000', { token: admin })).body.items;
      }
      const call = entries.find((e) => e.userAgent === 'audit-test/1.0');
      expect(call).toMatchObject({ action: 'workflow:edit', actorName: 'admin', ip: '127.0.0.1', traceId });
      expect(call!.changes).toEqual({ route: 'PUT /api/v1/workflows/:name', fields: ['steps'] });
      const actions = new Set(entries.map((e) => `${e.action}/${e.outcome}`));
      for (const a of ['auth:login/success', 'auth:login/denied', 'settings:manage-users/success', 'auth:mfa-enable/success', 'auth:password-reset/success'])
        expect([...actions]).toContain(a);

      const filtered = await host.call<{ items: { action: string }[] }>('GET', '/api/v1/audit/entries?action=auth:*&outcome=denied', { token: admin });
      expect(filtered.body.items.length).toBeGreaterThan(0);
      expect(new Set(filtered.body.items.map((e) => e.action.split(':')[0]))).toEqual(new Set(['auth']));
    });

    it('owning services record each change with its before/after (secrets redacted), and secret reads', async () => {
      const dev = await host.userWith(['developer']);
      const admin = await host.adminToken();
      const dbPassword = 'Conn-Secret-Value-31';
      passwords.push(dbPassword, 'Conn-Secret-Value-32');
      const created = await host.call<{ id: string }>('POST', '/api/v1/connections', {
        token: admin,
        body: { name: 'audited-pg', type: 'postgres', config: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', password: dbPassword } },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(
        (
          await host.call('PATCH', `/api/v1/connections/${id}`, {
            token: admin,
            body: { description: 'warehouse', config: { password: 'Conn-Secret-Value-32' } },
          })
        ).status,
      ).toBe(200);
      expect((await host.call('POST', `/api/v1/connections/${id}/test`, { token: dev.token })).status).toBe(200);
      expect((await host.call('DELETE', `/api/v1/connections/${id}`, { token: admin })).status).toBe(204);
      const wf = { steps: [{ id: 'a', job: 'noop-job' }] };
      const job = await host.call('PUT', '/api/v1/jobs/noop-job', { token: dev.token, body: { type: 'noop', config: {} } });
      expect(job.status).toBe(201);
      expect((await host.call('PUT', '/api/v1/workflows/audited-flow', { token: dev.token, body: wf })).status).toBe(201);
      expect((await host.call('PUT', '/api/v1/workflows/audited-flow', { token: dev.token, body: { ...wf, description: 'v2' } })).status).toBe(201);

      type Entry = {
        service: string;
        action: string;
        actorName: string | null;
        resourceType: string | null;
        resourceId: string | null;
        changes: { before: unknown; after: unknown };
      };
      let entries: Entry[] = [];
      const byService = () => entries.filter((e) => e.service === 'embedded' && e.changes && 'before' in e.changes);
      for (let i = 0; i < 50; i++) {
        entries = (await host.call<{ items: Entry[] }>('GET', `/api/v1/audit/entries?limit=1000`, { token: admin })).body.items;
        if (entries.some((e) => e.action === 'workflow:edit' && e.resourceId === 'audited-flow' && e.changes && 'before' in e.changes)) break;
        await wait(100);
      }
      const connection = byService().filter((e) => e.resourceType === 'connection' && e.resourceId === id);
      expect(connection.map((e) => e.action)).toEqual(['settings:manage-connections', 'settings:manage-connections', 'settings:manage-connections']);
      expect(connection[0]!.changes.before).toBeNull();
      expect(connection[0]!.changes.after).toMatchObject({ name: 'audited-pg', config: { host: '127.0.0.1', password: '[redacted]' } });
      expect(connection[1]!.changes).toEqual({
        before: { description: null, version: 1, updatedAt: expect.any(String) },
        after: { description: 'warehouse', version: 2, updatedAt: expect.any(String) },
      });
      expect(connection[2]!.changes.after).toBeNull();
      const read = entries.find((e) => e.action === 'connection:secret-read' && e.resourceId === id);
      expect(read).toMatchObject({ actorName: dev.username, changes: { purpose: 'connection test', fields: ['password'] } });
      const flow = byService().filter((e) => e.resourceType === 'workflow' && e.resourceId === 'audited-flow');
      expect(flow.map((e) => e.action)).toEqual(['workflow:create', 'workflow:edit']);
      expect(flow[1]).toMatchObject({ actorName: dev.username, changes: { before: { version: 1 }, after: { version: 2, spec: { description: 'v2' } } } });
      const exported = await host.call('GET', '/api/v1/audit/export?format=json', { token: admin });
      expect(exported.text).not.toContain(dbPassword);
      expect(exported.text).not.toContain('Conn-Secret-Value-32');
    });

    it('exports CSV and JSON', async () => {
      const admin = await host.adminToken();
      const csv = await host.call('GET', '/api/v1/audit/export?format=csv', { token: admin });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe(
        'seq,id,at,service,actorType,actorId,actorName,action,resourceType,resourceId,outcome,status,ip,userAgent,traceId,changes,prevHash,hash',
      );
      expect(lines.length).toBeGreaterThan(10);
      const json = await host.call<{ seq: number }[]>('GET', '/api/v1/audit/export?format=json', { token: admin });
      expect(json.body.map((e) => e.seq)).toEqual(json.body.map((_e, i) => i + 1));
    });

    it('never contains a password, secret or token, nor do the logs or answers', async () => {
      const admin = await host.adminToken();
      const json = await host.call('GET', '/api/v1/audit/export?format=json', { token: admin });
      const logs = host.logs.join('\n');
      const answers = host.answers.join('\n');
      expect(secrets.length + passwords.length).toBeGreaterThan(15);
      const leaks = [...secrets, ...passwords].flatMap((s) =>
        [json.text.includes(s) ? `audit: ${s}` : '', logs.includes(s) ? `logs: ${s}` : ''].filter(Boolean),
      );
      expect(leaks).toEqual([]);
      expect(passwords.filter((p) => answers.includes(p))).toEqual([]);
      const { rows } = await host.pool.query<{ password_hash: string }>(`SELECT password_hash FROM ff_auth.users WHERE username = 'resetter'`);
      expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
      expect(json.text).not.toContain(rows[0]!.password_hash);
    });

    it('is append-only, and the hash chain names an entry edited behind its back', async () => {
      const admin = await host.adminToken();
      expect((await host.call<{ ok: boolean }>('GET', '/api/v1/audit/verify', { token: admin })).body.ok).toBe(true);
      await expect(host.pool.query(`UPDATE ff_auth.audit_log SET actor_name = 'someone-else' WHERE seq = 3`)).rejects.toThrow(/FF_AUDIT_APPEND_ONLY/);
      await expect(host.pool.query(`DELETE FROM ff_auth.audit_log WHERE seq = 3`)).rejects.toThrow(/FF_AUDIT_APPEND_ONLY/);
      // A superuser can switch the trigger off; the chain still tells.
      await host.pool.query(`ALTER TABLE ff_auth.audit_log DISABLE TRIGGER audit_log_append_only`);
      await host.pool.query(`UPDATE ff_auth.audit_log SET actor_name = 'someone-else' WHERE seq = 3`);
      await host.pool.query(`ALTER TABLE ff_auth.audit_log ENABLE TRIGGER audit_log_append_only`);
      const verify = await host.call<{ ok: boolean; brokenAt: { seq: number; reason: string } }>('GET', '/api/v1/audit/verify', { token: admin });
      expect(verify.body).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: 'hash-mismatch' } });
    });
  });
});
