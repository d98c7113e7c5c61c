import { InvalidObjectKeyError } from './object-store.errors';

/**
 * Segment prefix reserved for the local adapter's in-flight temp files. Rejected in every adapter so
 * a key is valid everywhere or nowhere, and so a temp file can never collide with a real object.
 */
export const RESERVED_SEGMENT_PREFIX = '.ff-tmp-';

const MAX_KEY_BYTES = 1024; // S3's limit; enforced everywhere so local-mode data stays portable.

/**
 * Key rules (one set for all adapters; for the local adapter this is also the path-traversal guard):
 * non-empty, ≤ 1024 UTF-8 bytes, no leading or trailing '/', no empty segment ('a//b'), no '.' or
 * '..' segment, no NUL, no backslash (a path separator on Windows), no reserved temp segment.
 */
export function assertValidObjectKey(key: string): void {
  const reason = objectKeyProblem(key);
  if (reason) throw new InvalidObjectKeyError(String(key), reason);
}

function objectKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'must be a non-empty string';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\0')) return 'must not contain NUL';
  if (key.includes('\\')) return 'must not contain a backslash (use "/" as separator)';
  if (key.startsWith('/')) return 'must be relative (no leading "/")';
  if (key.endsWith('/')) return 'must not end with "/" (directories are not objects)';
  for (const segment of key.split('/')) {
    if (segment === '') return 'must not contain an empty segment ("//")';
    if (segment === '.' || segment === '..') return `must not contain a "${segment}" segment`;
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX)) return `segments starting with "${RESERVED_SEGMENT_PREFIX}" are reserved`;
  }
  return null;
}

/** A list prefix is '' or a key-like string that may end with '/' (and may stop mid-segment). */
export function assertValidListPrefix(prefix: string): void {
  if (prefix === '') return;
  const asKey = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const reason = objectKeyProblem(asKey);
  if (reason) throw new InvalidObjectKeyError(prefix, `invalid list prefix: ${reason}`);
}

/**
 * Small glob → RegExp (no dependency): `**` any characters including '/', `**\/` zero or more whole
 * segments, `*` any characters except '/', `?` one character except '/'. Everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 's');
}

/** Literal part of a glob before its first wildcard: lets adapters list a narrower prefix. */
export function globStaticPrefix(glob: string): string {
  const i = glob.search(/[*?]/);
  return i === -1 ? glob : glob.slice(0, i);
}

export interface ListingPlan {
  /** Prefix to ask the backend for (possibly narrowed by the glob's literal head). */
  listPrefix: string;
  recursive: boolean;
  /** Final filter on the full key (prefix, recursion, glob). */
  matches(key: string): boolean;
}

export function planListing(prefix: string, opts: { glob?: string; recursive?: boolean } = {}): ListingPlan {
  assertValidListPrefix(prefix);
  const recursive = opts.recursive ?? true;
  const globRe = opts.glob !== undefined ? globToRegExp(opts.glob) : null;
  let listPrefix = prefix;
  if (opts.glob !== undefined && recursive) {
    const head = globStaticPrefix(opts.glob);
    if (head.startsWith(prefix)) listPrefix = head;
    // A glob whose literal head contradicts the prefix can match nothing under it; the filter below
    // handles that without a special case.
  }
  return {
    listPrefix,
    recursive,
    matches: (key) => key.startsWith(prefix) && (recursive || !key.slice(prefix.length).includes('/')) && (globRe === null || globRe.test(key)),
  };
}

/** Byte order of UTF-8 keys, i.e. the order S3 lists in (JS `<` compares UTF-16 units instead). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
