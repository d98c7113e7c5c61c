import { createServer, type Server, type Socket } from 'node:net';
import { startTestSmtpServer, type TestSmtpServer } from '@flowforge/testing';
import { consoleLink, MailError, Mailer, passwordResetMail } from './mailer';

const FROM = 'FlowForge <no-reply@flowforge.local>';
const USER = 'mailer';
const PASSWORD = 'hunter2-Sm7p!';

/** Every form the password could take in a message: as is, percent-encoded, base64 (AUTH LOGIN / PLAIN). */
const passwordForms = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  Buffer.from(PASSWORD).toString('base64'),
  Buffer.from(`\u0000${USER}\u0000wrong-${PASSWORD}`).toString('base64'),
];

async function sendError(mailer: Mailer, to = 'ada@example.com'): Promise<MailError> {
  try {
    await mailer.send({ to, subject: 's', text: 't' });
  } catch (err) {
    if (err instanceof MailError) return err;
    throw err;
  }
  throw new Error('expected send to fail');
}

/** A port nothing listens on: bound, read, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Mailer against a real SMTP server', () => {
  let smtp: TestSmtpServer;
  const mailers: Mailer[] = [];
  const mailer = (smtpUrl: string | undefined, timeoutMs?: number) => {
    const m = new Mailer({ smtpUrl, from: FROM, timeoutMs });
    mailers.push(m);
    return m;
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer({ username: USER, password: PASSWORD });
  });
  afterAll(async () => {
    for (const m of mailers) m.close();
    await smtp.close();
  });

  it('delivers the password-reset mail with From, To, Subject and the link intact', async () => {
    // A long token and a base path: the link is longer than a quoted-printable line and has "=" in it.
    const token = 'tK9_-' + 'x'.repeat(80) + '-Zq';
    const link = consoleLink('http://localhost:8080/console/', '/reset-password', { token });
    expect(link).toBe(`http://localhost:8080/console/reset-password?token=${token}`);
    const m = mailer(smtp.url);
    expect(m.enabled).toBe(true);
    expect(m.describe()).toBe(`smtp://${USER}:***@127.0.0.1:${smtp.port}`);

    const sent = await m.send(passwordResetMail({ to: 'ada@example.com', username: 'ada <admin>', link, expiresInMinutes: 30 }));
    expect(sent.accepted).toEqual(['ada@example.com']);

    const mail = await smtp.waitForMail((x) => x.envelope.to.includes('ada@example.com'));
    expect(mail.authUser).toBe(USER);
    expect(mail.envelope).toEqual({ from: 'no-reply@flowforge.local', to: ['ada@example.com'] });
    expect(mail.from).toBe('FlowForge <no-reply@flowforge.local>');
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe('Reset your FlowForge password');
    expect(mail.headers['message-id']).toBe(sent.messageId);
    // The link on a line of its own in the text part, byte for byte.
    expect(mail.text?.split('\n')).toContain(link);
    expect(mail.text).toContain('expires in 30 minutes');
    expect(mail.html).toContain(`<a href="${link}">`);
    expect(mail.html).toContain('ada &lt;admin&gt;');
    expect(mail.html).not.toContain('<admin>');
  });

  it('fails with FF_MAIL_SEND_FAILED on wrong credentials, never showing the password', async () => {
    const url = smtp.url.replace(encodeURIComponent(PASSWORD), encodeURIComponent(`wrong-${PASSWORD}`));
    const before = smtp.messages.length;
    const err = await sendError(mailer(url));
    expect(err.code).toBe('FF_MAIL_SEND_FAILED');
    expect(err.message).toMatch(new RegExp(`^FF_MAIL_SEND_FAILED: could not send mail to ada@example\\.com through 127\\.0\\.0\\.1:${smtp.port}: `));
    expect(err.message).toContain('535');
    expect(err.detail.smtpErrorCode).toBe('EAUTH');
    const everything = `${err.message}\n${err.stack}\n${JSON.stringify(err)}`;
    for (const form of passwordForms) expect(everything).not.toContain(form);
    expect(everything).not.toContain('wrong-');
    expect(smtp.messages).toHaveLength(before);
  });

  it('fails with FF_MAIL_SEND_FAILED when nothing listens on the port, well within the timeout', async () => {
    const port = await closedPort();
    const started = Date.now();
    const err = await sendError(mailer(`smtp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`, 5_000));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe('FF_MAIL_SEND_FAILED');
    expect(err.message).toContain(`through 127.0.0.1:${port}: `);
    expect(err.message).toContain('ECONNREFUSED');
    for (const form of passwordForms) expect(err.message).not.toContain(form);
  });

  it('gives up on a server that accepts the connection but never greets, after the timeout', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const err = await sendError(mailer(`smtp://127.0.0.1:${port}`, 500));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(400);
      expect(elapsed).toBeLessThan(3_000);
      expect(err.code).toBe('FF_MAIL_SEND_FAILED');
      expect(err.message).toContain(`through 127.0.0.1:${port}: `);
      expect(err.detail.smtpErrorCode).toBe('ETIMEDOUT');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a recipient list or a display name, so a value cannot add recipients', async () => {
    const before = smtp.messages.length;
    const err = await sendError(mailer(smtp.url), 'ada@example.com, eve@example.com');
    expect(err.code).toBe('FF_MAIL_SEND_FAILED');
    expect(err.message).toContain('the recipient is not a single e-mail address');
    expect(smtp.messages).toHaveLength(before);
  });

  it('throws FF_MAIL_DISABLED without FLOWFORGE_SMTP_URL, naming the variable', async () => {
    const m = mailer(undefined);
    expect(m.enabled).toBe(false);
    expect(m.describe()).toBe('disabled');
    const err = await sendError(m);
    expect(err.code).toBe('FF_MAIL_DISABLED');
    expect(err.message).toMatch(/^FF_MAIL_DISABLED: mail to ada@example\.com was not sent: .*set FLOWFORGE_SMTP_URL/);
  });

  it('refuses to send once closed', async () => {
    const m = mailer(smtp.url);
    m.close();
    const err = await sendError(m);
    expect(err.code).toBe('FF_MAIL_SEND_FAILED');
    expect(err.message).toContain('the mailer is closed');
  });

  it('says what it received when the awaited mail does not come', async () => {
    await expect(smtp.waitForMail((x) => x.subject === 'never sent', 200)).rejects.toThrow(
      /^waitForMail: no matching mail within 200 ms on smtp:\/\/127\.0\.0\.1:\d+; received \d+:\n {2}1\. to ada@example\.com: "Reset your FlowForge password"/,
    );
  });
});

describe('passwordResetMail', () => {
  it('escapes every value in the HTML part and keeps the text part plain', () => {
    const mail = passwordResetMail({
      to: 'x@example.com',
      username: `<script>alert("x")</script>&'`,
      link: 'https://ff.example/reset?token=a&b="c"',
      expiresInMinutes: 60,
    });
    expect(mail.to).toBe('x@example.com');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(mail.html).toContain('href="https://ff.example/reset?token=a&amp;b=&quot;c&quot;"');
    expect(mail.text).toContain('\nhttps://ff.example/reset?token=a&b="c"\n');
    expect(mail.text).toContain('expires in 1 hour.');
  });
});
