import { env, type ConfigOf } from '@flowforge/service-kit';

const SMTP_EXAMPLE = 'smtp://user:pass@mail:587';

/** Where the mailer connects, read from FLOWFORGE_SMTP_URL; `pass` never leaves this object in a message. */
export interface SmtpTarget {
  /** true for smtps:// (TLS from the first byte, usually port 465); smtp:// may still upgrade with STARTTLS. */
  secure: boolean;
  /** Host name or IP address, without the brackets of an IPv6 literal (what a socket connects to). */
  host: string;
  port: number;
  user?: string;
  pass?: string;
  /** "host:port" (IPv6 in brackets) for messages and logs: never carries the credentials. */
  address: string;
}

/**
 * Reads an smtp:// or smtps:// URL into connection settings, or returns the reason it cannot (a message
 * that never repeats the URL, which may hold a password). User and password are percent-decoded, so a
 * password containing "@", ":" or "/" is written %40, %3A, %2F. The port defaults to 587 for smtp:// (the
 * submission port) and 465 for smtps://, as nodemailer does.
 */
export function parseSmtpUrl(url: string): SmtpTarget | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `is not a URL; expected smtp://[user:password@]host[:port] or smtps://..., e.g. ${SMTP_EXAMPLE}`;
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return `must start with smtp:// or smtps://, e.g. ${SMTP_EXAMPLE}`;
  if (!u.hostname) return `names no host; expected smtp://[user:password@]host[:port], e.g. ${SMTP_EXAMPLE}`;
  // Options in a path or query would be silently ignored by us (nodemailer reads some of them): refuse them.
  if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') {
    return `must be only smtp://[user:password@]host[:port] (no path, query or fragment), e.g. ${SMTP_EXAMPLE}`;
  }
  let user: string | undefined;
  let pass: string | undefined;
  try {
    user = u.username ? decodeURIComponent(u.username) : undefined;
    pass = u.password ? decodeURIComponent(u.password) : undefined;
  } catch {
    return 'has a user or password that is not valid percent-encoding (write "%" as %25)';
  }
  if (pass !== undefined && user === undefined) return 'has a password but no user; expected smtp://user:password@host[:port]';
  const secure = u.protocol === 'smtps:';
  const port = u.port ? Number(u.port) : secure ? 465 : 587;
  if (port < 1) return 'has port 0; expected a port between 1 and 65535 (or none for the default)';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { secure, host, port, user, pass, address: `${u.hostname}:${port}` };
}

/** The URL with the password replaced, for logs: `smtp://user:***@mail:587`. */
export function describeSmtpTarget(target: SmtpTarget): string {
  const credentials = target.user === undefined ? '' : `${encodeURIComponent(target.user)}${target.pass === undefined ? '' : ':***'}@`;
  return `${target.secure ? 'smtps' : 'smtp'}://${credentials}${target.address}`;
}

/** "Name <address>" or a bare address; no CR/LF, so the value cannot inject a header. */
const MAIL_FROM = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/**
 * Variables of the auth service's outgoing mail (password reset). Mail is optional: with
 * FLOWFORGE_SMTP_URL unset the service runs, and a reset request is answered as usual but sends nothing
 * (logged as FF_MAIL_DISABLED), so a fresh install needs no mail server.
 */
export const mailConfigVariables = {
  // Sensitive: the URL usually carries the SMTP password. Unset: mail disabled.
  FLOWFORGE_SMTP_URL: env.optionalUrl(['smtp:', 'smtps:'], SMTP_EXAMPLE, {
    sensitive: true,
    description: 'SMTP server for outgoing mail (password reset); percent-encode special characters of the password',
    check: (v: string | undefined) => {
      if (v === undefined) return null;
      const parsed = parseSmtpUrl(v);
      // The value is never repeated: it may hold a password.
      return typeof parsed === 'string' ? `FLOWFORGE_SMTP_URL ${parsed} (the value is not shown because the variable is sensitive)` : null;
    },
  }),
  FLOWFORGE_MAIL_FROM: env.string('FlowForge <no-reply@flowforge.local>', {
    expected: 'an e-mail address, optionally with a display name, e.g. FlowForge <no-reply@example.com>',
    pattern: MAIL_FROM,
    description: 'sender of outgoing mail',
  }),
  // Links in mails point here (the console), so it must be the address users reach, not an internal one.
  FLOWFORGE_PUBLIC_URL: env.url(['http:', 'https:'], 'https://flowforge.example.com', 'http://localhost:8080', {
    description: "the console's base URL, used in links sent by mail",
    check: (v: string) => {
      const u = new URL(v);
      if (u.username || u.password) return 'FLOWFORGE_PUBLIC_URL must not carry credentials (they would be mailed to users)';
      if (u.search || u.hash)
        return `FLOWFORGE_PUBLIC_URL must be a base URL without query or fragment, e.g. https://flowforge.example.com (got ${JSON.stringify(v)})`;
      return null;
    },
  }),
};

export type MailConfig = ConfigOf<typeof mailConfigVariables>;
