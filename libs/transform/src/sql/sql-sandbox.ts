import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { DuckDbSession, sqlString, sqlStringList, type ColumnSchema, type JsonRow, type LakeTableRef } from '@flowforge/engine';
import { registerInputs, tableName, type LakeInput } from '../relations';
import { TransformError, type TransformProblem } from '../transform.errors';
import { checkSelectAst, type SqlTableUse } from './sql-guard';
import { bindParams, firstKeyword, trimStatement, type SqlParamDecl, type SqlParamValue, type SqlPositionMap } from './sql-params';

/**
 * The custom-SQL sandbox (libs/transform/README.md, "Custom SQL"): a DuckDB instance of its own holding
 * only views over the caller's readable lake tables, locked before any user text runs. Four layers, each
 * enough to stop what the one before might miss:
 *
 * 1. DuckDB settings, locked for the instance (`lock_configuration`): no external access except the exact
 *    input files and the one output file, no extension install or autoload, a memory limit, spilling only
 *    to a bounded directory the caller names (none by default).
 * 2. Exactly one statement, and DuckDB must classify it as SELECT (`extractStatements`, `statementType`).
 * 3. DuckDB's parse tree checked against an allowlist (src/sql/sql-guard.ts): lake tables and CTEs only,
 *    generator table functions only, no settings/catalog functions.
 * 4. A time limit per statement (`interrupt`) and the memory limit, both reported as FF_SQL_LIMIT.
 *
 * The user's text is only ever the inner SELECT: writes (`copyTo`) are a `COPY (<select>) TO` the
 * sandbox composes itself, to the one file it named.
 */

/** Limits and inputs of a sandbox. */
export interface SandboxOptions {
  /** The lake tables the caller may read, as the runner resolved them (files local). Nothing else is visible. */
  inputs: readonly LakeInput[];
  /** DuckDB `memory_limit` (e.g. "512MB", "2GB"); default 512MB. */
  memoryLimit?: string;
  /** Longest a statement may run, in ms (1..3 600 000); default 30 000. */
  timeoutMs?: number;
  /** DuckDB threads (1..64); default 1. */
  threads?: number;
  /** Directory `copyTo` writes its one file into (the file is `<outputDir>/part-0.parquet`); without it `copyTo` is refused. */
  outputDir?: string;
  /** Where DuckDB may spill beyond the memory limit; default none (the memory limit is hard). */
  tempDirectory?: string;
  /** Most the spill directory may hold (DuckDB size, e.g. "10GB"); default 1GB. Only with `tempDirectory`. */
  maxTempSize?: string;
}

/** Named parameters of one query: the declarations (type, default) and the values given. */
export interface SqlArgs {
  params?: Readonly<Record<string, SqlParamDecl>>;
  values?: Readonly<Record<string, unknown>>;
}

/** A query that passed every check: ready to run with `values`. */
export interface ValidatedSql {
  /** The statement as run: `:name` replaced by `CAST($k AS type)`, trailing `;` and comments removed. */
  sql: string;
  values: SqlParamValue[];
  /** The parameter names in `$k` order. */
  parameters: string[];
  /** The result's columns as DuckDB types them (nullable: unknown before running, so true). */
  schema: ColumnSchema[];
  /** The lake tables read, with their position in the user's text. */
  tables: SqlTableUse[];
}

/** What a dry run shows: DuckDB's plan, the result's columns and its first rows; nothing is written. */
export interface DryRunResult {
  plan: string;
  schema: ColumnSchema[];
  rows: JsonRow[];
  tables: SqlTableUse[];
}

/** Rows of a read-only query (at most `maxRows`; `truncated` when there were more). */
export interface QueryResult {
  schema: ColumnSchema[];
  rows: JsonRow[];
  truncated: boolean;
}

export const SANDBOX_DEFAULTS = { memoryLimit: '512MB', timeoutMs: 30_000, threads: 1, maxTempSize: '1GB', dryRunRows: 20, maxRows: 1000 } as const;
/** Most characters of custom SQL accepted. */
export const SQL_MAX_LENGTH = 100_000;
const MAX_ROWS_CAP = 100_000;
const SIZE = /^\d{1,9}(\.\d{1,3})?\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * Opens a locked sandbox over `inputs`. The views are created, then the settings are set and locked;
 * from then on nothing (not even this library) can widen them, so a sandbox serves one caller's session
 * and is closed afterwards. Bad options are FF_TRANSFORM_CONFIG naming the option.
 */
