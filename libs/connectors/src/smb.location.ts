import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocationError } from './location.errors';
import { baseName, checkRelativePath, dirName, joinRelative } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { guardedTarget } from './remote-location';
import { beginWrite, existsError, partialName, PARTIAL_MARKER, type WriteOptions, type WriteResult } from './location-write';

/** The catalog's `smb` connection config (services/catalog connection-types.ts), secrets included. */
export interface SmbLocationConfig {
  host: string;
  port?: number;
  share: string;
  domain?: string;
  user: string;
  password: string;
  /** The root: a folder of the share ('' or absent = the share itself), `/`-separated. */
  path?: string;
  allowPrivateNetworks?: boolean;
}

/** The Samba client (Debian/Ubuntu package `smbclient`), found on PATH. */
const SMBCLIENT = 'smbclient';
const COMMAND_TIMEOUT_MS = 60_000;
/** Characters Windows and SMB refuse in names; `*` and `?` would also be wildcards to smbclient's commands. */
const SMB_FORBIDDEN = /["*?<>|:]/;
/** One line of smbclient's `ls`: name, attribute letters, size, date (printed in the client's time zone: UTC here). */
const LS_LINE = /^ {2}(.+?)\s+([A-Z]*)\s+(\d+)\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})$/;

/**
 * A folder of an SMB share (`smb` connection), through Samba's `smbclient` program. The JavaScript SMB2
 * client in node_modules (@marsaud/smb2 0.18) was measured against Samba 4.17 and cannot be used: it
 * authenticates with NTLMv1 only (Samba refuses it unless `ntlm auth = yes`, which re-enables a broken
 * protocol) and computes the LM hash with DES, which OpenSSL 3 only has in its legacy provider (the call
 * throws, uncaught, in a callback); with both forced on, reads still failed (STATUS_PENDING). smbclient
 * speaks SMB2/3 with NTLMv2 or Kerberos and is maintained with the server.
 *
 * Every operation runs one smbclient process (a new SMB session: nothing stays open between calls, and
 * close() ends the ones running). Commands go to its stdin; a read is `get x -` with messages sent to
 * stderr (-E), so stdout carries the file's bytes as a stream with the pipe's backpressure, never a
 * buffer; a write is `put - x` reading stdin. The password reaches it in the PASSWD environment variable (not on the command line, which
 * other users of the machine can read). The host passes the outbound address guard; smbclient connects
 * to the checked address (-I).
 */
export class SmbLocation implements FileLocation {
  readonly type = 'smb';
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  private readonly where: string;
  private readonly root: string;

  constructor(private readonly config: SmbLocationConfig) {
    this.where = `${config.host}:${config.port ?? 445}/${config.share}`;
    this.root = checkRelativePath(config.path ?? '', 'path');
  }

  async test(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await this.list('', { limit: 1 });
  }

