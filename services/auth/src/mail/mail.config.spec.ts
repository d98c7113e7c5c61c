import { ConfigError, describeConfig, loadConfig } from '@flowforge/service-kit';
import { describeSmtpTarget, mailConfigVariables, parseSmtpUrl } from './mail.config';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('mailConfigVariables', () => {
  it('defaults to mail disabled, a local sender and the embedded console URL', () => {
    expect(loadConfig(mailConfigVariables, {})).toEqual({
      FLOWFORGE_SMTP_URL: undefined,
      FLOWFORGE_MAIL_FROM: 'FlowForge <no-reply@flowforge.local>',
      FLOWFORGE_PUBLIC_URL: 'http://localhost:8080',
    });
    expect(loadConfig(mailConfigVariables, { FLOWFORGE_SMTP_URL: '  ' }).FLOWFORGE_SMTP_URL).toBeUndefined();
  });

  it('accepts smtp:// and smtps:// URLs, a bare or named sender and an https console URL', () => {
    const cfg = loadConfig(mailConfigVariables, {
      FLOWFORGE_SMTP_URL: 'smtps://mailer:s3cret@mail.example.com',
      FLOWFORGE_MAIL_FROM: 'ops@example.com',
      FLOWFORGE_PUBLIC_URL: 'https://flowforge.example.com/console',
    });
    expect(cfg.FLOWFORGE_SMTP_URL).toBe('smtps://mailer:s3cret@mail.example.com');
    expect(cfg.FLOWFORGE_MAIL_FROM).toBe('ops@example.com');
    expect(loadConfig(mailConfigVariables, { FLOWFORGE_SMTP_URL: 'smtp://mail:1025' }).FLOWFORGE_SMTP_URL).toBe('smtp://mail:1025');
    expect(loadConfig(mailConfigVariables, { FLOWFORGE_MAIL_FROM: '"Data Team" <data@example.com>' }).FLOWFORGE_MAIL_FROM).toBe(
      '"Data Team" <data@example.com>',
    );
  });

  it('names FLOWFORGE_SMTP_URL and the expected form for a bad URL, without echoing it', () => {
    const secret = 'http://mailer:hunter2@mail:587';
    const [issue, ...rest] = issuesOf(() => loadConfig(mailConfigVariables, { FLOWFORGE_SMTP_URL: secret }));
    expect(rest).toEqual([]);
    expect(issue).toBe(
      'FF_CONFIG: FLOWFORGE_SMTP_URL must be a smtp:// or smtps:// URL, e.g. smtp://user:pass@mail:587 (got a value that is not shown because the variable is sensitive)',
    );
    expect(issue).not.toContain('hunter2');

    for (const bad of ['smtp://u:hunter2@mail:587/path', 'smtp://u:hunter2@mail:587?ignoreTLS=true', 'smtp://u:hunter2%zz@mail', 'smtp://:hunter2@mail']) {
      const issues = issuesOf(() => loadConfig(mailConfigVariables, { FLOWFORGE_SMTP_URL: bad }));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^FF_CONFIG: FLOWFORGE_SMTP_URL /);
      expect(issues[0]).toContain('not shown because the variable is sensitive');
      expect(issues[0]).not.toContain('hunter2');
    }
  });

  it('refuses a sender that could inject a header and a console URL that is no base URL', () => {
    const issues = issuesOf(() => loadConfig(mailConfigVariables, { FLOWFORGE_MAIL_FROM: 'a@b.c\r\nBcc: x@y.z', FLOWFORGE_PUBLIC_URL: 'ftp://flowforge' }));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^FF_CONFIG: FLOWFORGE_MAIL_FROM must be an e-mail address, optionally with a display name/);
    expect(issues[1]).toBe('FF_CONFIG: FLOWFORGE_PUBLIC_URL must be a http:// or https:// URL, e.g. https://flowforge.example.com (got "ftp://flowforge")');
    expect(issuesOf(() => loadConfig(mailConfigVariables, { FLOWFORGE_PUBLIC_URL: 'https://x.example/?a=1' }))[0]).toContain(
      'FLOWFORGE_PUBLIC_URL must be a base URL without query or fragment',
    );
    expect(issuesOf(() => loadConfig(mailConfigVariables, { FLOWFORGE_PUBLIC_URL: 'https://u:p@x.example' }))[0]).toContain(
      'FLOWFORGE_PUBLIC_URL must not carry credentials',
    );
  });

  it('hides the SMTP URL when the config is logged', () => {
    const cfg = loadConfig(mailConfigVariables, { FLOWFORGE_SMTP_URL: 'smtp://mailer:hunter2@mail:587' });
    const shown = JSON.stringify(describeConfig(mailConfigVariables, cfg));
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('"FLOWFORGE_SMTP_URL":"[sensitive]"');
  });
});

describe('parseSmtpUrl', () => {
  it('reads host, port, TLS mode and percent-decoded credentials', () => {
    expect(parseSmtpUrl('smtp://us%40er:p%40ss%3Aw%2Frd@mail:2525')).toEqual({
      secure: false,
      host: 'mail',
      port: 2525,
      user: 'us@er',
      pass: 'p@ss:w/rd',
      address: 'mail:2525',
    });
    expect(parseSmtpUrl('smtp://mail')).toMatchObject({ secure: false, port: 587, address: 'mail:587', user: undefined, pass: undefined });
    expect(parseSmtpUrl('smtps://mail')).toMatchObject({ secure: true, port: 465 });
    expect(parseSmtpUrl('smtp://[::1]:25')).toMatchObject({ host: '::1', address: '[::1]:25' });
  });

  it('describes a target with the password masked', () => {
    const target = parseSmtpUrl('smtp://mailer:hunter2@mail:587');
    if (typeof target === 'string') throw new Error(target);
    expect(describeSmtpTarget(target)).toBe('smtp://mailer:***@mail:587');
  });
});
