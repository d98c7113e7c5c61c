import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { checkLocalPath, type LocalPathPolicy } from './local-path.policy';
import { LocationError } from './location.errors';
import { baseName, checkRelativePath, dirName, joinRelative } from './location-path';
import type { FileEntry, FileLocation, Listing } from './location.port';
import { beginWrite, existsError, partialName, type WriteOptions, type WriteResult } from './location-write';

/**
 * A directory of this host (`local` connection). The connection's directory must pass the local path
 * policy (inside FLOWFORGE_LOCAL_CONNECTION_ROOTS, not a system or platform folder) at every use, not
 * only when the connection was saved; every file is judged on its real path, so a symlink inside the
 * directory cannot lead out of it.
 */
export class LocalLocation implements FileLocation {
  readonly type = 'local';

  constructor(
    private readonly dir: string,
    private readonly policy: LocalPathPolicy,
  ) {}

  async test(): Promise<void> {
    const root = await this.root();
    const st = await fs.stat(root).catch(() => null);
    if (!st) throw new LocationError('FF_LOCATION_NOT_FOUND', `${this.dir} does not exist`);
    if (!st.isDirectory()) throw new LocationError('FF_LOCATION_NOT_FOUND', `${this.dir} is not a directory`);
    await fs.access(root, fs.constants.R_OK).catch(() => {
      throw new LocationError('FF_LOCATION_AUTH', `${this.dir} is not readable by this process`);
    });
  }

