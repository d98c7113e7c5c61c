import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { Client, type ConnectConfig, type SFTPWrapper, type Stats } from 'ssh2';
import { LocationError } from './location.errors';
import { baseName, checkRelativePath, dirName, joinRelative } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { networkLocationError } from './location-network';
import { guardedTarget } from './remote-location';
import { beginWrite, existsError, partialName, type WriteOptions, type WriteResult } from './location-write';

/** The catalog's `sftp` connection config (services/catalog connection-types.ts), secrets included. */
export interface SftpLocationConfig {
  host: string;
  port?: number;
  user: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  /** The root: absolute, or relative to the login directory; default the login directory. */
  path?: string;
  allowPrivateNetworks?: boolean;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) an `ssh2` SFTP error carries as `code`. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const CONNECT_TIMEOUT_MS = 15_000;

interface Session {
  client: Client;
  sftp: SFTPWrapper;
  /** The root's absolute path on the server. */
  root: string;
}

const call = <T>(run: (cb: (err: Error | undefined | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));

/**
 * A folder of an SFTP server (`sftp` connection). One SSH session per location, opened at first use and
 * reused until close() (or until the server drops it: the next call opens another). The host passes the
 * outbound address guard and the socket goes to the address it checked. The server's host key is not
 * pinned: the config carries none (as in the catalog's tester).
 */
export class SftpLocation implements FileLocation {
  readonly type = 'sftp';
  private session: Promise<Session> | null = null;
  private closed = false;
  private readonly where: string;

  constructor(private readonly config: SftpLocationConfig) {
    this.where = `${config.host}:${config.port ?? 22}`;
  }

  async test(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { sftp, root } = await this.open_();
    await call<unknown[]>((cb) => sftp.readdir(root, cb)).catch((err: unknown) => {
      throw this.error(err, '');
    });
  }

  async list(dir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<Listing> {
    const rel = checkRelativePath(dir, 'dir');
    opts.signal?.throwIfAborted();
    const { sftp, root } = await this.open_();
    const abs = this.abs(root, rel);
    const items = await call<{ filename: string; attrs: Stats }[]>((cb) => sftp.readdir(abs, cb)).catch((err: unknown) => {
      throw this.error(err, rel);
    });
    items.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    const limit = opts.limit ?? 1000;
    const entries: FileEntry[] = [];
    for (const item of items) {
      if (item.filename === '.' || item.filename === '..') continue;
      if (entries.length >= limit) return { entries, truncated: true };
      let attrs = item.attrs;
      // A symlink is shown as what it points at; a dangling one is left out.
      if (attrs.isSymbolicLink()) {
        const target = await call<Stats>((cb) => sftp.stat(path.posix.join(abs, item.filename), cb)).catch(() => null);
        if (!target) continue;
        attrs = target;
      }
      if (!attrs.isDirectory() && !attrs.isFile()) continue;
      entries.push(entry(joinRelative(rel, item.filename), attrs));
    }
    return { entries, truncated: false };
  }

  async stat(p: string, signal?: AbortSignal): Promise<FileEntry | null> {
    const rel = checkRelativePath(p);
    signal?.throwIfAborted();
    const { sftp, root } = await this.open_();
    const attrs = await call<Stats>((cb) => sftp.stat(this.abs(root, rel), cb)).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === NO_SUCH_FILE) return null;
      throw this.error(err, rel);
    });
    return attrs?.isFile() ? entry(rel, attrs) : null;
  }

  async open(p: string, signal?: AbortSignal): Promise<Readable> {
    const rel = checkRelativePath(p);
    const found = await this.stat(rel, signal);
    if (!found) throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} is not a file in the SFTP folder at ${this.where}`);
    const { sftp, root } = await this.open_();
    // ssh2 reads ahead a bounded number of 32 KiB requests and stops while the reader is paused.
    const source = sftp.createReadStream(this.abs(root, rel), { highWaterMark: 256 * 1024 });
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    pipeline(source, out, (err) => {
      if (err && !out.destroyed) out.destroy(this.error(err, rel));
    });
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
    if (!(await this.stat(from))) throw new LocationError('FF_LOCATION_NOT_FOUND', `${from} is not a file in the SFTP folder at ${this.where}`);
    const { sftp, root } = await this.open_();
    await this.mkdirs(sftp, root, dirName(dest));
    if (opts.move) {
      await this.rename(sftp, this.abs(root, from), this.abs(root, dest)).catch((err: unknown) => {
        throw this.error(err, from);
      });
      return;
    }
    // A copy is written under a temporary name beside the target and renamed into place once complete:
    // the archive never holds a half-written file.
    const temp = this.abs(root, joinRelative(dirName(dest), `.${baseName(dest)}.flowforge-${randomBytes(6).toString('hex')}`));
    try {
      await new Promise<void>((resolve, reject) => {
        pipeline(sftp.createReadStream(this.abs(root, from)), sftp.createWriteStream(temp), (err) => (err ? reject(this.error(err, dest)) : resolve()));
      });
      await this.rename(sftp, temp, this.abs(root, dest)).catch((err: unknown) => {
        throw this.error(err, dest);
      });
    } catch (err) {
      await call<void>((cb) => sftp.unlink(temp, (e) => cb(e, undefined))).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Streams `body` into `<name>.ff-partial-<random>` beside the target (ssh2 keeps a bounded number of
   * 32 KiB writes in flight and pauses the body meanwhile), then renames it over the target
   * (posix-rename@openssh.com) — or, with `overwrite: false`, with a plain SFTP rename, which OpenSSH's
   * server makes with link(2) and so refuses a target that appeared meanwhile. The partial is removed
   * on any failure. Parent folders are created.
   */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    let temp: string | null = null;
    let sftp: SFTPWrapper | null = null;
    return attempt
      .run(
        async () => {
          const session = await this.open_();
          sftp = session.sftp;
          await this.mkdirs(sftp, session.root, dirName(rel));
          const target = this.abs(session.root, rel);
          const existing = await this.statRaw(sftp, target, rel);
          if (existing?.isDirectory())
            throw new LocationError('FF_LOCATION_FAILED', `${rel} is a folder in the SFTP folder at ${this.where}, not a file`, false);
          if (existing && opts.overwrite === false) throw existsError(rel, `the SFTP folder at ${this.where}`);
          temp = this.abs(session.root, joinRelative(dirName(rel), partialName(baseName(rel))));
          const bytes = await attempt.into(sftp.createWriteStream(temp, { highWaterMark: 256 * 1024 }));
          if (opts.overwrite === false) {
            const s = sftp;
            await call<void>((cb) => s.rename(temp!, target, (err) => cb(err, undefined))).catch(async (err: unknown) => {
              if (await this.statRaw(s, target, rel)) throw existsError(rel, `the SFTP folder at ${this.where}`);
              throw err;
            });
          } else {
            await this.rename(sftp, temp, target);
          }
          temp = null;
          return { bytes };
        },
        (err) => this.error(err, rel),
      )
      .catch(async (err: unknown) => {
        const s = sftp as SFTPWrapper | null;
        const t = temp as string | null;
        if (s && t) await call<void>((cb) => s.unlink(t, (e) => cb(e, undefined))).catch(() => undefined);
        throw err;
      });
  }

  /** The attributes at `abs`, null when nothing is there. */
  private statRaw(sftp: SFTPWrapper, abs: string, rel: string): Promise<Stats | null> {
    return call<Stats>((cb) => sftp.stat(abs, cb)).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === NO_SUCH_FILE) return null;
      throw this.error(err, rel);
    });
  }

  /** posix-rename@openssh.com replaces an existing target (plain SFTP v3 rename refuses to); ssh2 throws when the server lacks it. */
  private rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err: Error | undefined | null) => (err ? reject(err) : resolve());
      try {
        sftp.ext_openssh_rename(from, to, done);
      } catch {
        sftp.rename(from, to, done);
      }
    });
  }

  async delete(p: string, signal?: AbortSignal): Promise<void> {
    const rel = checkRelativePath(p);
    signal?.throwIfAborted();
    const { sftp, root } = await this.open_();
    await call<void>((cb) => sftp.unlink(this.abs(root, rel), (err) => cb(err, undefined))).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== NO_SUCH_FILE) throw this.error(err, rel);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.session;
    this.session = null;
    const session = await s?.catch(() => null);
    session?.client.end();
  }

  private abs(root: string, rel: string): string {
    return rel === '' ? root : path.posix.join(root, rel);
  }

  private async mkdirs(sftp: SFTPWrapper, root: string, rel: string): Promise<void> {
    let cur = '';
    for (const segment of rel.split('/').filter(Boolean)) {
      cur = joinRelative(cur, segment);
      const abs = this.abs(root, cur);
      const st = await call<Stats>((cb) => sftp.stat(abs, cb)).catch(() => null);
      if (st?.isDirectory()) continue;
      if (st) throw new LocationError('FF_LOCATION_FAILED', `${cur} exists in the SFTP folder at ${this.where} and is not a folder`);
      await call<void>((cb) => sftp.mkdir(abs, (err) => cb(err, undefined))).catch((err: unknown) => {
        throw this.error(err, cur);
      });
    }
  }

  /** The session, opened at first use; a failed or dropped one is forgotten so the next call retries. */
  private open_(): Promise<Session> {
    if (this.closed) return Promise.reject(new LocationError('FF_LOCATION_FAILED', 'this SFTP location was closed', false));
    if (!this.session) {
      const opening = this.connect();
      this.session = opening;
      opening.catch(() => {
        if (this.session === opening) this.session = null;
      });
    }
    return this.session;
  }

  private async connect(): Promise<Session> {
    const c = this.config;
    const target = await guardedTarget(c.host, c.allowPrivateNetworks === true, 'SFTP server');
    const client = new Client();
    let ready = false;
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => {
          ready = true;
          resolve();
        });
        client.once('error', reject);
        const config: ConnectConfig = {
          host: target.address,
          port: c.port ?? 22,
          username: c.user,
          password: c.password,
          privateKey: c.privateKey,
          passphrase: c.passphrase,
          readyTimeout: CONNECT_TIMEOUT_MS,
          tryKeyboard: false,
        };
        client.connect(config); // throws synchronously on an unparsable privateKey
      });
      // A late socket error after the session is up must not crash the process: the session is dropped.
      client.on('error', () => undefined);
      client.on('close', () => {
        if (this.session) void this.session.then((s) => s.client === client && (this.session = null)).catch(() => undefined);
      });
      const sftp = await call<SFTPWrapper>((cb) => client.sftp(cb)).catch((err: unknown) => {
        throw new LocationError(
          'FF_LOCATION_FAILED',
          `SSH server at ${this.where} accepted user "${c.user}" but refused the SFTP subsystem (${(err as Error).message})`,
        );
      });
      const configured = c.path === undefined || c.path === '' ? '.' : c.path;
      const root = await call<string>((cb) => sftp.realpath(configured, cb)).catch((err: unknown) => {
        throw this.error(err, '', `the folder "${configured}"`);
      });
      const st = await call<Stats>((cb) => sftp.stat(root, cb)).catch((err: unknown) => {
        throw this.error(err, '', `the folder "${configured}"`);
      });
      if (!st.isDirectory()) throw new LocationError('FF_LOCATION_NOT_FOUND', `SFTP server at ${this.where}: ${root} is not a folder`);
      return { client, sftp, root };
    } catch (err) {
      client.end();
      if (err instanceof LocationError) throw err;
      throw this.connectError(err, ready);
    }
  }

  private connectError(err: unknown, ready: boolean): LocationError {
    const c = this.config;
    const level = (err as { level?: unknown }).level;
    const message = err instanceof Error ? err.message : String(err);
    if (level === 'client-authentication') {
      const methods = [c.password !== undefined ? 'password' : '', c.privateKey !== undefined ? 'private key' : ''].filter(Boolean).join(' and ');
      return new LocationError('FF_LOCATION_AUTH', `SFTP server at ${this.where} refused user "${c.user}" (the ${methods || 'credentials'} were refused)`);
    }
    if (/^Cannot parse privateKey/.test(message)) {
      return new LocationError(
        'FF_LOCATION_AUTH',
        `SFTP connection to ${this.where}: the private key cannot be used (${/passphrase/i.test(message) ? 'missing or wrong passphrase' : 'not a PEM or OpenSSH private key'})`,
      );
    }
    if (level === 'client-timeout')
      return new LocationError('FF_LOCATION_UNREACHABLE', `SFTP server at ${this.where} did not complete the SSH handshake in time`);
    return (
      networkLocationError(err, 'SFTP server', this.where) ??
      new LocationError(ready ? 'FF_LOCATION_FAILED' : 'FF_LOCATION_UNREACHABLE', `SFTP server at ${this.where}: ${message}`)
    );
  }

  private error(err: unknown, rel: string, what = rel || 'the root folder'): LocationError {
    if (err instanceof LocationError) return err;
    const code = (err as { code?: unknown }).code;
    if (code === NO_SUCH_FILE) return new LocationError('FF_LOCATION_NOT_FOUND', `${what} does not exist in the SFTP folder at ${this.where}`);
    if (code === PERMISSION_DENIED)
      return new LocationError('FF_LOCATION_AUTH', `user "${this.config.user}" may not access ${what} on the SFTP server at ${this.where}`);
    return (
      networkLocationError(err, 'SFTP server', this.where) ??
      new LocationError('FF_LOCATION_FAILED', `SFTP server at ${this.where}: ${what}: ${err instanceof Error ? err.message : String(err)}`)
    );
  }
}

function entry(rel: string, attrs: Stats): FileEntry {
  const dir = attrs.isDirectory();
  return {
    path: rel,
    name: baseName(rel),
    kind: dir ? 'dir' : 'file',
    size: dir ? null : attrs.size,
    modifiedAt: attrs.mtime ? new Date(attrs.mtime * 1000).toISOString() : null,
    etag: null,
  };
}
