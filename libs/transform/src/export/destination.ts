import { sqlIdent, type ColumnSchema, type DuckDbSession } from '@flowforge/engine';
import { TransformError, type TransformProblem } from '../transform.errors';
import type { DestinationTable, WarehouseKind, WriteMode } from './export-config';

/** What a warehouse load is given by the runner (services/transformation), the connection already resolved. */
export interface ExportLoadOptions<C> {
  /** The destination connection's config, as `validateConfig` returned it (credentials included). */
  connection: C;
  /** The DuckDB session on which `selectSql`'s tables are registered (registerInputs). */
  session: DuckDbSession;
  /** One SELECT of the rows to load (already restricted to the new rows for an incremental export). */
  selectSql: string;
  /** The columns of `selectSql` (describeSelect): they name and type the destination columns. */
  schema: ColumnSchema[];
  table: DestinationTable;
  writeMode: WriteMode;
  /** merge: the key columns (unique in the rows, checked before anything is written). */
  key?: string[];
  signal?: AbortSignal;
  /** Called as rows are loaded (after each batch, or once per file for the file-based loaders). */
  onProgress?: (p: { rows: number }) => void;
  /** Where temporary files go (Snowflake, BigQuery): default the system temp directory; removed afterwards. */
  tmpDir?: string;
}

/**
 * One warehouse an export loads into. `validateConfig` checks a resolved connection config (the catalog
 * connection's fields) and returns it typed, or throws TransformError FF_EXPORT_CONFIG naming each bad
 * field (`connection.host`), never a value. `load` creates the table when missing (types from the
 * dialect's table in dialects.ts), then writes the rows atomically: a failed load leaves the table as it
 * was. Failures are TransformError FF_EXPORT_DESTINATION with the destination's reason, secrets removed.
 */
export interface ExportDestination<C = unknown> {
  readonly kind: WarehouseKind;
  validateConfig(config: unknown): C;
  load(opts: ExportLoadOptions<C>): Promise<{ rows: number }>;
}

/** Field rules for `checkConnectionConfig`. */
export interface FieldRule {
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: RegExp;
}

/**
 * Checks a connection config against `rules` (unknown fields are refused too: a typo would otherwise be
 * silently ignored). Throws FF_EXPORT_CONFIG whose problems name `connection.<field>`; values never appear.
 */
export function checkConnectionConfig<C>(kind: WarehouseKind, config: unknown, rules: Record<string, FieldRule>): C {
  const problems: TransformProblem[] = [];
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    problems.push({ field: 'connection', message: `must be an object with the ${kind} connection fields` });
  } else {
    const c = config as Record<string, unknown>;
    for (const f of Object.keys(c)) if (!(f in rules)) problems.push({ field: `connection.${f}`, message: `is not a ${kind} connection field` });
    for (const [f, r] of Object.entries(rules)) {
      const v = c[f];
      const field = `connection.${f}`;
      if (v === undefined || v === null) {
        if (r.required) problems.push({ field, message: 'is required' });
        continue;
      }
      if (r.type === 'string') {
        if (typeof v !== 'string' || v.length === 0) problems.push({ field, message: 'must be a non-empty string' });
        else if (v.includes('\0')) problems.push({ field, message: 'must not contain NUL' });
        else if (v.length > (r.maxLength ?? 1024)) problems.push({ field, message: `must be at most ${r.maxLength ?? 1024} characters` });
        else if (r.pattern && !r.pattern.test(v)) problems.push({ field, message: `must match ${r.pattern.source}` });
      } else if (r.type === 'integer') {
        if (!Number.isInteger(v) || (v as number) < (r.minimum ?? 0) || (v as number) > (r.maximum ?? Number.MAX_SAFE_INTEGER)) {
          problems.push({ field, message: `must be an integer in ${r.minimum ?? 0}..${r.maximum ?? Number.MAX_SAFE_INTEGER}` });
        }
      } else if (typeof v !== 'boolean') problems.push({ field, message: 'must be true or false' });
    }
  }
  if (problems.length > 0) {
    throw new TransformError('FF_EXPORT_CONFIG', `${kind} connection: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, { problems });
  }
  return config as C;
}

/**
 * A destination's failure as TransformError FF_EXPORT_DESTINATION: "<kind>: <what we were doing>: <its
 * reason>" with every secret of the connection replaced by ***. The driver's error is not kept as
 * `cause` (drivers attach their connection options to errors).
 */
export function destinationError(kind: WarehouseKind, step: string, err: unknown, secrets: readonly (string | undefined)[]): TransformError {
  if (err instanceof TransformError) return err;
  const e = err as { message?: unknown; code?: unknown };
  let reason = typeof e?.message === 'string' ? e.message : String(err);
  for (const s of secrets) if (s && s.length >= 4) reason = reason.split(s).join('***');
  const code = typeof e?.code === 'string' || typeof e?.code === 'number' ? ` [${e.code}]` : '';
  return new TransformError('FF_EXPORT_DESTINATION', `${kind}: ${step}: ${reason}${code}`);
}

/**
 * Before a merge: the key columns must be in the rows and unique among them (a duplicate would match one
 * destination row twice). Throws FF_EXPORT_CONFIG naming `destination.key` and one duplicated key value.
 */
export async function assertMergeKey(
  session: DuckDbSession,
  selectSql: string,
  schema: readonly ColumnSchema[],
  key: readonly string[] | undefined,
): Promise<string[]> {
  if (!key || key.length === 0) {
    throw new TransformError('FF_EXPORT_CONFIG', 'destination.key: merge needs key columns', {
      problems: [{ field: 'destination.key', message: 'merge needs key columns' }],
    });
  }
  const names = new Set(schema.map((c) => c.name));
  const missing = key.filter((k) => !names.has(k));
  if (missing.length > 0) {
    throw new TransformError('FF_EXPORT_CONFIG', `destination.key: ${missing.map((m) => JSON.stringify(m)).join(', ')} not among the exported columns`, {
      problems: [{ field: 'destination.key', message: `not exported: ${missing.join(', ')}` }],
    });
  }
  const cols = key.map(sqlIdent).join(', ');
  const dup = await session.all(`SELECT ${cols}, count(*) AS ff_n FROM (${selectSql}) AS s GROUP BY ALL HAVING count(*) > 1 LIMIT 1`);
  if (dup.rows.length > 0) {
    const { ff_n: n, ...value } = dup.rows[0]!;
    throw new TransformError(
      'FF_EXPORT_CONFIG',
      `destination.key: the key is not unique in the exported rows: ${JSON.stringify(value)} appears ${String(n)} times`,
      {
        problems: [{ field: 'destination.key', message: 'not unique in the exported rows' }],
      },
    );
  }
  return [...key];
}
