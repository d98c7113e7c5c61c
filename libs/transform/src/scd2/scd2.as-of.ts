import { sqlIdent } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { instantOf, parseInstant, type Scd2Columns } from './scd2.config';

/** An as-of query: `sql` with the instant as its one parameter `$1` (TIMESTAMP text, UTC), never spliced in. */
export interface Scd2AsOfQuery {
  sql: string;
  params: [string];
}

/**
 * The versions of an SCD2 dimension valid at `ts` (`GET /assets/{id}/as-of?ts=...`): one row per key that
 * existed then, `valid_from <= ts AND (valid_to > ts OR valid_to IS NULL)` — valid_to is exclusive, so at
 * the instant of a change the new version is the one returned. A far-future valid_to needs no case of
 * its own (it is later than any ts asked). With an `isDeleted` column, the "deleted" versions are left
 * out unless `includeDeleted` (a key deleted at ts did not exist then).
 * `tableSqlText` is SQL the caller built (tableSql(ref), or read_parquet of the snapshot's files);
 * `ts` is a Date or an ISO 8601 text (UTC unless it carries an offset); a bad one is a TransformError naming `ts`.
 */
export function scd2AsOfSql(tableSqlText: string, columns: Scd2Columns, ts: Date | string, opts: { includeDeleted?: boolean } = {}): Scd2AsOfQuery {
  const at = typeof ts === 'string' ? (ts.length <= 40 ? parseInstant(ts) : undefined) : instantOf(ts);
  if (at === undefined) {
    throw new TransformError('FF_TRANSFORM_CONFIG', `ts: ${JSON.stringify(String(ts)).slice(0, 60)} is not an ISO 8601 timestamp`, {
      problems: [{ field: 'ts', message: 'must be an ISO 8601 timestamp, e.g. 2024-05-01T12:00:00Z' }],
    });
  }
  const [from, to] = [sqlIdent(columns.validFrom), sqlIdent(columns.validTo)];
  const deleted = columns.isDeleted && !opts.includeDeleted ? ` AND ${sqlIdent(columns.isDeleted)} IS NOT TRUE` : '';
  return {
    sql: `SELECT * FROM ${tableSqlText} WHERE ${from} <= CAST($1 AS TIMESTAMP) AND (${to} > CAST($1 AS TIMESTAMP) OR ${to} IS NULL)${deleted}`,
    params: [at],
  };
}
