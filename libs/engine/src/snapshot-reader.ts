import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '@flowforge/storage';
import type { DuckDb, JsonRow } from './duckdb';
import { EngineError } from './engine.errors';
import { localCopiesOf, makeWorkDir } from './local-files';
import { sqlString, sqlStringList } from './sql-literals';

/** A data file of a committed snapshot, as the catalog lists it. */
export interface SnapshotFile {
  path: string;
  rows: number;
}

export interface PreviewResult {
  columns: { name: string; type: string }[];
  rows: JsonRow[];
}

export type ExportFormat = 'csv' | 'parquet';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export interface ReadOptions {
  tmpDir?: string;
}

/**
 * The first `limit` rows of a snapshot, in file order. Only as many files as needed to reach `limit`
 * (by the catalog's per-file row counts) are read, which for S3 also means downloaded.
 */
export async function previewParquet(
  db: DuckDb,
  store: ObjectStore,
  files: readonly SnapshotFile[],
  limit: number,
  opts: ReadOptions = {},
): Promise<PreviewResult> {
  if (files.length === 0) throw new EngineError('FF_ENGINE_INPUT', 'a preview needs at least one file');
  const needed: string[] = [];
  let rows = 0;
  for (const f of files) {
    needed.push(f.path);
    rows += f.rows;
    if (rows >= limit) break;
  }
  const local = await localCopiesOf(store, needed, opts);
  try {
    return await db.withSession((s) =>
      s.all(`SELECT * FROM read_parquet(${sqlStringList(local.paths)}, union_by_name = true) LIMIT ${Math.max(0, Math.floor(limit))}`),
    );
  } finally {
    await local.cleanup();
  }
}

/** Writes the rows of `keys` as CSV (header, comma, RFC 4180 quoting) to a file path or a stream. */
export function exportCsv(db: DuckDb, store: ObjectStore, keys: readonly string[], target: string | Writable, opts: ReadOptions = {}): Promise<void> {
  return exportTo(db, store, keys, 'csv', target, opts);
}

/** Writes the rows of `keys` as one Parquet file to a file path or a stream. */
export function exportParquet(db: DuckDb, store: ObjectStore, keys: readonly string[], target: string | Writable, opts: ReadOptions = {}): Promise<void> {
  return exportTo(db, store, keys, 'parquet', target, opts);
}

/**
 * A readable stream of the export, for HTTP downloads. DuckDB writes the result to a temp file, which is
 * streamed and then removed (also when the reader goes away early). A single Parquet file is streamed
 * straight from the store, without DuckDB.
 */
export async function openExportStream(
  db: DuckDb,
  store: ObjectStore,
  keys: readonly string[],
  format: ExportFormat,
  opts: ReadOptions = {},
): Promise<Readable> {
  if (keys.length === 0) throw new EngineError('FF_ENGINE_INPUT', 'an export needs at least one file');
  if (format === 'parquet' && keys.length === 1) return store.get(keys[0]!);
  const work = await makeWorkDir('ff-engine-export-', opts.tmpDir);
  try {
    const file = path.join(work.dir, `export.${format}`);
    await copyToFile(db, store, keys, format, file, opts);
    const stream = createReadStream(file);
    stream.once('close', () => void work.cleanup());
    return stream;
  } catch (err) {
    await work.cleanup();
    throw err;
  }
}

async function exportTo(
  db: DuckDb,
  store: ObjectStore,
  keys: readonly string[],
  format: ExportFormat,
  target: string | Writable,
  opts: ReadOptions,
): Promise<void> {
  if (typeof target === 'string') return copyToFile(db, store, keys, format, target, opts);
  await pipeline(await openExportStream(db, store, keys, format, opts), target);
}

async function copyToFile(db: DuckDb, store: ObjectStore, keys: readonly string[], format: ExportFormat, file: string, opts: ReadOptions): Promise<void> {
  if (keys.length === 0) throw new EngineError('FF_ENGINE_INPUT', 'an export needs at least one file');
  const local = await localCopiesOf(store, keys, opts);
  try {
    const options = format === 'csv' ? `(FORMAT csv, HEADER true, DELIMITER ',')` : `(FORMAT parquet, COMPRESSION zstd)`;
    await db.withSession((s) =>
      s.run(`COPY (SELECT * FROM read_parquet(${sqlStringList(local.paths)}, union_by_name = true)) TO ${sqlString(file)} ${options}`),
    );
  } finally {
    await local.cleanup();
  }
}
