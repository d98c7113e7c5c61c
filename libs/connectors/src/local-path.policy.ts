import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where `local` connections may point: inside one of the configured roots (FLOWFORGE_LOCAL_CONNECTION_ROOTS,
 * default `<FLOWFORGE_HOME>/landing`), judged on the real path (symlinks resolved), and never at the
 * file system root, a system folder or the platform's own data (its home, the lake, the PostgreSQL data):
 * a connection there would let anyone allowed to create connections read or write the platform itself.
 */
export interface LocalPathPolicy {
  /** Absolute directories a local connection must lie in (resolved again at each check). */
  readonly roots: readonly string[];
  /** Folders refused whatever the roots say: the path may be neither one of them, inside one, nor above one. */
  readonly guarded: readonly { dir: string; what: string }[];
  /** Folders a path may lie below (a root there is fine) but may be neither equal to nor above. */
  readonly notAbove: readonly { dir: string; what: string }[];
}

/** System folders nobody's connection may reach (inside or equal; `/` only as itself). */
const SYSTEM_DIRS = ['/etc', '/root', '/proc', '/sys', '/dev', '/boot'];

export function localPathPolicy(opts: {
  home: string;
  lakeDir: string | null;
  roots: string;
  extraGuarded?: readonly { dir: string; what: string }[];
}): LocalPathPolicy {
  const home = path.resolve(opts.home);
  const roots = opts.roots
    .split(path.delimiter)
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => path.resolve(r));
  return {
    roots: roots.length > 0 ? roots : [path.join(home, 'landing')],
    guarded: [
      ...SYSTEM_DIRS.map((dir) => ({ dir, what: 'a system folder' })),
      ...(opts.lakeDir ? [{ dir: path.resolve(opts.lakeDir), what: "the platform's lake" }] : []),
      { dir: path.join(home, 'pg'), what: "the platform's PostgreSQL data" },
      ...(opts.extraGuarded ?? []),
    ],
    notAbove: [{ dir: home, what: "the platform's data folder (FLOWFORGE_HOME)" }],
  };
}

/** The real path of `p`: the longest existing prefix through realpath, the missing rest appended. */
export async function realPathLenient(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (err) {
      const parent = path.dirname(cur);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === cur) throw err;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

const within = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

export type LocalPathVerdict = { ok: true; realPath: string } | { ok: false; reason: string };

/** Judges `p` (already absolute, without NUL or `..`: the config schema refuses those) against `policy`. */
export async function checkLocalPath(p: string, policy: LocalPathPolicy): Promise<LocalPathVerdict> {
  if (p.includes('\u0000')) return { ok: false, reason: 'must not contain a NUL byte' };
  if (!path.isAbsolute(p)) return { ok: false, reason: 'must be an absolute directory path' };
  if (p.split(/[\\/]/).includes('..')) return { ok: false, reason: 'must not contain ".." segments' };
  let real: string;
  try {
    real = await realPathLenient(p);
  } catch (err) {
    return { ok: false, reason: `cannot be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const shown = real === path.resolve(p) ? p : `${p} (really ${real})`;
  if (real === path.parse(real).root) return { ok: false, reason: `${shown} is the file system root` };
  for (const g of policy.guarded) {
    const dir = await realPathLenient(g.dir).catch(() => g.dir);
    if (within(real, dir) || within(dir, real)) return { ok: false, reason: `${shown} is or contains ${g.what} (${dir})` };
  }
  for (const g of policy.notAbove) {
    const dir = await realPathLenient(g.dir).catch(() => g.dir);
    if (within(dir, real)) return { ok: false, reason: `${shown} is or contains ${g.what} (${dir})` };
  }
  const roots = await Promise.all(policy.roots.map((r) => realPathLenient(r).catch(() => r)));
  if (!roots.some((r) => within(real, r))) {
    return { ok: false, reason: `${shown} is outside the folders local connections may use (${roots.join(', ')}; FLOWFORGE_LOCAL_CONNECTION_ROOTS)` };
  }
  return { ok: true, realPath: real };
}
