import { LocationError } from './location.errors';

/**
 * Normalises a path relative to a location's root: trims leading and trailing `/`, collapses `//` and
 * `./`. Refuses — FF_LOCATION_INVALID_PATH naming the field — what could leave the root or confuse a
 * server: `..` segments, NUL and other control characters, backslashes, more than 1024 characters.
 * '' is the root itself.
 */
export function checkRelativePath(p: string, field = 'path'): string {
  if (typeof p !== 'string') throw new LocationError('FF_LOCATION_INVALID_PATH', `${field} must be a string`);
  if (p.length > 1024) throw new LocationError('FF_LOCATION_INVALID_PATH', `${field} must be at most 1024 characters`);
  if (/[\u0000-\u001f\u007f]/.test(p)) throw new LocationError('FF_LOCATION_INVALID_PATH', `${field} must not contain control characters (NUL, newline...)`);
  if (p.includes('\\')) throw new LocationError('FF_LOCATION_INVALID_PATH', `${field} must use "/" as separator, not "\\"`);
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new LocationError('FF_LOCATION_INVALID_PATH', `${field} must not contain ".." segments`);
  return segments.join('/');
}

/** `a/b` + `c.csv` → `a/b/c.csv`; either side may be ''. */
export function joinRelative(dir: string, name: string): string {
  return dir === '' ? name : name === '' ? dir : `${dir}/${name}`;
}

/** The last segment of a relative path. */
export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** The folder part of a relative path ('' at the root). */
export function dirName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}