  async list(dir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<Listing> {
    const rel = this.check(dir, 'dir');
    const { stdout } = await this.run([`ls ${quote(this.remote(rel, '*'))}`], { signal: opts.signal, what: rel });
    const items = parseLs(stdout).filter((i) => i.name !== '.' && i.name !== '..');
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const limit = opts.limit ?? 1000;
    const entries: FileEntry[] = [];
    for (const item of items) {
      if (entries.length >= limit) return { entries, truncated: true };
      entries.push(toEntry(joinRelative(rel, item.name), item));
    }
    return { entries, truncated: false };
  }

  async stat(p: string, signal?: AbortSignal): Promise<FileEntry | null> {
    const rel = this.check(p);
    if (rel === '') return null;
    try {
      const { stdout } = await this.run([`ls ${quote(this.remote(rel))}`], { signal, what: rel });
      const item = parseLs(stdout).find((i) => i.name === baseName(rel));
      return item && !item.dir ? toEntry(rel, item) : null;
    } catch (err) {
      if (err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND') return null;
      throw err;
    }
  }

  async open(p: string, signal?: AbortSignal): Promise<Readable> {
    const rel = this.check(p);
    const found = await this.stat(rel, signal);
    if (!found) throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} is not a file in the SMB share ${this.where}`);
    const { child, done } = await this.start([`get ${quote(this.remote(rel))} -`], { signal, what: rel, dataOut: true, timeoutMs: 0 });
    const expected = found.size;
    let seen = 0;
    // The end of the stream waits for smbclient's verdict: a transfer cut short is an error, not a short file.
    const out = new Transform({
      highWaterMark: 256 * 1024,
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        cb(null, chunk);
      },
      flush: (cb) => {
        done.then(
          () =>
            expected !== null && seen !== expected
              ? cb(new LocationError('FF_LOCATION_FAILED', `${rel}: read ${seen} bytes of ${expected} from the SMB share ${this.where}`))
              : cb(),
          (err: unknown) => cb(err as Error),
        );
      },
    });
    child.stdout!.pipe(out);
    done.catch((err: unknown) => {
      if (!out.destroyed) out.destroy(err as Error);
    });
    out.once('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
    return out;
  }

  async archive(p: string, to: string, opts: { move: boolean; signal?: AbortSignal }): Promise<void> {
    const from = this.check(p);
    const dest = this.check(to, 'to');
    if (!(await this.stat(from, opts.signal))) throw new LocationError('FF_LOCATION_NOT_FOUND', `${from} is not a file in the SMB share ${this.where}`);
    await this.mkdirs(dirName(dest), opts.signal);
    if (opts.move) {
      // -f: replace an archived file of the same name (a re-run archiving again).
      await this.run([`rename ${quote(this.remote(from))} ${quote(this.remote(dest))} -f`], { signal: opts.signal, what: from });
      return;
    }
    // No server-side copy in smbclient: the bytes stream from one session into another, into a temporary
    // name at the top of the share (no name of the caller's in the -c command line, which splits at ";"),
    // renamed into place once complete: the archive never holds a half-written file.
    const temp = `\\.flowforge-copy-${randomBytes(8).toString('hex')}`;
    const source = await this.open(from, opts.signal);
    const { child, done } = await this.start([`put - ${quote(temp)}`], { signal: opts.signal, what: dest, dataIn: true, timeoutMs: 0 });
    try {
      await Promise.all([pipeline(source, child.stdin!), done]);
      await this.run([`rename ${quote(temp)} ${quote(this.remote(dest))} -f`], { signal: opts.signal, what: dest });
    } catch (err) {
      source.destroy();
      if (child.exitCode === null) child.kill('SIGTERM');
      await this.run([`del ${quote(temp)}`], { what: temp, tolerate: ['NT_STATUS_NO_SUCH_FILE', 'NT_STATUS_OBJECT_NAME_NOT_FOUND'] }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Streams `body` into smbclient's stdin (`put - <partial>`, with the pipe's backpressure) under
   * `<name>.ff-partial-<random>` beside the target, then renames it into place: `rename -f` replaces a
   * file, a plain rename (`overwrite: false`) refuses one that appeared meanwhile
   * (NT_STATUS_OBJECT_NAME_COLLISION: FF_LOCATION_EXISTS). A target whose path holds ";" (smbclient's
   * -c splits commands there) is uploaded under a partial name at the share's top instead. The partial
   * is deleted on failure; parent folders are created.
   */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    let temp = '';
    let child: ChildProcess | null = null;
    let uploadDone: Promise<void> | null = null;
    let started = false;
    return attempt
      .run(
        async () => {
          this.check(rel);
          const dest = this.remote(rel);
          const beside = this.remote(joinRelative(dirName(rel), partialName(baseName(rel))));
          temp = beside.includes(';') ? `\\${PARTIAL_MARKER.slice(1)}${randomBytes(8).toString('hex')}` : beside;
          await this.mkdirs(dirName(rel), opts.signal);
          const existing = await this.stat(rel, opts.signal);
          if (existing && opts.overwrite === false) throw existsError(rel, `the SMB share ${this.where}`);
          started = true;
          const upload = await this.start([`put - ${quote(temp)}`], { signal: opts.signal, what: rel, dataIn: true, timeoutMs: 0 });
          child = upload.child;
          uploadDone = upload.done;
          const [bytes] = await Promise.all([attempt.into(upload.child.stdin!), upload.done]);
          await this.run([`rename ${quote(temp)} ${quote(dest)}${opts.overwrite === false ? '' : ' -f'}`], { signal: opts.signal, what: rel });
          started = false;
          return { bytes };
        },
        (err) => (err instanceof LocationError ? err : new LocationError('FF_LOCATION_FAILED', `SMB share ${this.where}: ${rel}: ${(err as Error).message}`)),
      )
      .catch(async (err: unknown) => {
        const c = child as ChildProcess | null;
        if (c && c.exitCode === null) c.kill('SIGTERM');
        // The upload's session must be over before the partial is deleted (smbd may still hold it open).
        await (uploadDone as Promise<void> | null)?.catch(() => undefined);
        if (started)
          await this.run([`del ${quote(temp)}`], { what: temp, tolerate: ['NT_STATUS_NO_SUCH_FILE', 'NT_STATUS_OBJECT_NAME_NOT_FOUND'] }).catch(
            () => undefined,
          );
        throw err;
      });
  }

  async delete(p: string, signal?: AbortSignal): Promise<void> {
    const rel = this.check(p);
    try {
      await this.run([`del ${quote(this.remote(rel))}`], { signal, what: rel });
    } catch (err) {
      if (err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND') return; // already gone
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.children) child.kill('SIGTERM');
    this.children.clear();
  }

  private check(p: string, field = 'path'): string {
    const rel = checkRelativePath(p, field);
    if (SMB_FORBIDDEN.test(rel)) throw new LocationError('FF_LOCATION_INVALID_PATH', `${field} must not contain any of " * ? < > | : (SMB names cannot)`);
    return rel;
  }

  /** The path on the share, `\`-separated, under the configured folder; `leaf` is appended (a wildcard for ls). */
  private remote(rel: string, leaf?: string): string {
    const parts = [this.root, rel, leaf ?? ''].filter((s) => s !== '');
    return `\\${parts.join('/').replace(/\//g, '\\')}`;
  }

  private async mkdirs(rel: string, signal?: AbortSignal): Promise<void> {
    let cur = '';
    for (const segment of rel.split('/').filter(Boolean)) {
      cur = joinRelative(cur, segment);
      await this.run([`mkdir ${quote(this.remote(cur))}`], { signal, what: cur, tolerate: ['NT_STATUS_OBJECT_NAME_COLLISION'] });
    }
  }

  private async run(commands: string[], opts: { signal?: AbortSignal; what: string; tolerate?: string[] }): Promise<{ stdout: string }> {
    const { done, output } = await this.start(commands, { ...opts, timeoutMs: COMMAND_TIMEOUT_MS });
    await done;
    return { stdout: output() };
  }

  /**
   * Starts smbclient with `commands` on stdin, once the outbound guard accepted the host; `done` resolves
   * when it exited cleanly and no command reported an NT_STATUS error (except those tolerated), else
   * rejects with the matching LocationError.
   */
  private async start(
    commands: string[],
    opts: { signal?: AbortSignal; what: string; dataOut?: boolean; dataIn?: boolean; tolerate?: string[]; timeoutMs: number },
  ): Promise<{ child: ChildProcess; done: Promise<void>; output: () => string }> {
    if (this.closed) throw new LocationError('FF_LOCATION_FAILED', 'this SMB location was closed', false);
    opts.signal?.throwIfAborted();
    const c = this.config;
    const target = await guardedTarget(c.host, c.allowPrivateNetworks === true, 'SMB server');
    const args = [
      `//${c.host}/${c.share}`,
      '-p',
      String(c.port ?? 445),
      '-I',
      target.address,
      '-U',
      c.user,
      ...(c.domain ? ['-W', c.domain] : []),
      // Messages to stderr: stdout then carries nothing but a file's bytes (`get x -`).
      '-E',
      '-t',
      '30',
      '--option=client min protocol=SMB2_02',
      // The machine's smb.conf is not this connection's: defaults only.
      '-s',
      '/dev/null',
      // With data on stdin the one command comes by -c (which splits at ";": callers keep ";" out of it).
      ...(opts.dataIn ? ['-c', commands.join('; ')] : []),
    ];
    const child = spawn(SMBCLIENT, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC', LANG: 'C', PASSWD: c.password, HOME: '/nonexistent' },
    });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    if (!opts.dataOut) child.stdout!.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-4_000_000)));
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000_000)));
    child.stdin!.on('error', () => undefined);
    if (!opts.dataIn) child.stdin!.end(`${commands.join('\n')}\nexit\n`);
    const done = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs > 0)
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new LocationError('FF_LOCATION_UNREACHABLE', `SMB server at ${this.where} did not answer within ${opts.timeoutMs / 1000} s`));
        }, opts.timeoutMs);
      const abort = () => {
        child.kill('SIGTERM');
        reject(new LocationError('FF_LOCATION_FAILED', `${opts.what || 'the operation'} on the SMB share was aborted`, true));
      };
      opts.signal?.addEventListener('abort', abort, { once: true });
      child.once('error', (err) =>
        reject(new LocationError('FF_LOCATION_UNSUPPORTED', `smbclient cannot run here (${err.message}): install the smbclient package`, false)),
      );
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', abort);
        this.children.delete(child);
        const failure = this.failure(stderr, stdout, opts.what, opts.tolerate ?? []);
        if (failure) return reject(failure);
        if (code !== 0)
          return reject(new LocationError('FF_LOCATION_FAILED', `smbclient ended with ${signal ?? `exit code ${code}`} on ${this.where}: ${lastLine(stderr)}`));
        resolve();
      });
    });
    // smbclient prints listings and errors on either stream depending on version and flags: both are read.
    return { child, done, output: () => `${stdout}\n${stderr}` };
  }

  /** The first NT_STATUS error smbclient reported, as a LocationError; null when there is none (or only tolerated ones). */
  private failure(stderr: string, stdout: string, what: string, tolerate: string[]): LocationError | null {
    // Listing lines are indented (a file may be named NT_STATUS_x); smbclient's own messages are not.
    const statuses = `${stderr}\n${stdout}`
      .split('\n')
      .filter((line) => !line.startsWith('  '))
      .flatMap((line) => [...line.matchAll(/\b(NT_STATUS_[A-Z_]+)\b/g)].map((m) => m[1]!))
      .filter((s) => !tolerate.includes(s));
    const status = statuses[0];
    if (!status) return null;
    const item = what || 'the root folder';
    const c = this.config;
    switch (status) {
      case 'NT_STATUS_LOGON_FAILURE':
      case 'NT_STATUS_WRONG_PASSWORD':
      case 'NT_STATUS_NO_SUCH_USER':
      case 'NT_STATUS_ACCOUNT_DISABLED':
      case 'NT_STATUS_ACCOUNT_LOCKED_OUT':
      case 'NT_STATUS_PASSWORD_EXPIRED':
      case 'NT_STATUS_ACCOUNT_RESTRICTION':
        return new LocationError('FF_LOCATION_AUTH', `SMB server at ${c.host}:${c.port ?? 445} refused the login of user "${c.user}" (${status})`);
      case 'NT_STATUS_ACCESS_DENIED':
      case 'NT_STATUS_NETWORK_ACCESS_DENIED':
        return new LocationError('FF_LOCATION_AUTH', `user "${c.user}" may not access ${item} on the SMB share ${this.where} (${status})`);
      case 'NT_STATUS_BAD_NETWORK_NAME':
        return new LocationError('FF_LOCATION_NOT_FOUND', `the share "${c.share}" does not exist on the SMB server at ${c.host}:${c.port ?? 445}`);
      case 'NT_STATUS_OBJECT_NAME_NOT_FOUND':
      case 'NT_STATUS_OBJECT_PATH_NOT_FOUND':
      case 'NT_STATUS_NO_SUCH_FILE':
      case 'NT_STATUS_NOT_A_DIRECTORY':
      case 'NT_STATUS_OBJECT_NAME_INVALID':
        return new LocationError('FF_LOCATION_NOT_FOUND', `${item} does not exist in the SMB share ${this.where}`);
      case 'NT_STATUS_OBJECT_NAME_COLLISION':
        return new LocationError('FF_LOCATION_EXISTS', `${item} already exists in the SMB share ${this.where}`);
      case 'NT_STATUS_CONNECTION_REFUSED':
        return new LocationError(
          'FF_LOCATION_UNREACHABLE',
          `SMB server at ${c.host}:${c.port ?? 445} refused the connection (nothing listens there: check host and port)`,
        );
      case 'NT_STATUS_IO_TIMEOUT':
      case 'NT_STATUS_HOST_UNREACHABLE':
      case 'NT_STATUS_NETWORK_UNREACHABLE':
      case 'NT_STATUS_CONNECTION_RESET':
      case 'NT_STATUS_CONNECTION_DISCONNECTED':
      case 'NT_STATUS_PIPE_BROKEN':
        return new LocationError('FF_LOCATION_UNREACHABLE', `SMB server at ${c.host}:${c.port ?? 445} is unreachable (${status})`);
      default:
        return new LocationError('FF_LOCATION_FAILED', `SMB share ${this.where}: ${item}: ${status}`);
    }
  }
}

interface LsItem {
  name: string;
  dir: boolean;
  size: number;
  modified: Date | null;
}

function parseLs(stdout: string): LsItem[] {
  const items: LsItem[] = [];
  for (const line of stdout.split('\n')) {
    const m = LS_LINE.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const modified = new Date(`${m[4]!.slice(4).replace(/\s+/g, ' ')} UTC`);
    items.push({ name: m[1]!, dir: m[2]!.includes('D'), size: Number(m[3]), modified: Number.isNaN(modified.getTime()) ? null : modified });
  }
  return items;
}

function toEntry(rel: string, item: LsItem): FileEntry {
  return {
    path: rel,
    name: baseName(rel),
    kind: item.dir ? 'dir' : 'file',
    size: item.dir ? null : item.size,
    modifiedAt: item.modified ? item.modified.toISOString() : null,
    etag: null,
  };
}

/** smbclient's command lines split on spaces outside double quotes; `"` itself is refused in SMB names. */
function quote(remote: string): string {
  return `"${remote}"`;
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => !/^Try "help"/.test(l))
      .pop() ?? ''
  ).slice(0, 300);
}
