import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { Client, FileType, FTPError, type FileInfo } from 'basic-ftp';
import { LocationError } from './location.errors';
import { baseName, checkRelativePath, dirName, joinRelative } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { networkLocationError } from './location-network';
import { guardedTarget, SerialQueue } from './remote-location';
import { beginWrite, existsError, partialName, type WriteOptions, type WriteResult } from './location-write';

/** The catalog's `ftp` connection config (services/catalog connection-types.ts), secrets included. */
export interface FtpLocationConfig {
  host: string;
  port?: number;
  user: string;
  password: string;
  /** FTPS: 'explicit' (AUTH TLS on the FTP port), 'implicit' (TLS from the first byte, usually port 990), or false. */
  secure?: false | 'explicit' | 'implicit';
  /** A PEM CA certificate to trust besides the system ones (a private CA or a self-signed server). */
  caCertificate?: string;
  /** The root: absolute, or relative to the login directory; default the login directory. */
  path?: string;
  allowPrivateNetworks?: boolean;
}

const TIMEOUT_MS = 15_000;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A folder of an FTP or FTPS server (`ftp` connection), over basic-ftp. One control connection for
 * metadata and writes (FTP runs one command at a time: calls are queued), and one more connection per
 * open() stream, closed when the stream ends or is destroyed. Passive mode only; data connections go to
 * the control connection's address whatever PASV answers (basic-ftp's default), and the control
 * connection to the address the outbound guard checked.
 */
export class FtpLocation implements FileLocation {
  readonly type = 'ftp';
  private main: Promise<{ client: Client; root: string }> | null = null;
  private readonly queue = new SerialQueue();
  private readonly streams = new Set<Client>();
  private closed = false;
  private readonly where: string;

  constructor(private readonly config: FtpLocationConfig) {
    this.where = `${config.host}:${config.port ?? 21}`;
  }

  async test(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // LIST opens a data connection: proves the passive ports are reachable too, not only the login.
    return this.withMain(async (client, root) => {
      await client.cd(root).catch((err: unknown) => {
        throw this.error(err, '');
      });
      await client.list();
    });
  }

