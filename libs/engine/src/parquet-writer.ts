import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidObjectKey, type ObjectStore } from '@flowforge/storage';
import { openDuckDb, type DuckDb, type DuckDbSession } from './duckdb';
import { EngineError } from './engine.errors';
import { makeWorkDir } from './local-files';
import { sqlIdent, sqlString, sqlStringList } from './sql-literals';
import { hasOrderedStats, type ColumnSchema, type TableStats } from './table-schema';

export const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

/** What to write: a DuckDB query, or rows already in memory (small inputs; large ones should be SQL over files). */
export type ParquetSource = { sql: string } | { rows: readonly Record<string, unknown>[] };

export interface WrittenFile {
  /** Object key, under the staging prefix. */
  path: string;
  rows: number;
  bytes: number;
}

/** Everything a catalog commit needs about the staged files. */
export interface WrittenTable {
  files: WrittenFile[];
  rowCount: number;
  schema: ColumnSchema[];
  stats: TableStats;
}

export interface WriteParquetOptions {
  /** Reuse an open DuckDB; otherwise one is opened (and closed) for this write. */
  db?: DuckDb;
  /** Roll to a new part file past this size (default 128 MiB); checked at row-group boundaries. */
  targetFileBytes?: number;
  /** Rows per Parquet row group (DuckDB's default 122880); smaller groups give finer file splits. */
  rowGroupRows?: number;
  /** Parent of the temp directory (default the OS temp dir). */
  tmpDir?: string;
}

/**
 * Writes `source` as Parquet part files under `stagingPrefix` (an attempt folder of the lake layout,
 * see attemptPrefix) and describes them: per-file row counts and sizes, the schema, and per-column
 * min/max/null counts computed by DuckDB over the written files. Files are produced in a temp directory
 * and streamed to the store; nothing is read whole into JS memory. If an upload fails, the parts already
 * staged are deleted (best effort: the lake GC removes whatever a crash leaves).
 */
export async function writeParquet(store: ObjectStore, stagingPrefix: string, source: ParquetSource, opts: WriteParquetOptions = {}): Promise<WrittenTable> {
  if (!stagingPrefix.endsWith('/')) throw new EngineError('FF_ENGINE_LAKE_PATH', `staging prefix ${JSON.stringify(stagingPrefix)} must end with "/"`);
  assertValidObjectKey(`${stagingPrefix}part-0.parquet`);
  const work = await makeWorkDir('ff-engine-write-', opts.tmpDir);
  const db = opts.db ?? (await openDuckDb());
  try {
    const outDir = path.join(work.dir, 'out');
    const local = await db.withSession(async (s) => {
      const query = 'sql' in source ? source.sql : await rowsAsQuery(source.rows, work.dir);
      const rowGroup = opts.rowGroupRows ? `, ROW_GROUP_SIZE ${Math.max(1, Math.floor(opts.rowGroupRows))}` : '';
      await s.run(
        `COPY (${query}) TO ${sqlString(outDir)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${Math.max(1024, Math.floor(opts.targetFileBytes ?? 128 * 1024 * 1024))}${rowGroup}, FILENAME_PATTERN 'part-{i}')`,
      );
      const names = (await fs.readdir(outDir)).filter((f) => /^part-\d+\.parquet$/.test(f)).sort((a, b) => partIndex(a) - partIndex(b));
      const paths = names.map((n) => path.join(outDir, n));
      return { names, paths, ...(await describeParquet(s, paths)) };
    });
    const files: WrittenFile[] = [];
    try {
      for (const [i, name] of local.names.entries()) {
        const key = `${stagingPrefix}${name}`;
        const bytes = (await fs.stat(local.paths[i]!)).size;
        await store.put(key, createReadStream(local.paths[i]!), { contentType: PARQUET_CONTENT_TYPE });
        files.push({ path: key, rows: local.rowsPerFile[i]!, bytes });
      }
    } catch (err) {
      await store.deleteMany(files.map((f) => f.path)).catch(() => undefined);
      throw new EngineError(
        'FF_ENGINE_IO',
        `staging Parquet files under ${stagingPrefix} failed after ${files.length} of ${local.names.length}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { files, rowCount: files.reduce((n, f) => n + f.rows, 0), schema: local.schema, stats: local.stats };
  } finally {
    if (!opts.db) db.close();
    await work.cleanup();
  }
}

function partIndex(name: string): number {
  return Number(/^part-(\d+)\.parquet$/.exec(name)?.[1] ?? 0);
}

/** Rows → newline-delimited JSON in the work dir (streamed), read back by DuckDB with types inferred from every row. */
async function rowsAsQuery(rows: readonly Record<string, unknown>[], dir: string): Promise<string> {
  if (rows.length === 0) throw new EngineError('FF_ENGINE_INPUT', 'rows is empty: pass at least one row, or a sql source that defines the columns');
  const file = path.join(dir, 'rows.ndjson');
  function* lines(): Generator<string> {
    for (const [i, row] of rows.entries()) {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new EngineError('FF_ENGINE_INPUT', `rows[${i}] must be an object`);
      yield `${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(file));
  return `SELECT * FROM read_json(${sqlString(file)}, format = 'newline_delimited', sample_size = -1)`;
}

/** Schema, per-file row counts and per-column stats of written files, all computed by DuckDB. */
export async function describeParquet(
  s: DuckDbSession,
  paths: readonly string[],
): Promise<{ schema: ColumnSchema[]; rowsPerFile: number[]; stats: TableStats }> {
  const list = sqlStringList(paths);
  const described = await s.all(`DESCRIBE SELECT * FROM read_parquet(${list})`);
  const schema = described.rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type), nullable: r.null !== 'NO' }));
  const meta = await s.all(`SELECT file_name, num_rows FROM parquet_file_metadata(${list})`);
  const rowsByFile = new Map(meta.rows.map((r) => [String(r.file_name), Number(r.num_rows)]));
  const rowsPerFile = paths.map((p) => rowsByFile.get(p) ?? 0);
  const parts = schema.flatMap((c, i) => {
    const col = sqlIdent(c.name);
    const ordered = hasOrderedStats(c.type);
    return [
      `${ordered ? `min(${col})` : 'NULL'} AS "min_${i}"`,
      `${ordered ? `max(${col})` : 'NULL'} AS "max_${i}"`,
      `count(*) - count(${col}) AS "nulls_${i}"`,
    ];
  });
  const stats: TableStats = {};
  if (parts.length > 0) {
    const row = (await s.all(`SELECT ${parts.join(', ')} FROM read_parquet(${list})`)).rows[0] ?? {};
    schema.forEach((c, i) => {
      stats[c.name] = { min: row[`min_${i}`] ?? null, max: row[`max_${i}`] ?? null, nullCount: Number(row[`nulls_${i}`] ?? 0) };
    });
  }
  return { schema, rowsPerFile, stats };
}