export async function openSandbox(opts: SandboxOptions): Promise<SqlSandbox> {
  const memoryLimit = opts.memoryLimit ?? SANDBOX_DEFAULTS.memoryLimit;
  const timeoutMs = opts.timeoutMs ?? SANDBOX_DEFAULTS.timeoutMs;
  const threads = opts.threads ?? SANDBOX_DEFAULTS.threads;
  const maxTempSize = opts.maxTempSize ?? SANDBOX_DEFAULTS.maxTempSize;
  const problems: TransformProblem[] = [];
  if (!SIZE.test(memoryLimit)) problems.push({ field: 'memoryLimit', message: 'must be a size such as 512MB or 2GB' });
  if (!SIZE.test(maxTempSize)) problems.push({ field: 'maxTempSize', message: 'must be a size such as 1GB' });
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000)
    problems.push({ field: 'timeoutMs', message: 'must be an integer from 1 to 3600000' });
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) problems.push({ field: 'threads', message: 'must be an integer from 1 to 64' });
  for (const [field, dir] of [
    ['outputDir', opts.outputDir],
    ['tempDirectory', opts.tempDirectory],
  ] as const) {
    if (dir !== undefined && (typeof dir !== 'string' || !path.isAbsolute(dir) || dir.includes('\0')))
      problems.push({ field, message: 'must be an absolute path' });
  }
  if (!Array.isArray(opts.inputs)) problems.push({ field: 'inputs', message: 'must be an array of lake inputs' });
  if (problems.length > 0) {
    throw new TransformError('FF_TRANSFORM_CONFIG', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems });
  }
  const outputFile = opts.outputDir ? path.join(opts.outputDir, 'part-0.parquet') : undefined;
  const settings: Record<string, string> = {
    threads: String(threads),
    memory_limit: memoryLimit,
    temp_directory: opts.tempDirectory ?? '',
    errors_as_json: 'true',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
  };
  if (opts.tempDirectory) settings.max_temp_directory_size = maxTempSize;
  const instance = await DuckDBInstance.create(':memory:', settings);
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    await registerInputs(new DuckDbSession(connection), opts.inputs);
    const files = [...new Set(opts.inputs.flatMap((i) => i.files.map((f) => path.resolve(f))))];
    if (outputFile) files.push(outputFile);
    await connection.run(`SET allowed_paths = ${sqlStringList(files)}`);
    await connection.run(`SET enable_external_access = false`);
    await connection.run(`SET lock_configuration = true`);
  } catch (err) {
    connection?.closeSync();
    instance.closeSync();
    throw new TransformError('FF_TRANSFORM_CONFIG', `the sandbox could not register its inputs: ${duckdbMessage(err).message}`, {
      cause: err,
      problems: [{ field: 'inputs', message: duckdbMessage(err).message }],
    });
  }
  return new SqlSandbox(
    instance,
    connection,
    opts.inputs.map((i) => i.ref),
    { timeoutMs, memoryLimit, outputFile },
  );
}

/**
 * A locked DuckDB session over the caller's lake tables. Every method takes the user's SQL text and its
 * named parameters and runs the same checks (`validate`) before anything executes. One statement at a
 * time: calls on one sandbox are serialised.
 */
