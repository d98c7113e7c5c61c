import { randomUUID } from 'node:crypto';
import { sqlIdent, type ColumnSchema, type DuckDbSession, type JsonRow } from '@flowforge/engine';
import { TransformError } from '../transform.errors';

/** The columns `selectSql` produces, as DuckDB types them (DESCRIBE; nothing is read). */
export async function describeSelect(session: DuckDbSession, selectSql: string): Promise<ColumnSchema[]> {
  const r = await session.all(`DESCRIBE ${selectSql}`);
  return r.rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type), nullable: row.null !== 'NO' }));
}

/**
 * The rows of `selectSql` in batches of at most `batchSize`, in the query's order, for loaders that
 * bind rows (Excel, Redshift, Synapse). The result is first materialised in a DuckDB temp table (which
 * DuckDB spills to its temp directory under its memory limit), then read by rowid range, each range a
 * skip to its row group: memory on the JS side is one batch. The temp table is dropped at the end,
 * also when the consumer stops early or `signal` aborts (→ TransformError FF_EXPORT_DESTINATION "aborted").
 */
export async function* readRowBatches(
  session: DuckDbSession,
  selectSql: string,
  batchSize: number,
  signal?: AbortSignal,
): AsyncGenerator<{ columns: { name: string; type: string }[]; rows: JsonRow[] }, void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1_000_000) throw new RangeError('batchSize must be an integer in 1..1000000');
  const temp = sqlIdent(`ff_export_rows_${randomUUID().replace(/-/g, '')}`);
  await session.run(`CREATE TEMP TABLE ${temp} AS ${selectSql}`);
  try {
    const total = Number((await session.all(`SELECT count(*) AS n FROM ${temp}`)).rows[0]!.n);
    for (let from = 0; from < total; from += batchSize) {
      throwIfAborted(signal);
      yield await session.all(`SELECT * FROM ${temp} WHERE rowid >= ${from} AND rowid < ${from + batchSize}`);
    }
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}

/** Rejects with TransformError FF_EXPORT_DESTINATION when the run was cancelled. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new TransformError('FF_EXPORT_DESTINATION', 'the export was aborted', { cause: signal.reason });
}
