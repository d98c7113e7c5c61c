import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertValidObjectKey, LocalObjectStore, type ObjectStore } from '@flowforge/storage';
import { EngineError } from './engine.errors';

/** A private temp directory for one piece of work; removed by `cleanup` (idempotent). */
export async function makeWorkDir(prefix = 'ff-engine-', parent = os.tmpdir()): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(parent, prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

export interface LocalFiles {
  /** One local path per key, in the same order. */
  paths: string[];
  /** Removes downloaded copies; a no-op for files read in place. */
  cleanup(): Promise<void>;
}

/**
 * Local paths DuckDB can read for object keys. The local store's files are read in place; anything
 * else (S3: DuckDB has no httpfs here) is streamed into a temp directory first, one file at a time,
 * never buffered whole in memory.
 */
export async function localCopiesOf(store: ObjectStore, keys: readonly string[], opts: { tmpDir?: string } = {}): Promise<LocalFiles> {
  keys.forEach(assertValidObjectKey);
  if (store instanceof LocalObjectStore) {
    return { paths: keys.map((k) => path.join(store.root, ...k.split('/'))), cleanup: async () => undefined };
  }
  const work = await makeWorkDir('ff-engine-dl-', opts.tmpDir);
  try {
    const paths: string[] = [];
    for (const [i, key] of keys.entries()) {
      const file = path.join(work.dir, `${String(i).padStart(6, '0')}-${path.posix.basename(key)}`);
      await pipeline(await store.get(key), createWriteStream(file));
      paths.push(file);
    }
    return { paths, cleanup: work.cleanup };
  } catch (err) {
    await work.cleanup();
    throw new EngineError('FF_ENGINE_IO', `copying ${keys.length} lake file(s) to a temp directory failed: ${(err as Error).message}`, { cause: err });
  }
}
