import path from 'node:path';
import type { FileEntry, FileLocation } from './location.port';
import { LocationError } from './location.errors';
import { checkRelativePath, dirName } from './location-path';

/**
 * Which files of a location a job takes:
 *  - `path`: exactly one file;
 *  - `glob`: `*`, `?`, `[abc]`, `**` (any depth), matched against the whole relative path
 *    (`in/2024/*.csv`, `**\/*.csv.gz`); the walk starts at the longest folder prefix without a wildcard;
 *  - `regex`: a JavaScript regular expression tested against the whole relative path, walking `under`
 *    ('' = the root) at any depth.
 */
export type FileSelector = { kind: 'path'; path: string } | { kind: 'glob'; glob: string } | { kind: 'regex'; regex: string; under?: string };

export interface SelectionLimits {
  /** Files matched at most; more is FF_LOCATION_TOO_MANY (default 10 000). */
  maxFiles?: number;
  /** Folders listed at most during the walk (default 10 000): a bound on a huge tree. */
  maxFolders?: number;
  /** Folder depth below the walk's start (default 32). */
  maxDepth?: number;
  signal?: AbortSignal;
}

const WILDCARD = /[*?[\]{}]/;

/** The files a selector matches, sorted by path. Throws FF_LOCATION_NOT_FOUND when a `path` does not exist. */
export async function selectFiles(location: FileLocation, selector: FileSelector, limits: SelectionLimits = {}): Promise<FileEntry[]> {
  const maxFiles = limits.maxFiles ?? 10_000;
  if (selector.kind === 'path') {
    const p = checkRelativePath(selector.path);
    if (p === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'path must name a file, not the root');
    const entry = await location.stat(p, limits.signal);
    if (!entry) throw new LocationError('FF_LOCATION_NOT_FOUND', `${p} does not exist in this ${location.type} location`);
    return [entry];
  }
  let start: string;
  let match: (p: string) => boolean;
  if (selector.kind === 'glob') {
    if (selector.glob.length > 1024) throw new LocationError('FF_LOCATION_INVALID_PATH', 'glob must be at most 1024 characters');
    const glob = checkRelativePath(selector.glob, 'glob');
    if (glob === '') throw new LocationError('FF_LOCATION_INVALID_PATH', 'glob must not be empty');
    const segments = glob.split('/');
    const firstWild = segments.findIndex((s) => WILDCARD.test(s));
    if (firstWild < 0) return selectFiles(location, { kind: 'path', path: glob }, limits);
    start = segments.slice(0, firstWild).join('/');
    match = (p) => path.posix.matchesGlob(p, glob);
  } else {
    if (selector.regex.length > 1024) throw new LocationError('FF_LOCATION_INVALID_PATH', 'regex must be at most 1024 characters');
    let re: RegExp;
    try {
      re = new RegExp(selector.regex);
    } catch (err) {
      throw new LocationError('FF_LOCATION_INVALID_PATH', `regex does not compile: ${(err as Error).message}`);
    }
    start = checkRelativePath(selector.under ?? '', 'under');
    match = (p) => re.test(p);
  }
  return walk(location, start, match, { maxFiles, maxFolders: limits.maxFolders ?? 10_000, maxDepth: limits.maxDepth ?? 32, signal: limits.signal });
}

async function walk(
  location: FileLocation,
  start: string,
  match: (p: string) => boolean,
  limits: { maxFiles: number; maxFolders: number; maxDepth: number; signal?: AbortSignal },
): Promise<FileEntry[]> {
  const found: FileEntry[] = [];
  const queue: { dir: string; depth: number }[] = [{ dir: start, depth: 0 }];
  let folders = 0;
  while (queue.length > 0) {
    limits.signal?.throwIfAborted();
    const { dir, depth } = queue.shift()!;
    if (++folders > limits.maxFolders) {
      throw new LocationError('FF_LOCATION_TOO_MANY', `the selection walked more than ${limits.maxFolders} folders under "${start || '/'}": narrow it`);
    }
    let listing;
    try {
      listing = await location.list(dir, { limit: 100_000, signal: limits.signal });
    } catch (err) {
      // The start folder missing is an empty selection, not an error (a landing folder nobody wrote yet).
      if (err instanceof LocationError && err.code === 'FF_LOCATION_NOT_FOUND' && dir === start) return [];
      throw err;
    }
    for (const e of listing.entries) {
      if (e.kind === 'dir') {
        if (depth < limits.maxDepth) queue.push({ dir: e.path, depth: depth + 1 });
      } else if (match(e.path)) {
        found.push(e);
        if (found.length > limits.maxFiles) {
          throw new LocationError(
            'FF_LOCATION_TOO_MANY',
            `the selection matches more than ${limits.maxFiles} files under "${dirName(e.path) || '/'}": narrow it`,
          );
        }
      }
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
