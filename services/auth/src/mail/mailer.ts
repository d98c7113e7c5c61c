import type { FactoryProvider, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type NodemailerError, type SMTPSentMessageInfo, type SMTPTransportOptions, type Transporter } from 'nodemailer';
import { ConfigError, LOGGER, scrubText, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import { describeSmtpTarget, parseSmtpUrl, type MailConfig, type SmtpTarget } from './mail.config';

/**
 * Stable codes of the mailer; callers branch on `code`, never on message text.
 * - FF_MAIL_DISABLED: no SMTP server is configured (FLOWFORGE_SMTP_URL unset), nothing was attempted.
 * - FF_MAIL_SEND_FAILED: the mail did not go out (refused connection, timeout, rejected login,
 *   refused recipient...); the message names the recipient and host:port, never the SMTP password.
 */
export type MailErrorCode = 'FF_MAIL_DISABLED' | 'FF_MAIL_SEND_FAILED';

export class MailError extends Error {
  constructor(
    readonly code: MailErrorCode,
    message: string,
    /** nodemailer's code (EAUTH, ESOCKET, ETIMEDOUT...) and the SMTP reply code, when there were any. */
    readonly detail: { smtpErrorCode?: string; responseCode?: number } = {},
  ) {
    // No `cause`: nodemailer's error may carry the AUTH command (the base64 password) and would reach logs.
    super(`${code}: ${message}`);
    this.name = 'MailError';
  }
}

export interface OutgoingMail {
  /** One bare address (user@example.com): a list or a display name is refused, so a value cannot add recipients. */
  to: string;
  subject: string;
  text: string;
  /** Optional HTML alternative; the text part is what every client can show. */
  html?: string;
}

export interface SentMail {
  messageId: string;
  /** Recipients the server accepted. */
  accepted: string[];
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL (FLOWFORGE_SMTP_URL); undefined disables mail. */
  smtpUrl?: string;
  /** Sender (FLOWFORGE_MAIL_FROM). */
  from: string;
  /**
   * Bound of each wait (connecting including the greeting, DNS, every reply). The whole send is bounded by
   * three times this, so a server that trickles replies cannot hold a request for long either.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const SINGLE_ADDRESS = /^[^\s<>@,;:"()[\]\\]+@[^\s<>@,;:"()[\]\\]+$/;
const MAX_REASON = 300;

/**
 * Sends mail through one SMTP server with nodemailer. A connection per mail (no pool): mails are rare
 * (password resets), so no idle connection is held open and a restarted mail server needs no reconnect
 * logic. Every failure becomes a MailError whose message never contains the SMTP password.
 */
export class Mailer implements OnApplicationShutdown {
  private readonly target?: SmtpTarget;
  private readonly transport?: Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;
  private readonly from: string;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: MailerOptions) {
    this.from = options.from;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (options.smtpUrl === undefined) return;
    const target = parseSmtpUrl(options.smtpUrl);
    if (typeof target === 'string') {
      throw new ConfigError([`FF_CONFIG: FLOWFORGE_SMTP_URL ${target} (the value is not shown because the variable is sensitive)`]);
    }
    this.target = target;
    // Explicit fields rather than `url`: we decide how the URL is read (percent-decoding, defaults, no options).
    this.transport = createTransport({
      host: target.host,
      port: target.port,
      secure: target.secure,
      auth: target.user === undefined ? undefined : { user: target.user, pass: target.pass ?? '' },
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      dnsTimeout: this.timeoutMs,
    });
  }

  static fromConfig(config: Pick<MailConfig, 'FLOWFORGE_SMTP_URL' | 'FLOWFORGE_MAIL_FROM'>, options: { timeoutMs?: number } = {}): Mailer {
    return new Mailer({ smtpUrl: config.FLOWFORGE_SMTP_URL, from: config.FLOWFORGE_MAIL_FROM, ...options });
  }

  /** false when FLOWFORGE_SMTP_URL is unset: `send` then throws FF_MAIL_DISABLED. */
  get enabled(): boolean {
    return this.transport !== undefined;
  }

  /** "smtp://user:***@mail:587" or "disabled", for the boot log. */
  describe(): string {
    return this.target ? describeSmtpTarget(this.target) : 'disabled';
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const to = printable(mail.to);
    if (!this.transport || !this.target) {
      throw new MailError(
        'FF_MAIL_DISABLED',
        `mail to ${to} was not sent: no SMTP server is configured; set FLOWFORGE_SMTP_URL (e.g. smtp://user:pass@mail:587) to send mail`,
      );
    }
    const failed = (reason: string, detail?: MailError['detail']) =>
      new MailError('FF_MAIL_SEND_FAILED', `could not send mail to ${to} through ${this.target!.address}: ${reason}`, detail);
    if (this.closed) throw failed('the mailer is closed (the service is shutting down)');
    if (!SINGLE_ADDRESS.test(mail.to)) throw failed('the recipient is not a single e-mail address');

    const deadlineMs = this.timeoutMs * 3;
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
        signal: AbortSignal.timeout(deadlineMs),
      });
      if (info.accepted.length === 0) throw failed(`the server accepted no recipient (${scrub(info.response, this.target)})`);
      return { messageId: info.messageId, accepted: info.accepted.map(String) };
    } catch (err) {
      if (err instanceof MailError) throw err;
      const e = err as NodemailerError;
      const reason =
        e?.code === 'EABORT'
          ? `no complete answer within ${deadlineMs} ms`
          : `${(e instanceof Error ? e.message : String(err)).replace(/^Error: /, '')}${e?.code ? ` (${[e.code, e.originalCode].filter(Boolean).join('/')})` : ''}`;
      throw failed(scrub(reason, this.target), { smtpErrorCode: e?.code, responseCode: e?.responseCode });
    }
  }

  /** Refuses further sends and releases the transport. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport?.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}

/**
 * Removes the SMTP password in every form it can take in a message: as is, percent-encoded, and base64
 * (AUTH LOGIN sends it alone, AUTH PLAIN as "\0user\0pass"), plus any user:password@ of a URL. Also makes
 * the text one bounded line, since it ends up in logs and problem details.
 */