export class SqlSandbox {
  /** The lake tables this sandbox can read (its inputs). */
  readonly tables: readonly LakeTableRef[];
  /** The one file `copyTo` writes (undefined without `outputDir`). */
  readonly outputFile: string | undefined;
  private readonly readable: Set<string>;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Use `openSandbox`: the constructor takes an instance already locked. */
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    tables: readonly LakeTableRef[],
    private readonly limits: { timeoutMs: number; memoryLimit: string; outputFile?: string },
  ) {
    this.tables = tables;
    this.outputFile = limits.outputFile;
    this.readable = new Set(tables.map(tableName));
  }

  /**
   * Parse and bind without running: parameters, one SELECT, the allowlist, then DuckDB's binder (unknown
   * columns, type errors). Errors carry the position inside the user's text: FF_SQL_PARAMETER,
   * FF_SQL_NOT_ALLOWED, FF_TRANSFORM_UNKNOWN_TABLE, FF_TRANSFORM_EXPRESSION (parse or bind).
   */
  validate(sql: string, args: SqlArgs = {}): Promise<ValidatedSql> {
    return this.serial(async () => {
      const { validated, prepared } = await this.prepareChecked(sql, args);
      prepared.destroySync();
      return validated;
    });
  }

  /** The plan (EXPLAIN), the result's columns and its first `limit` rows (default 20, at most 1000); writes nothing. */
  dryRun(sql: string, args: SqlArgs = {}, opts: { limit?: number } = {}): Promise<DryRunResult> {
    const limit = rowBound(opts.limit ?? SANDBOX_DEFAULTS.dryRunRows, 1000, 'limit');
    return this.serial(async () => {
      const { validated, prepared } = await this.prepareChecked(sql, args);
      try {
        const rows = await this.readRows(prepared, limit);
        const explain = await this.composed(`EXPLAIN\n${validated.sql}`, StatementType.EXPLAIN, validated);
        const planRows = await this.limited(async () => (await explain.runAndReadAll()).getRowObjectsJson());
        explain.destroySync();
        const plan = planRows.map((r) => String(r.explain_value ?? '')).join('\n');
        return { plan, schema: validated.schema, rows: rows.rows, tables: validated.tables };
      } finally {
        prepared.destroySync();
      }
    });
  }

  /** Runs a read-only query: its first `maxRows` rows (default 1000, at most 100 000), `truncated` if there were more. */
  query(sql: string, args: SqlArgs = {}, opts: { maxRows?: number } = {}): Promise<QueryResult> {
    const maxRows = rowBound(opts.maxRows ?? SANDBOX_DEFAULTS.maxRows, MAX_ROWS_CAP, 'maxRows');
    return this.serial(async () => {
      const { validated, prepared } = await this.prepareChecked(sql, args);
      try {
        const { rows, truncated } = await this.readRows(prepared, maxRows);
        return { schema: validated.schema, rows, truncated };
      } finally {
        prepared.destroySync();
      }
    });
  }

  /**
   * Writes the query's result to `outputFile` (Parquet, zstd) with `COPY (<the validated SELECT>) TO`,
   * composed here: the only write a sandbox can make (an earlier file there is overwritten in place:
   * DuckDB's temp-file-and-rename would need a second allowed path). On any failure the partial file is removed.
   */
  copyTo(sql: string, args: SqlArgs = {}): Promise<{ file: string; rows: number; schema: ColumnSchema[] }> {
    const file = this.outputFile;
    if (!file) return Promise.reject(new TransformError('FF_SQL_NOT_ALLOWED', 'this sandbox was opened without outputDir: it cannot write'));
    return this.serial(async () => {
      const { validated, prepared } = await this.prepareChecked(sql, args);
      prepared.destroySync();
      const copy = await this.composed(
        `COPY (\n${validated.sql}\n) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)`,
        StatementType.COPY,
        validated,
      );
      try {
        const result = await this.limited(async () => (await copy.runAndReadAll()).getRowObjectsJson());
        return { file, rows: Number(result[0]?.Count ?? 0), schema: validated.schema };
      } catch (err) {
        await fs.rm(file, { force: true });
        throw err;
      } finally {
        copy.destroySync();
      }
    });
  }

  /** Closes the instance (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TransformError('FF_SQL_NOT_ALLOWED', 'this sandbox is closed'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** All checks; the caller destroys the prepared statement. */
  private async prepareChecked(sql: string, args: SqlArgs): Promise<{ validated: ValidatedSql; prepared: DuckDBPreparedStatement }> {
    if (typeof sql !== 'string' || sql.length === 0 || sql.length > SQL_MAX_LENGTH || sql.includes('\0')) {
      throw new TransformError('FF_TRANSFORM_CONFIG', `sql: must be 1 to ${SQL_MAX_LENGTH} characters without NUL`, {
        problems: [{ field: 'sql', message: `must be 1 to ${SQL_MAX_LENGTH} characters without NUL` }],
      });
    }
    const bound = bindParams(sql, args.params ?? {}, args.values ?? {});
    const text = trimStatement(bound.sql);
    if (text.length === 0) throw notAllowed('the SQL holds no statement (only comments or semicolons)');
    const extracted = await this.limited(() => this.connection.extractStatements(text), bound.map);
    if (extracted.count !== 1) {
      throw notAllowed(extracted.count === 0 ? 'the SQL holds no statement' : `found ${extracted.count} statements: custom SQL is exactly one SELECT`);
    }
    const parsed = await this.limited(async () => {
      const reader = await this.connection.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR) AS ast`, [text]);
      return JSON.parse(String(reader.getRowObjectsJson()[0]?.ast)) as { error?: boolean; error_type?: string; error_message?: string; position?: string };
    });
    if (parsed.error) {
      if (parsed.error_type === 'parser') throw expressionError(parsed.error_message ?? 'syntax error', parsed.position, bound.map);
      const kind = firstKeyword(sql) || 'this';
      throw notAllowed(`${kind} statements are not allowed: custom SQL is exactly one SELECT (read-only)`);
    }
    const tables = checkSelectAst(parsed, { canRead: (ref) => this.readable.has(tableName(ref)), map: bound.map });
    const prepared = await this.limited(() => extracted.prepare(0), bound.map);
    try {
      if (prepared.statementType !== StatementType.SELECT)
        throw notAllowed(`${firstKeyword(sql) || 'this'} statements are not allowed: custom SQL is exactly one SELECT`);
      if (prepared.parameterCount !== bound.values.length) throw notAllowed('placeholders other than declared :name parameters are not allowed');
      prepared.bind(bound.values);
      const schema: ColumnSchema[] = [];
      for (let i = 0; i < prepared.columnCount; i++) schema.push({ name: prepared.columnName(i), type: prepared.columnType(i).toString(), nullable: true });
      return { validated: { sql: text, values: bound.values, parameters: bound.names, schema, tables }, prepared };
    } catch (err) {
      prepared.destroySync();
      throw err;
    }
  }

  /** A statement this library wraps around validated SQL, checked to be one statement of the expected type. */
  private async composed(text: string, type: StatementType, validated: ValidatedSql): Promise<DuckDBPreparedStatement> {
    const extracted = await this.limited(() => this.connection.extractStatements(text));
    if (extracted.count !== 1) throw notAllowed('the query did not stay one statement when wrapped');
    const prepared = await this.limited(() => extracted.prepare(0));
    if (prepared.statementType !== type || prepared.parameterCount !== validated.values.length) {
      prepared.destroySync();
      throw notAllowed('the query did not stay one statement when wrapped');
    }
    prepared.bind(validated.values);
    return prepared;
  }

  private async readRows(prepared: DuckDBPreparedStatement, max: number): Promise<{ rows: JsonRow[]; truncated: boolean }> {
    return this.limited(async () => {
      const reader = await prepared.streamAndReadUntil(max + 1);
      const rows = reader.getRowObjectsJson();
      return { rows: rows.slice(0, max), truncated: rows.length > max };
    });
  }

  /** Runs `fn` under the time limit; DuckDB errors become TransformErrors (limits, permissions, parse/bind with position). */
  private async limited<T>(fn: () => Promise<T>, map?: SqlPositionMap): Promise<T> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.connection.interrupt();
    }, this.limits.timeoutMs);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TransformError) throw err;
      const { type, message, position } = duckdbMessage(err);
      if (timedOut || type === 'INTERRUPT') {
        throw new TransformError('FF_SQL_LIMIT', `the query ran longer than the sandbox's time limit of ${this.limits.timeoutMs} ms and was stopped`, {
          cause: err,
        });
      }
      if (type === 'Out of Memory') {
        throw new TransformError('FF_SQL_LIMIT', `the query needed more memory than the sandbox's limit of ${this.limits.memoryLimit} (${message})`, {
          cause: err,
        });
      }
      if (type === 'Permission') throw notAllowed(`refused by the sandbox: ${message}`, err);
      throw expressionError(`${type ? `${type} error: ` : ''}${message}`, position, map, err);
    } finally {
      clearTimeout(timer);
    }
  }
}

