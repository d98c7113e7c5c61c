import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { assertValidObjectKey, compareKeys, planListing, RESERVED_SEGMENT_PREFIX } from './object-key';
import { ObjectNotFoundError, ObjectStoreError } from './object-store.errors';
import type { ListOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store.port';

export interface LocalObjectStoreConfig {
  /** Directory holding the objects; embedded mode uses `./.flowforge/lake`. Created on first write. */
  root: string;
}

/**
 * Filesystem adapter. Writes go to a temp file in the target's directory and are renamed into place:
 * rename(2) within one directory is atomic, so readers see the old or the new object, never a part.
 * Limits (documented, not hidden): `contentType` is not persisted; a key cannot also be a "directory"
 * of other keys (`a` and `a/b` cannot coexist), which S3 would allow but lake layouts never need.
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;

  constructor(config: LocalObjectStoreConfig) {
    if (!config?.root) throw new ObjectStoreError('FF_OBJECT_STORE_CONFIG', 'local object store needs a "root" directory');
    this.root = path.resolve(config.root);
  }

  async put(key: string, body: Buffer | Readable, _opts?: PutOptions): Promise<PutResult> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    const tmp = path.join(dir, `${RESERVED_SEGMENT_PREFIX}${path.basename(file)}.${randomBytes(6).toString('hex')}`);
    let size = 0;
    try {
      const fh = await this.openCreatingDirs(tmp);
      try {
        if (Buffer.isBuffer(body)) {
          await fh.writeFile(body);
          size = body.length;
        } else {
          // Plain awaited writes: natural backpressure, and a source error surfaces right here.
          for await (const chunk of body) {
            const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
            await fh.write(buf, 0, buf.length);
            size += buf.length;
          }
        }
        // Flush before rename, or a power loss could leave the new name pointing at an empty file.
        await fh.sync();
      } finally {
        await fh.close().catch(() => undefined);
      }
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
      throw this.wrap('put', key, err);
    }
    return { key, size };
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    // Open first so a missing key rejects this promise instead of erroring the stream later.
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(file, 'r');
      const st = await fh.stat().catch(async (err: unknown) => {
        await fh.close();
        throw err;
      });
      if (!st.isFile()) {
        await fh.close();
        throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      }
    } catch (err) {
      throw this.wrap('get', key, err);
    }
    return fh.createReadStream({ autoClose: true });
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.pathOf(key);
    try {
      const st = await fs.stat(file);
      return st.isFile() ? { key, size: st.size, lastModified: new Date(st.mtimeMs) } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw this.wrap('head', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await fs.rm(file, { force: true });
    } catch (err) {
      if (!isMissing(err)) throw this.wrap('delete', key, err);
    }
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    keys.forEach(assertValidObjectKey); // validate all before deleting any
    for (const key of keys) await this.delete(key);
  }

  async *list(prefix: string, opts?: ListOptions): AsyncIterable<ObjectInfo> {
    const plan = planListing(prefix, opts);
    // Walk from the deepest directory fully named by the prefix; the rest is filtered by string prefix.
    const slash = plan.listPrefix.lastIndexOf('/');
    const baseKey = slash === -1 ? '' : plan.listPrefix.slice(0, slash + 1);
    for await (const info of this.walk(baseKey, plan.listPrefix, plan.recursive)) {
      if (plan.matches(info.key)) yield info;
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const src = this.pathOf(from);
    const dst = this.pathOf(to);
    const tmp = path.join(path.dirname(dst), `${RESERVED_SEGMENT_PREFIX}${path.basename(dst)}.${randomBytes(6).toString('hex')}`);
    try {
      await fs.mkdir(path.dirname(dst), { recursive: true });
      try {
        await fs.copyFile(src, tmp, fs.constants.COPYFILE_EXCL);
      } catch (err) {
        if (isMissing(err) && !(await this.head(from))) throw new ObjectNotFoundError(from, this.where(), { cause: err });
        throw err;
      }
      await fs.rename(tmp, dst);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw this.wrap('copy', `${from} -> ${to}`, err);
    }
  }

  /**
   * Depth-first walk in S3 key order: a directory `d` sorts as `d/` among its siblings, so `a/b`
   * comes after `a-c` exactly as in a byte-ordered key listing. Memory is one directory at a time.
   */
  private async *walk(dirKey: string, listPrefix: string, recursive: boolean): AsyncGenerator<ObjectInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(path.join(this.root, dirKey), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw this.wrap('list', dirKey || '(root)', err);
    }
    const named = entries
      .filter((e) => !e.name.startsWith(RESERVED_SEGMENT_PREFIX) && (e.isFile() || e.isDirectory()))
      .map((e) => ({ entry: e, sortKey: dirKey + e.name + (e.isDirectory() ? '/' : '') }))
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const { entry, sortKey } of named) {
      // Skip subtrees that cannot contain a key starting with listPrefix.
      if (!sortKey.startsWith(listPrefix) && !listPrefix.startsWith(sortKey)) continue;
      if (entry.isDirectory()) {
        if (recursive || listPrefix.startsWith(sortKey)) yield* this.walk(sortKey, listPrefix, recursive);
      } else {
        try {
          const st = await fs.stat(path.join(this.root, sortKey));
          yield { key: sortKey, size: st.size, lastModified: new Date(st.mtimeMs) };
        } catch (err) {
          if (!isMissing(err)) throw this.wrap('list', sortKey, err); // deleted meanwhile: skip
        }
      }
    }
  }

  private async openCreatingDirs(file: string): Promise<fs.FileHandle> {
    // A concurrent delete may prune the directory between mkdir and open; one retry covers that race.
    for (let attempt = 0; ; attempt++) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      try {
        return await fs.open(file, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw err;
      }
    }
  }

  /** Removes now-empty parent directories (the lake has no directories, only keys), never the root. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + path.sep)) {
      try {
        await fs.rmdir(current);
      } catch {
        return; // not empty, gone, or busy: all fine
      }
      current = path.dirname(current);
    }
  }

  private pathOf(key: string): string {
    assertValidObjectKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    // Belt and braces: key validation already excludes '..', this catches anything it might miss.
    if (!file.startsWith(this.root + path.sep)) {
      throw new ObjectStoreError('FF_OBJECT_KEY', `key "${key}" resolves outside the store root ${this.root}`);
    }
    return file;
  }

  private where(): string {
    return `local store ${this.root}`;
  }

  private wrap(op: string, key: string, err: unknown): Error {
    if (err instanceof ObjectStoreError) return err;
    if (op !== 'put' && isMissing(err)) return new ObjectNotFoundError(key, this.where(), { cause: err });
    const e = err as NodeJS.ErrnoException;
    const detail = e?.code ? `${e.code} ${e.message}` : String((err as Error)?.message ?? err);
    return new ObjectStoreError('FF_OBJECT_STORE', `${op} "${key}" failed in ${this.where()}: ${detail}`, { cause: err });
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  // ENOTDIR: a path segment is a file (key "a" exists, "a/b" asked) — for reads that is "missing".
  return code === 'ENOENT' || code === 'ENOTDIR';
}