  async list(dir: string, opts: { limit?: number } = {}): Promise<Listing> {
    const rel = checkRelativePath(dir, 'dir');
    const abs = await this.resolve(rel);
    let names: import('node:fs').Dirent[];
    try {
      names = await fs.readdir(abs, { withFileTypes: true });
    } catch (err) {
      throw this.fsError(err, rel);
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const limit = opts.limit ?? 1000;
    const entries: FileEntry[] = [];
    for (const d of names) {
      if (entries.length >= limit) return { entries, truncated: true };
      const p = joinRelative(rel, d.name);
      // Symlinks are followed only when they stay inside the directory (judged by entry()).
      const e = await this.entry(p).catch(() => null);
      if (e) entries.push(e);
    }
    return { entries, truncated: false };
  }

  async stat(p: string): Promise<FileEntry | null> {
    const rel = checkRelativePath(p);
    const e = await this.entry(rel).catch((err: unknown) => {
      if (err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND') return null;
      throw err;
    });
    return e && e.kind === 'file' ? e : null;
  }

  async open(p: string): Promise<Readable> {
    const rel = checkRelativePath(p);
    const abs = await this.resolve(rel);
    const handle = await fs.open(abs, 'r').catch((err: unknown) => {
      throw this.fsError(err, rel);
    });
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} is not a file`);
    }
    return createReadStream('', { fd: handle, autoClose: true, highWaterMark: 1 << 20 });
  }

  async localPath(p: string): Promise<string> {
    const rel = checkRelativePath(p);
    const abs = await this.resolve(rel);
    const st = await fs.stat(abs).catch((err: unknown) => {
      throw this.fsError(err, rel);
    });
    if (!st.isFile()) throw new LocationError('FF_LOCATION_NOT_FOUND', `${rel} is not a file`);
    return abs;
  }

  async archive(p: string, to: string, opts: { move: boolean }): Promise<void> {
    const from = await this.resolve(checkRelativePath(p));
    const dest = await this.resolve(checkRelativePath(to, 'to'));
    await fs.mkdir(path.dirname(dest), { recursive: true });
    if (opts.move) {
      await fs.rename(from, dest).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV') throw this.fsError(err, p);
        await fs.copyFile(from, dest);
        await fs.unlink(from);
      });
    } else {
      await fs.copyFile(from, dest).catch((err: unknown) => {
        throw this.fsError(err, p);
      });
    }
  }

  /**
   * Streams `body` into `<name>.ff-partial-<random>` beside the target (created exclusively: never through
   * a symlink), flushed to disk, then renamed over the target (overwrite) or hard-linked to it (no
   * overwrite: the link fails if a file appeared meanwhile, so two writers cannot both win). Parent
   * folders are created one at a time, each judged on its real path, so neither `..` nor a symlink can
   * lead a write out of the connection's directory; the directory itself passes the policy first.
   */
  async write(p: string, body: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const { rel, attempt } = beginWrite(p, body, opts);
    let temp: string | null = null;
    return attempt
      .run(
        async () => {
          const root = await this.root();
          // An existing target that is a symlink leading out is refused, as reads refuse it (a missing one is what we create).
          await this.resolve(rel).catch((err: unknown) => {
            if (!(err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND')) throw err;
          });
          const parent = await this.ensureFolder(root, dirName(rel));
          const target = path.join(parent, baseName(rel));
          const existing = await fs.lstat(target).catch(() => null);
          if (existing?.isDirectory()) throw new LocationError('FF_LOCATION_FAILED', `${rel} is a folder, not a file`, false);
          if (existing && opts.overwrite === false) throw existsError(rel, "the connection's directory");
          temp = path.join(parent, partialName(baseName(rel)));
          // 'wx': O_CREAT|O_EXCL, which never follows a symlink; flush: fsync before close, so the rename publishes durable bytes.
          const bytes = await attempt.into(createWriteStream(temp, { flags: 'wx', flush: true, highWaterMark: 1 << 20 }));
          if (opts.overwrite === false) await this.linkNoReplace(temp, target, rel);
          else await fs.rename(temp, target);
          temp = null;
          return { bytes };
        },
        (err) => this.fsError(err, rel),
      )
      .catch(async (err: unknown) => {
        if (temp) await fs.unlink(temp).catch(() => undefined);
        throw err;
      });
  }

  async delete(p: string): Promise<void> {
    const abs = await this.resolve(checkRelativePath(p));
    await fs.unlink(abs).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw this.fsError(err, p);
    });
  }

  async close(): Promise<void> {}

  /** The connection's directory, checked against the policy now (roots may have changed since it was saved). */
  private async root(): Promise<string> {
    const verdict = await checkLocalPath(this.dir, this.policy);
    if (!verdict.ok) throw new LocationError('FF_LOCATION_REFUSED', `${this.dir} ${verdict.reason}`);
    return verdict.realPath;
  }

  /**
   * Creates the folders of `rel` under the (real) root one at a time, and returns the last one's real
   * path. An existing segment that is a symlink is followed only when its real path stays inside the
   * root; nothing is created outside it.
   */
  private async ensureFolder(root: string, rel: string): Promise<string> {
    let cur = root;
    let done = '';
    for (const segment of rel.split('/').filter(Boolean)) {
      done = joinRelative(done, segment);
      const next = path.join(cur, segment);
      let st = await fs.lstat(next).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw this.fsError(err, done);
      });
      if (!st) {
        await fs.mkdir(next).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw this.fsError(err, done);
        });
        st = await fs.lstat(next);
      }
      if (st.isSymbolicLink()) {
        const real = await fs.realpath(next).catch((err: unknown) => {
          throw this.fsError(err, done);
        });
        const r = path.relative(root, real);
        if (r.startsWith('..') || path.isAbsolute(r))
          throw new LocationError('FF_LOCATION_REFUSED', `${done} leads out of the connection's directory (a symlink to ${real})`);
        st = await fs.stat(real);
        cur = real;
      } else {
        cur = next;
      }
      if (!st.isDirectory()) throw new LocationError('FF_LOCATION_FAILED', `${done} exists and is not a folder`, false);
    }
    return cur;
  }

  /** Publishes `temp` as `target` unless a file is there (link(2) refuses atomically), then drops the temporary name. */
  private async linkNoReplace(temp: string, target: string, rel: string): Promise<void> {
    try {
      await fs.link(temp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw existsError(rel, "the connection's directory");
      // File systems without hard links: check, then rename (a concurrent writer could slip in between).
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      if (await fs.lstat(target).catch(() => null)) throw existsError(rel, "the connection's directory");
      await fs.rename(temp, target);
      return;
    }
    await fs.unlink(temp);
  }

  /** Absolute real path of `rel`, which must stay inside the root once symlinks are resolved. */
  private async resolve(rel: string): Promise<string> {
    const root = await this.root();
    const abs = path.join(root, ...rel.split('/').filter(Boolean));
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return abs; // created later (archive target) or absent (reported by the caller)
      throw this.fsError(err, rel);
    }
    const r = path.relative(root, real);
    if (r.startsWith('..') || path.isAbsolute(r)) {
      throw new LocationError('FF_LOCATION_REFUSED', `${rel || '/'} leads out of the connection's directory (a symlink to ${real})`);
    }
    return real;
  }

  private async entry(rel: string): Promise<FileEntry> {
    const abs = await this.resolve(rel);
    let st: import('node:fs').Stats;
    try {
      st = await fs.stat(abs);
    } catch (err) {
      throw this.fsError(err, rel);
    }
    return {
      path: rel,
      name: baseName(rel),
      kind: st.isDirectory() ? 'dir' : 'file',
      size: st.isDirectory() ? null : st.size,
      modifiedAt: st.mtime.toISOString(),
      etag: null,
    };
  }

  private fsError(err: unknown, rel: string): LocationError {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new LocationError('FF_LOCATION_NOT_FOUND', `${rel || '/'} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') return new LocationError('FF_LOCATION_AUTH', `${rel || '/'} is not accessible to this process`);
    return new LocationError('FF_LOCATION_FAILED', `${rel || '/'}: ${(err as Error).message}`);
  }
}
