import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import yauzl from 'yauzl';
import type { Compression } from './format-options';
import { IngestError } from './ingest.errors';
import { readHead } from './input-detect';

/** One file to read: the input itself, or a member extracted from it. */
export interface InputMember {
  /** The member's path inside the archive (or the input's base name), as lines of rejects name it. */
  name: string;
  /** Local path of its bytes. */
  path: string;
  bytes: number;
}

export interface ExtractGuards {
  maxMembers: number;
  maxExtractedBytes: number;
  maxCompressionRatio: number;
}

export interface ExtractOptions extends ExtractGuards {
  /** Glob over member paths (path.posix.matchesGlob); default every file member. */
  members?: string;
  /** A private directory for the extracted files (the caller removes it). */
  workDir: string;
  signal?: AbortSignal;
  /** Called with the compressed bytes consumed so far. */
  onBytes?: (bytes: number) => void;
}

// A ratio measured over a few KiB says nothing (a small file of one repeated byte compresses 1000:1),
// so it is enforced once this much has come out; the size limit holds from the first byte.
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** Compression from the first bytes; a tar shows `ustar` at offset 257 (POSIX and GNU). */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06))
    return 'zip';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return 'none';
}

/** The reason a member name may not be extracted, or null: absolute, drive or UNC paths, `..`, NUL, backslashes. */
export function unsafeMemberName(name: string): string | null {
  if (name.length === 0) return 'an empty name';
  if (name.includes('\0')) return 'a NUL byte in the name';
  if (name.includes('\\')) return 'a backslash in the name (a Windows path)';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  if (name.split('/').some((seg) => seg === '..')) return 'a ".." segment';
  return null;
}

/**
 * Extracts the members of `file` to read into `workDir`, streaming, with every guard applied while bytes
 * flow: members are written under generated names (never a name taken from the archive, so nothing can
 * land outside workDir whatever the archive says), and an unsafe name or link anywhere in the archive
 * refuses the whole archive. `none` answers the input itself without copying.
 */
export async function extractInput(file: string, displayName: string, compression: Compression, opts: ExtractOptions): Promise<InputMember[]> {
  const size = (await fs.stat(file)).size;
  switch (compression) {
    case 'none':
      return [{ name: displayName, path: file, bytes: size }];
    case 'gzip':
    case 'tar.gz': {
      const inner = displayName.replace(/\.(gz|tgz)$/i, (m) => (m.toLowerCase() === '.tgz' ? '.tar' : ''));
      const out = path.join(opts.workDir, 'gunzip.out');
      const budget = new Budget(opts, size, displayName);
      await gunzipTo(file, displayName, out, budget, opts);
      const head = await readHead(out, 512);
      if (compression === 'tar.gz' || sniffCompression(head) === 'tar') {
        try {
          return await extractTar(out, displayName, opts, budget.forInner());
        } finally {
          await fs.rm(out, { force: true });
        }
      }
      return [{ name: inner === displayName ? `${displayName}.out` : inner, path: out, bytes: budget.extracted }];
    }
    case 'tar':
      return extractTar(file, displayName, opts, new Budget(opts, size, displayName, false));
    case 'zip':
      return extractZip(file, displayName, opts, size);
  }
}

/** Extracted-bytes accounting shared by the layers of one input (gzip, then tar inside it). */
class Budget {
  extracted = 0;
  compressedRead = 0;

  constructor(
    private readonly guards: ExtractGuards,
    private readonly compressedSize: number,
    private readonly file: string,
    private readonly checkRatio = true,
  ) {}

  add(bytes: number, member?: string): void {
    this.extracted += bytes;
    const where = member ? `member ${JSON.stringify(member)} of ${this.file}` : this.file;
    if (this.extracted > this.guards.maxExtractedBytes) {
      throw new IngestError(
        'FF_INGEST_ARCHIVE_TOO_LARGE',
        `${where} expands beyond ${this.guards.maxExtractedBytes} bytes (limits.maxExtractedBytes); raise the limit if the file is genuine`,
      );
    }
    const base = Math.max(1, this.compressedRead || this.compressedSize);
    if (this.checkRatio && this.extracted > RATIO_FLOOR_BYTES && this.extracted / base > this.guards.maxCompressionRatio) {
      throw new IngestError(
        'FF_INGEST_ARCHIVE_TOO_LARGE',
        `${where} expands more than ${this.guards.maxCompressionRatio}:1 (${this.extracted} bytes out of ${base} compressed so far, limits.maxCompressionRatio): refused as a decompression bomb`,
      );
    }
  }

  /** The tar inside a gzip: its bytes were counted by the gzip layer already. */
  forInner(): Budget {
    return new Budget({ ...this.guards, maxExtractedBytes: Number.MAX_SAFE_INTEGER }, this.compressedSize, this.file, false);
  }
}

