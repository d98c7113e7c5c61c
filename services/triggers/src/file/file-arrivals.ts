import type { FileEntry } from '@flowforge/connectors';

/** A file as the watcher fires for it. */
export interface ArrivedFile {
  path: string;
  size: number | null;
  modifiedAt: string | null;
}

/** What identifies one version of a file: path, size and mtime (a rewrite with other bytes fires again). */
export const fileKey = (f: ArrivedFile): string => `${f.path}|${f.size ?? ''}|${f.modifiedAt ?? ''}`;

/**
 * The debounce of the file-arrival source, without I/O or clock: each `observe` gets one listing; a file
 * is ready once two listings in a row saw it with the same size and mtime (a file still being written
 * changes between polls). The caller then drops the ready files it already fired for and fires the rest
 * as one batch.
 */
export class FileArrivals {
  private previous = new Map<string, string>();

  /** `complete`: paths an object store notified as written in full (an object appears whole): ready at once. */
  observe(entries: readonly FileEntry[], complete: ReadonlySet<string> = new Set()): ArrivedFile[] {
    const current = new Map<string, string>();
    const ready: ArrivedFile[] = [];
    for (const e of entries) {
      if (e.kind !== 'file') continue;
      const f = { path: e.path, size: e.size, modifiedAt: e.modifiedAt };
      const key = fileKey(f);
      current.set(e.path, key);
      if (this.previous.get(e.path) === key || complete.has(e.path)) ready.push(f);
    }
    this.previous = current;
    return ready.sort((a, b) => a.path.localeCompare(b.path));
  }
}