function rowBound(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new TransformError('FF_TRANSFORM_CONFIG', `${field}: must be an integer from 0 to ${max}`, {
      problems: [{ field, message: `must be an integer from 0 to ${max}` }],
    });
  }
  return value;
}

function notAllowed(message: string, cause?: unknown): TransformError {
  return new TransformError('FF_SQL_NOT_ALLOWED', message, { cause, problems: [{ field: 'sql', message }] });
}

function expressionError(message: string, position: string | number | undefined, map?: SqlPositionMap, cause?: unknown): TransformError {
  const raw = position === undefined || position === '' ? undefined : Number(position);
  const at = raw === undefined || !Number.isFinite(raw) ? undefined : map ? map.toOriginal(raw) : raw;
  return new TransformError('FF_TRANSFORM_EXPRESSION', `${message}${at === undefined ? '' : ` (at ${at})`}`, {
    cause,
    problems: [{ field: 'sql', message, ...(at === undefined ? {} : { position: at }) }],
  });
}

/**
 * DuckDB's error as type, message and position: the sandbox runs with `errors_as_json`, so messages are
 * JSON (`{"exception_type":"Binder","exception_message":...,"position":"7"}`), sometimes after a prefix.
 */
function duckdbMessage(err: unknown): { type?: string; message: string; position?: string } {
  const text = err instanceof Error ? err.message : String(err);
  const brace = text.indexOf('{');
  if (brace >= 0) {
    try {
      const json = JSON.parse(text.slice(brace)) as { exception_type?: string; exception_message?: string; position?: string };
      if (json.exception_message !== undefined) return { type: json.exception_type, message: json.exception_message, position: json.position };
    } catch {
      // not JSON: fall through to the plain text
    }
  }
  const interrupted = /INTERRUPT/i.test(text);
  return { type: interrupted ? 'INTERRUPT' : undefined, message: text };
}