function scrub(text: string, target: SmtpTarget): string {
  let out = scrubText(text);
  if (target.pass) {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const forms = [target.pass, encodeURIComponent(target.pass), b64(target.pass), b64(`\u0000${target.user ?? ''}\u0000${target.pass}`)];
    for (const form of forms.sort((a, b) => b.length - a.length)) out = out.split(form).join('***');
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_REASON ? `${out.slice(0, MAX_REASON - 3)}...` : out;
}

/** A recipient as it may appear in a message: control characters (a forged log line) removed, length bounded. */
function printable(value: string): string {
  const clean = String(value).replace(/[\u0000-\u001f\u007f]/g, '');
  return clean.length > 254 ? `${clean.slice(0, 251)}...` : clean;
}

/**
 * The Nest provider of `Mailer`. `configToken` is the token of a config object holding the mail
 * variables (the auth service's config, which spreads `mailConfigVariables`). Logs where mail goes (never
 * the password) or that it is disabled; Nest closes the mailer at shutdown.
 */
export function mailerProvider(configToken: string | symbol = serviceConfigToken('auth')): FactoryProvider<Mailer> {
  return {
    provide: Mailer,
    inject: [configToken, LOGGER],
    useFactory: (config: MailConfig, logger: FlowForgeLogger) => {
      const mailer = Mailer.fromConfig(config);
      if (mailer.enabled) {
        logger.info({ module: 'auth', mail: mailer.describe() }, `mail: ${mailer.describe()}`);
      } else {
        logger.warn({ module: 'auth', mail: 'disabled' }, 'FF_MAIL_DISABLED: FLOWFORGE_SMTP_URL is not set; password-reset mails will not be sent');
      }
      return mailer;
    },
  };
}

/**
 * A console link: `path` under the base URL (keeping a base path such as https://host/flowforge) with
 * `params` percent-encoded in the query.
 */
export function consoleLink(publicUrl: string, path: string, params: Record<string, string> = {}): string {
  const url = new URL(publicUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

export interface PasswordResetMailInput {
  to: string;
  username: string;
  /** The full one-time link (see consoleLink); shown as is in the text part. */
  link: string;
  expiresInMinutes: number;
}

/**
 * The password-reset mail. Pure, so the wording is tested without a server. The link stands alone on
 * its line in the text part (clients make it clickable; copy-paste takes the whole line); every value is
 * HTML-escaped in the HTML part, the username being user-chosen text.
 */
export function passwordResetMail(input: PasswordResetMailInput): OutgoingMail {
  const validity = duration(input.expiresInMinutes);
  const text = [
    `Hello ${input.username},`,
    '',
    `Someone (hopefully you) asked to reset the password of the FlowForge account "${input.username}".`,
    'Open this link to choose a new password:',
    '',
    input.link,
    '',
    `The link works once and expires in ${validity}.`,
    'If you did not ask for this, ignore this mail: your password stays unchanged.',
    '',
    '-- FlowForge',
    '',
  ].join('\n');
  const h = escapeHtml;
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    `<p>Hello ${h(input.username)},</p>`,
    `<p>Someone (hopefully you) asked to reset the password of the FlowForge account &quot;${h(input.username)}&quot;.</p>`,
    `<p><a href="${h(input.link)}">Choose a new password</a></p>`,
    `<p>Or paste this link into your browser:<br>${h(input.link)}</p>`,
    `<p>The link works once and expires in ${h(validity)}. If you did not ask for this, ignore this mail: your password stays unchanged.</p>`,
    '<p>-- FlowForge</p>',
    '</body></html>',
    '',
  ].join('\n');
  return { to: input.to, subject: 'Reset your FlowForge password', text, html };
}

function duration(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
