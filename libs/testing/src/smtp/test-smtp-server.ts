import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message as the test SMTP server received it. */
export interface ReceivedMail {
  /** SMTP envelope: MAIL FROM and RCPT TO addresses (what the server was asked to deliver). */
  envelope: { from: string; to: string[] };
  /** User that logged in with AUTH, if any. */
  authUser?: string;
  /** The RFC 822 message exactly as sent (CRLF line ends). */
  raw: string;
  /** Top-level headers, names lower-cased, folded lines joined, encoded words decoded; the first wins. */
  headers: Record<string, string>;
  subject: string;
  /** The From and To header values. */
  from: string;
  to: string;
  /** The text/plain part, transfer-decoded (quoted-printable soft line breaks joined, base64 decoded). */
  text?: string;
  /** The text/html part, transfer-decoded. */
  html?: string;
}

export interface TestSmtpServer {
  /** smtp://user:pass@127.0.0.1:<port> (credentials percent-encoded), or smtp://127.0.0.1:<port> without them. */
  url: string;
  port: number;
  /** Every message received so far, in order. */
  messages: ReceivedMail[];
  /** The first message (received or still to come) for which `predicate` holds. */
  waitForMail(predicate?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  /** With both set, AUTH (PLAIN/LOGIN) is required and only these credentials pass; otherwise no AUTH at all. */
  username?: string;
  password?: string;
}

/**
 * A real SMTP server (nodemailer's `smtp-server`) on 127.0.0.1 and a free port, for tests of code that
 * sends mail: it speaks the protocol a production server does (EHLO, AUTH, MAIL/RCPT/DATA), so a wrong
 * login or a refused connection fails the way it would in production. Plain text only (STARTTLS disabled,
 * AUTH allowed without TLS); the parse of the messages is minimal: enough to read back headers, a text
 * part and a link in it, not a general MIME parser.
 */
export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const withAuth = options.username !== undefined && options.password !== undefined;
  const messages: ReceivedMail[] = [];
  const listeners = new Set<() => void>();

  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    disabledCommands: withAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !withAuth,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 1000,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      if (auth.username === options.username && auth.password === options.password) return callback(null, { user: auth.username });
      const err = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
      return callback(err);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        const authUser = typeof session.user === 'string' ? session.user : undefined;
        messages.push({ envelope, authUser, raw, ...parseMessage(raw) });
        for (const notify of [...listeners]) notify();
        callback(null);
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  const credentials = withAuth ? `${encodeURIComponent(options.username!)}:${encodeURIComponent(options.password!)}@` : '';

  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    messages,
    waitForMail(predicate = () => true, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const check = () => {
          const mail = messages.find(predicate);
          if (!mail) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          const seen = messages.map((m, i) => `  ${i + 1}. to ${m.envelope.to.join(', ')}: ${JSON.stringify(m.subject)}`);
          reject(
            new Error(
              `waitForMail: no matching mail within ${timeoutMs} ms on smtp://127.0.0.1:${port}; received ${messages.length}` +
                (seen.length ? `:\n${seen.join('\n')}` : ' (no mail at all)'),
            ),
          );
        }, timeoutMs);
        listeners.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type ParsedMail = Pick<ReceivedMail, 'headers' | 'subject' | 'from' | 'to' | 'text' | 'html'>;

export function parseMessage(raw: string): ParsedMail {
  const { headers, body } = splitEntity(raw);
  const parts: { text?: string; html?: string } = {};
  collectParts(headers, body, parts, 0);
  return { headers, subject: headers['subject'] ?? '', from: headers['from'] ?? '', to: headers['to'] ?? '', ...parts };
}

/** Header block and body of an entity (a message or a MIME part). */
function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers: Record<string, string> = {};
  // Folded lines start with whitespace: join them to the header they continue.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeEncodedWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function collectParts(headers: Record<string, string>, body: string, out: { text?: string; html?: string }, depth: number): void {
  const contentType = (headers['content-type'] ?? 'text/plain').toLowerCase();
  if (contentType.startsWith('multipart/') && depth < 5) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
    if (!boundary) return;
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break; // the closing delimiter
      const part = splitEntity(section.replace(/^[ \t]*\n/, ''));
      collectParts(part.headers, part.body, out, depth + 1);
    }
    return;
  }
  const charset = /charset="?([^";]+)"?/i.exec(contentType)?.[1];
  const decoded = decodeTransfer(body, headers['content-transfer-encoding'] ?? '7bit', charset);
  if (contentType.startsWith('text/plain') && out.text === undefined) out.text = decoded;
  if (contentType.startsWith('text/html') && out.html === undefined) out.html = decoded;
}

function decodeTransfer(body: string, encoding: string, charset = 'utf-8'): string {
  const enc: BufferEncoding = /^(iso-8859-1|latin1|us-ascii)$/i.test(charset) ? 'latin1' : 'utf8';
  switch (encoding.trim().toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body, enc);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString(enc);
    default:
      return body;
  }
}

/** RFC 2045 §6.7: "=" at a line end is a soft break (removed), "=XX" a byte. */
export function decodeQuotedPrintable(body: string, enc: BufferEncoding = 'utf8'): string {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]!;
    const hex = c === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString(enc);
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=), as nodemailer writes non-ASCII headers. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1') // whitespace between encoded words is not text
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, kind: string, data: string) => {
      const enc: BufferEncoding = /^(iso-8859-1|latin1)$/i.test(charset) ? 'latin1' : 'utf8';
      return kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString(enc) : decodeQuotedPrintable(data.replace(/_/g, ' '), enc);
    });
}