function counter(onChunk: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        onChunk(chunk.length);
        cb(null, chunk);
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

async function gunzipTo(file: string, displayName: string, out: string, budget: Budget, opts: ExtractOptions): Promise<void> {
  try {
    await pipeline(
      createReadStream(file),
      counter((n) => {
        budget.compressedRead += n;
        opts.onBytes?.(budget.compressedRead);
      }),
      zlib.createGunzip(),
      counter((n) => budget.add(n)),
      createWriteStream(out),
      { signal: opts.signal },
    );
  } catch (err) {
    throw mapStreamError(err, `gzip data of ${displayName}`);
  }
}

function mapStreamError(err: unknown, what: string): Error {
  if (err instanceof IngestError) return err;
  if ((err as Error).name === 'AbortError') return new IngestError('FF_INGEST_CANCELLED', `reading ${what} was cancelled`, { cause: err });
  return new IngestError('FF_INGEST_ARCHIVE_CORRUPT', `${what} is damaged or truncated (${(err as Error).message}); re-export or re-upload the file`, {
    cause: err,
  });
}

function wanted(name: string, pattern: string | undefined): boolean {
  return pattern === undefined || path.posix.matchesGlob(name, pattern);
}

function memberPath(opts: ExtractOptions, index: number, name: string): string {
  const ext = path.posix
    .extname(name)
    .replace(/[^.A-Za-z0-9]/g, '')
    .slice(0, 12);
  return path.join(opts.workDir, `member-${String(index).padStart(6, '0')}${ext}`);
}

async function extractTar(file: string, displayName: string, opts: ExtractOptions, budget: Budget): Promise<InputMember[]> {
  const out: InputMember[] = [];
  const extract = tarStream.extract();
  const source = createReadStream(file);
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  let seen = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = h.name.replace(/^\.\//, '');
      if (
        h.type === 'directory' ||
        h.type === 'pax-header' ||
        h.type === 'pax-global-header' ||
        h.type === 'gnu-long-path' ||
        h.type === 'gnu-long-link-path'
      ) {
        entry.resume();
        continue;
      }
      const bad = unsafeMemberName(name) ?? (h.type === 'file' || h.type === 'contiguous-file' ? null : `a ${h.type} entry (only regular files are read)`);
      if (bad) throw new IngestError('FF_INGEST_ARCHIVE_UNSAFE', `member ${JSON.stringify(h.name)} of ${displayName} has ${bad}: the archive is refused whole`);
      if (++seen > opts.maxMembers)
        throw new IngestError('FF_INGEST_ARCHIVE_TOO_LARGE', `${displayName} holds more than ${opts.maxMembers} members (limits.maxMembers)`);
      if (!wanted(name, opts.members)) {
        entry.resume();
        continue;
      }
      const target = memberPath(opts, out.length, name);
      let bytes = 0;
      await pipeline(
        entry as Readable,
        counter((n) => {
          bytes += n;
          budget.add(n, name);
        }),
        createWriteStream(target),
        { signal: opts.signal },
      );
      out.push({ name, path: target, bytes });
    }
  } catch (err) {
    source.destroy();
    throw mapStreamError(err, `tar data of ${displayName}`);
  }
  return out;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // decodeStrings off: names are checked here (yauzl's own check would surface as a generic error),
    // validateEntrySizes on: a member that inflates past its declared size fails instead of growing.
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

function zipEntryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  // Bit 11: UTF-8 names; otherwise CP437, of which latin1 is close enough for matching and messages.
  return raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? 'utf8' : 'latin1');
}

async function extractZip(file: string, displayName: string, opts: ExtractOptions, size: number): Promise<InputMember[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw mapStreamError(err, `zip data of ${displayName}`);
  }
  try {
    // The central directory first, whole: a bad entry anywhere refuses the archive before a byte is written.
    const entries: { entry: yauzl.Entry; name: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push({ entry, name: zipEntryName(entry) });
        if (entries.length > opts.maxMembers)
          reject(new IngestError('FF_INGEST_ARCHIVE_TOO_LARGE', `${displayName} holds more than ${opts.maxMembers} members (limits.maxMembers)`));
        else zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
    const files: { entry: yauzl.Entry; name: string }[] = [];
    let declared = 0;
    for (const { entry, name } of entries) {
      const bad = unsafeMemberName(name);
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (bad) throw new IngestError('FF_INGEST_ARCHIVE_UNSAFE', `member ${JSON.stringify(name)} of ${displayName} has ${bad}: the archive is refused whole`);
      if (mode === 0o120000)
        throw new IngestError('FF_INGEST_ARCHIVE_UNSAFE', `member ${JSON.stringify(name)} of ${displayName} is a symbolic link: the archive is refused whole`);
      if (name.endsWith('/')) continue;
      if (entry.isEncrypted())
        throw new IngestError('FF_INGEST_ARCHIVE_CORRUPT', `member ${JSON.stringify(name)} of ${displayName} is encrypted; encrypted zips are not read`);
      declared += entry.uncompressedSize;
      if (declared > opts.maxExtractedBytes) {
        throw new IngestError(
          'FF_INGEST_ARCHIVE_TOO_LARGE',
          `${displayName} declares more than ${opts.maxExtractedBytes} bytes of members (limits.maxExtractedBytes)`,
        );
      }
      if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize / Math.max(1, entry.compressedSize) > opts.maxCompressionRatio) {
        throw new IngestError(
          'FF_INGEST_ARCHIVE_TOO_LARGE',
          `member ${JSON.stringify(name)} of ${displayName} expands ${entry.compressedSize} bytes into ${entry.uncompressedSize} (over ${opts.maxCompressionRatio}:1, limits.maxCompressionRatio): refused as a decompression bomb`,
        );
      }
      if (wanted(name, opts.members)) files.push({ entry, name });
    }
    const budget = new Budget(opts, size, displayName);
    const out: InputMember[] = [];
    for (const { entry, name } of files) {
      const target = memberPath(opts, out.length, name);
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
      budget.compressedRead += entry.compressedSize;
      opts.onBytes?.(budget.compressedRead);
      let bytes = 0;
      await pipeline(
        stream,
        counter((n) => {
          bytes += n;
          budget.add(n, name);
        }),
        createWriteStream(target),
        { signal: opts.signal },
      );
      out.push({ name, path: target, bytes });
    }
    return out;
  } catch (err) {
    throw mapStreamError(err, `zip data of ${displayName}`);
  } finally {
    zip.close();
  }
}