  async list(dir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<Listing> {
    const rel = checkRelativePath(dir, 'dir');
    opts.signal?.throwIfAborted();
    return this.withMain(async (client, root) => {
      // LIST of a missing folder is an empty listing on some servers (vsftpd): CWD tells missing from empty.
      await client.cd(this.abs(root, rel)).catch((err: unknown) => {
        throw this.error(err, rel);
      });
      const items = (await client.list()).filter((i) => i.name !== '.' && i.name !== '..');
      items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const limit = opts.limit ?? 1000;
      const entries: FileEntry[] = [];
      for (const item of items) {
        if (item.type !== FileType.File && item.type !== FileType.Directory) continue;
        if (entries.length >= limit) return { entries, truncated: true };
        entries.push(listed(joinRelative(rel, item.name), item));
      }
      return { entries, truncated: false };
    });
  }

  async stat(p: string, signal?: AbortSignal): Promise<FileEntry | null> {
    const rel = checkRelativePath(p);
    signal?.throwIfAborted();
    if (rel === '') return null;
    return this.withMain((client, root) => this.statWith(client, root, rel));
  }

  async open(p: string, signal?: AbortSignal): Promise<Readable> {
    const rel = checkRelativePath(p);
    const found = await this.stat(rel, signal);
    if (!found) throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} is not a file in the FTP folder at ${this.where}`);
    const { client, root } = await this.connect();
    this.streams.add(client);
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const done = () => {
      this.streams.delete(client);
      client.close();
    };
    // The data socket is piped into `out`: it pauses while the reader does (bounded memory).
    client.downloadTo(out, this.abs(root, rel)).then(
      () => done(),
      (err: unknown) => {
        done();
        if (!out.destroyed) out.destroy(this.error(err, rel));
      },
    );
    out.once('close', done);
    if (signal) {
      const abort = () => out.destroy(new LocationError('FF_LOCATION_FAILED', `reading ${rel} was aborted`, true));
      signal.addEventListener('abort', abort, { once: true });
      out.once('close', () => signal.removeEventListener('abort', abort));
    }
    return out;
  }

  async archive(p: string, to: string, opts: { move: boolean; signal?: AbortSignal }): Promise<void> {
    const from = checkRelativePath(p);
    const dest = checkRelativePath(to, 'to');
    opts.signal?.throwIfAborted();
    if (!(await this.stat(from))) throw new LocationError('FF_LOCATION_NOT_FOUND', `${from} is not a file in the FTP folder at ${this.where}`);
    await this.withMain(async (client, root) => {
      if (dirName(dest) !== '')
        await client.ensureDir(this.abs(root, dirName(dest))).catch((err: unknown) => {
          throw this.error(err, dirName(dest));
        });
      if (opts.move)
        await client.rename(this.abs(root, from), this.abs(root, dest)).catch((err: unknown) => {
          throw this.error(err, from);
        });
    });
    if (opts.move) return;
    // FTP has no server-side copy: the file streams through this process, read on a connection of its own,
    // into a temporary name beside the target renamed into place once complete (never a half-written archive).
    const source = await this.open(from, opts.signal);
    const temp = joinRelative(dirName(dest), `.${baseName(dest)}.flowforge-${randomBytes(6).toString('hex')}`);
    await this.withMain(async (client, root) => {
      try {
        await client.uploadFrom(source, this.abs(root, temp));
        await client.rename(this.abs(root, temp), this.abs(root, dest));
      } catch (err) {
        source.destroy();
        if (!client.closed) await client.remove(this.abs(root, temp), true).catch(() => undefined);
        throw this.error(err, dest);
      }
    });
  }

  /**
   * Uploads `body` (STOR) on a connection of its own, so the control connection keeps answering, into
   * `<name>.ff-partial-<random>` beside the target, then renames it into place (RNFR/RNTO, which replaces
   * a file on Unix servers). The partial is removed on failure (over the control connection: a body that
   * fails closes the upload's). `overwrite: false` checks with SIZE before and again just before the
   * rename: FTP has no rename that refuses an existing target, so a writer racing in that last moment is
   * not detected. Parent folders are created.
   */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    const temp = joinRelative(dirName(rel), partialName(baseName(rel)));
    let uploading: Client | null = null;
    let started = false;
    const where = `the FTP folder at ${this.where}`;
    const finish = () => {
      if (uploading) {
        this.streams.delete(uploading);
        uploading.close();
        uploading = null;
      }
    };
    return attempt
      .run(
        async () => {
          if (opts.overwrite === false && (await this.stat(rel, opts.signal))) throw existsError(rel, where);
          const { client, root } = await this.connect();
          uploading = client;
          this.streams.add(client);
          if (this.closed) throw new LocationError('FF_LOCATION_FAILED', 'this FTP location was closed', false);
          if (dirName(rel) !== '')
            await client.ensureDir(this.abs(root, dirName(rel))).catch((err: unknown) => {
              throw this.error(err, dirName(rel));
            });
          started = true;
          await client.uploadFrom(attempt.counted, this.abs(root, temp));
          if (opts.overwrite === false && (await this.statWith(client, root, rel))) throw existsError(rel, where);
          await client.rename(this.abs(root, temp), this.abs(root, rel));
          started = false;
          finish();
          return { bytes: attempt.bytes };
        },
        (err) => this.error(err, rel),
      )
      .catch(async (err: unknown) => {
        finish();
        if (started) await this.withMain((c, root) => c.remove(this.abs(root, temp), true)).catch(() => undefined);
        throw err;
      });
  }

  async delete(p: string, signal?: AbortSignal): Promise<void> {
    const rel = checkRelativePath(p);
    signal?.throwIfAborted();
    return this.withMain(async (client, root) => {
      try {
        await client.remove(this.abs(root, rel));
      } catch (err) {
        // 550 is both "no such file" and "not allowed": a file that is gone is not an error.
        if (err instanceof FTPError && err.code === 550 && !(await this.statWith(client, root, rel))) return;
        throw this.error(err, rel);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.streams) c.close();
    this.streams.clear();
    const main = this.main;
    this.main = null;
    (await main?.catch(() => null))?.client.close();
  }

  private async statWith(client: Client, root: string, rel: string): Promise<FileEntry | null> {
    const abs = this.abs(root, rel);
    let size: number;
    try {
      size = await client.size(abs);
    } catch (err) {
      // SIZE answers 550 for a missing file and for a folder: both are "no file" here.
      if (err instanceof FTPError && err.code === 550) return null;
      throw this.error(err, rel);
    }
    const modified = await client.lastMod(abs).catch(() => undefined);
    return { path: rel, name: baseName(rel), kind: 'file', size, modifiedAt: modified ? modified.toISOString() : null, etag: null };
  }

  /** One command at a time on the control connection; a connection that broke is dropped and the next call reconnects. */
  private withMain<T>(fn: (client: Client, root: string) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      if (this.closed) throw new LocationError('FF_LOCATION_FAILED', 'this FTP location was closed', false);
      if (!this.main) {
        const opening = this.connect();
        this.main = opening;
        opening.catch(() => {
          if (this.main === opening) this.main = null;
        });
      }
      const { client, root } = await this.main;
      try {
        return await fn(client, root);
      } catch (err) {
        if (client.closed) this.main = null;
        throw this.error(err, '');
      }
    });
  }

  private async connect(): Promise<{ client: Client; root: string }> {
    const c = this.config;
    const target = await guardedTarget(c.host, c.allowPrivateNetworks === true, 'FTP server');
    const client = new Client(TIMEOUT_MS);
    try {
      // basic-ftp's access() in steps, so a refusal of AUTH TLS is not taken for a refused login.
      const secureOptions = { host: target.address, ...(isIP(c.host) ? {} : { servername: c.host }), ...(c.caCertificate ? { ca: c.caCertificate } : {}) };
      if (c.secure === 'implicit') await client.connectImplicitTLS(target.address, c.port ?? 21, secureOptions);
      else await client.connect(target.address, c.port ?? 21);
      if (c.secure === 'explicit') {
        await client.useTLS(secureOptions).catch((err: unknown) => {
          if (!(err instanceof FTPError)) throw err;
          throw new LocationError(
            'FF_LOCATION_UNREACHABLE',
            `FTP server at ${this.where} does not offer TLS (AUTH TLS answered ${err.code}): use secure: false or check the port`,
          );
        });
      }
      await client.sendIgnoringError('OPTS UTF8 ON');
      await client.login(c.user, c.password);
      await client.useDefaultSettings();
      const login = await client.pwd();
      const root = c.path === undefined || c.path === '' ? login : path.posix.resolve(login, c.path);
      await client.cd(root).catch((err: unknown) => {
        throw this.error(err, '', `the folder "${c.path ?? login}"`);
      });
      return { client, root };
    } catch (err) {
      client.close();
      throw this.error(err, '');
    }
  }

  private abs(root: string, rel: string): string {
    return rel === '' ? root : path.posix.join(root, rel);
  }

  private error(err: unknown, rel: string, what = rel || 'the root folder'): LocationError {
    if (err instanceof LocationError) return err;
    // basic-ftp rejects with socket and TLS errors as they are (string codes); FTP replies carry a numeric code.
    if (err instanceof FTPError && typeof err.code === 'number') {
      if (err.code === 530)
        return new LocationError(
          'FF_LOCATION_AUTH',
          `FTP server at ${this.where} refused the login of user "${this.config.user}" (${err.message.slice(0, 200)})`,
        );
      if (err.code === 550) return new LocationError('FF_LOCATION_NOT_FOUND', `${what} does not exist (or may not be used) in the FTP folder at ${this.where}`);
      if (err.code === 534 || err.code === 533 || err.code === 522)
        return new LocationError('FF_LOCATION_UNREACHABLE', `FTP server at ${this.where} refused the TLS settings: ${err.message.slice(0, 200)}`);
      return new LocationError('FF_LOCATION_FAILED', `FTP server at ${this.where}: ${what}: ${err.code} ${err.message.slice(0, 200)}`);
    }
    return (
      networkLocationError(err, 'FTP server', this.where) ??
      new LocationError('FF_LOCATION_FAILED', `FTP server at ${this.where}: ${what}: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`)
    );
  }
}

function listed(rel: string, item: FileInfo): FileEntry {
  const dir = item.type === FileType.Directory;
  const modified = item.modifiedAt ?? parseListDate(item.rawModifiedAt, new Date());
  return {
    path: rel,
    name: baseName(rel),
    kind: dir ? 'dir' : 'file',
    size: dir ? null : item.size,
    modifiedAt: modified ? modified.toISOString() : null,
    etag: null,
  };
}

/**
 * The date of a Unix `ls -l` line as servers without MLSD (vsftpd) send it, read as UTC (what vsftpd sends
 * unless use_localtime is set): `Dec 06 16:33` (within the last six months: this year, or last year when
 * that would be in the future) or `Dec 06  2025`. Minute resolution at best; null when unparsable.
 */
export function parseListDate(raw: string, now: Date): Date | null {
  const m = /^([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{1,2}):(\d{2})|(\d{4}))$/.exec(raw.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  if (month < 0) return null;
  const day = Number(m[2]);
  if (m[5]) return new Date(Date.UTC(Number(m[5]), month, day));
  let d = new Date(Date.UTC(now.getUTCFullYear(), month, day, Number(m[3]), Number(m[4])));
  if (d.getTime() > now.getTime() + 24 * 3600_000) d = new Date(Date.UTC(now.getUTCFullYear() - 1, month, day, Number(m[3]), Number(m[4])));
  return d;
}
