import { DuckDBInstance } from '@duckdb/node-api';
import { LAKE_NAME, type LakeTableRef } from '@flowforge/engine';
import type { CompileContext, CompiledJob } from '../compiled-job';
import { TransformError, type TransformProblem } from '../transform.errors';
import { checkSelectAst, type SqlTableUse } from './sql-guard';
import { SQL_PARAM_MAX_STRING, SQL_PARAM_NAME, SQL_PARAM_TYPES, inlineParams, trimStatement, type SqlParamDecl } from './sql-params';
import { SQL_MAX_LENGTH, type SqlArgs } from './sql-sandbox';

/**
 * The `transform.sql` job type (libs/transform/README.md, "Custom SQL"): the user's SELECT over lake
 * tables, with named parameters, written to a Silver or Gold table. The SELECT runs only inside the
 * sandbox (src/sql/sql-sandbox.ts): the compiled job says so (`sandboxed: true`) and the runner runs
 * it with `openSandbox({ inputs, outputDir }).copyTo(job.sql)`, never on a plain session.
 */

const PARAM_VALUE = {
  type: ['string', 'number', 'boolean', 'null'],
  maxLength: SQL_PARAM_MAX_STRING,
  description: 'A value: text for string, date (YYYY-MM-DD) and timestamp (YYYY-MM-DD HH:MM:SS, optional T/Z/offset); a number; true/false',
} as const;

/** The declarations of named parameters (shared by the job config and saved templates). */
export const SQL_PARAMS_SCHEMA = {
  type: 'object',
  title: 'Parameters',
  description: 'The :name parameters the SQL uses, each with a type and an optional default',
  maxProperties: 50,
  propertyNames: { pattern: SQL_PARAM_NAME.source, maxLength: 63 },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: {
        enum: Object.keys(SQL_PARAM_TYPES),
        title: 'Type',
        description: 'How the value is checked and bound: string, integer, number, boolean, date, timestamp',
      },
      default: { ...PARAM_VALUE, title: 'Default', description: 'Used when the run gives no value' },
    },
  },
} as const;

/** The config of `transform.sql` (JSON Schema 2020-12). */
export const TRANSFORM_SQL_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Custom SQL transformation',
  description: 'One SELECT over the lake tables you may read, written to a Silver or Gold table',
  type: 'object',
  additionalProperties: false,
  required: ['sql', 'target'],
  properties: {
    sql: {
      type: 'string',
      title: 'SQL',
      minLength: 1,
      maxLength: SQL_MAX_LENGTH,
      pattern: '^[^\\u0000]*$',
      description: 'One SELECT (DuckDB dialect) naming tables <layer>.<namespace>.<table> and parameters :name',
    },
    params: SQL_PARAMS_SCHEMA,
    values: {
      type: 'object',
      title: 'Values',
      description: 'Values of the parameters for this job (a run may override them)',
      maxProperties: 50,
      propertyNames: { pattern: SQL_PARAM_NAME.source, maxLength: 63 },
      additionalProperties: PARAM_VALUE,
    },
    target: {
      type: 'object',
      title: 'Target table',
      description: 'The table the rows are written to',
      additionalProperties: false,
      required: ['layer', 'namespace', 'table'],
      properties: {
        layer: { enum: ['silver', 'gold'], title: 'Layer', description: 'silver or gold (Bronze is written by ingestion only)' },
        namespace: {
          type: 'string',
          pattern: LAKE_NAME.source,
          maxLength: 63,
          title: 'Namespace',
          description: '1-63 lower-case letters, digits or _, starting with a letter',
        },
        table: {
          type: 'string',
          pattern: LAKE_NAME.source,
          maxLength: 63,
          title: 'Table',
          description: '1-63 lower-case letters, digits or _, starting with a letter',
        },
      },
    },
    mode: { enum: ['replace', 'append'], default: 'replace', title: 'Mode', description: 'replace: the table becomes the rows; append: the rows are added' },
  },
} as const;

/** The config of `transform.sql`. */
export interface TransformSqlConfig {
  sql: string;
  params?: Record<string, SqlParamDecl>;
  values?: Record<string, string | number | boolean | null>;
  target: { layer: 'silver' | 'gold'; namespace: string; table: string };
  mode?: 'replace' | 'append';
}

/** A compiled custom SQL job: it must run through the sandbox (`openSandbox(...).copyTo(sql)`), never on a plain session. */
export interface SqlCompiledJob extends CompiledJob {
  sandboxed: true;
  /** The target and mode, as configured (mode defaulted). */
  target: TransformSqlConfig['target'];
  mode: 'replace' | 'append';
  /** The lake tables read with their positions in the SQL (the same tables as `inputs`). */
  tableUses: SqlTableUse[];
}

/** Checks the config's shape (what the JSON Schema says, for callers that did not validate); problems name each field. */
export function checkTransformSqlConfig(config: unknown): TransformSqlConfig {
  const problems: TransformProblem[] = [];
  const c = (config ?? {}) as Partial<TransformSqlConfig> & Record<string, unknown>;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TransformError('FF_TRANSFORM_CONFIG', 'the config must be an object', { problems: [{ field: '', message: 'must be an object' }] });
  }
  const known = new Set(Object.keys(TRANSFORM_SQL_CONFIG_SCHEMA.properties));
  for (const key of Object.keys(c)) if (!known.has(key)) problems.push({ field: key, message: 'is not a property of transform.sql' });
  if (typeof c.sql !== 'string' || c.sql.length === 0 || c.sql.length > SQL_MAX_LENGTH || c.sql.includes('\0')) {
    problems.push({ field: 'sql', message: `must be 1 to ${SQL_MAX_LENGTH} characters without NUL` });
  }
  if (c.params !== undefined && (typeof c.params !== 'object' || c.params === null || Object.keys(c.params).length > 50)) {
    problems.push({ field: 'params', message: 'must be an object of at most 50 parameters' });
  }
  if (c.values !== undefined && (typeof c.values !== 'object' || c.values === null || Object.keys(c.values).length > 50)) {
    problems.push({ field: 'values', message: 'must be an object of at most 50 values' });
  }
  const t = c.target as Partial<TransformSqlConfig['target']> | undefined;
  if (!t || typeof t !== 'object') problems.push({ field: 'target', message: 'must be { layer, namespace, table }' });
  else {
    if (t.layer !== 'silver' && t.layer !== 'gold') problems.push({ field: 'target.layer', message: 'must be silver or gold' });
    if (typeof t.namespace !== 'string' || !LAKE_NAME.test(t.namespace))
      problems.push({ field: 'target.namespace', message: 'must be 1-63 lower-case letters, digits or _, starting with a letter' });
    if (typeof t.table !== 'string' || !LAKE_NAME.test(t.table))
      problems.push({ field: 'target.table', message: 'must be 1-63 lower-case letters, digits or _, starting with a letter' });
  }
  if (c.mode !== undefined && c.mode !== 'replace' && c.mode !== 'append') problems.push({ field: 'mode', message: 'must be replace or append' });
  if (problems.length > 0) throw new TransformError('FF_TRANSFORM_CONFIG', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems });
  return c as TransformSqlConfig;
}

/** Options of the parse-only steps (`transformSqlInputs`, `compileTransformSql`). */
export interface SqlParseOptions {
  /** Whether the caller may read a lake table; one it may not is FF_TRANSFORM_UNKNOWN_TABLE (default: all). */
  canRead?: (ref: LakeTableRef) => boolean;
}

/**
 * The lake tables `config.sql` reads, found on DuckDB's parse tree (a parse-only DuckDB of its own, no
 * data, no access), so the service fetches and registers only those. Runs every check that needs no
 * data: parameters, one SELECT, the allowlist; an unreadable table is FF_TRANSFORM_UNKNOWN_TABLE with its
 * position. Async, unlike the other job types' `<type>Inputs`: there is no SQL parser in JS here.
 */
export async function transformSqlInputs(config: TransformSqlConfig, opts: SqlParseOptions = {}): Promise<LakeTableRef[]> {
  const checked = checkTransformSqlConfig(config);
  // Which tables are read does not depend on the values: every declared parameter parses as a typed NULL.
  const nulls = Object.fromEntries(Object.keys(checked.params ?? {}).map((name) => [name, null]));
  return (await parseChecked(checked, nulls, opts)).tables.map((t) => t.ref);
}

/**
 * The job as a CompiledJob: `sql` is the user's SELECT with its parameters inlined as typed literals
 * (values: `ctx.params` over `config.values` over the defaults), `sandboxed: true`. Output schema is left
 * to the sandbox's dry run (DuckDB knows it only once the inputs are registered).
 */
export async function compileTransformSql(config: TransformSqlConfig, ctx: CompileContext, opts: SqlParseOptions = {}): Promise<SqlCompiledJob> {
  const checked = checkTransformSqlConfig(config);
  const values = { ...(checked.values ?? {}), ...(ctx.params ?? {}) };
  // Run-time values for parameters the job does not declare are the run's business, not this job's.
  for (const name of Object.keys(ctx.params ?? {})) if (!checked.params?.[name]) delete values[name];
  const parsed = await parseChecked(checked, values, opts);
  const missing = parsed.tables.filter((t) => ctx.schemas(t.ref) === undefined);
  if (missing.length > 0) {
    const problems = missing.map((t) => ({
      field: 'sql',
      message: `table ${t.ref.layer}.${t.ref.namespace}.${t.ref.table} is not in the lake`,
      position: t.position,
    }));
    throw new TransformError('FF_TRANSFORM_UNKNOWN_TABLE', problems.map((p) => p.message).join('; '), { problems });
  }
  return {
    sandboxed: true,
    inputs: parsed.tables.map((t) => t.ref),
    tableUses: parsed.tables,
    sql: parsed.sql,
    target: checked.target,
    mode: checked.mode ?? 'replace',
  };
}

/** The args a sandbox call needs for this config (declarations and values). */
export function transformSqlArgs(config: TransformSqlConfig, runValues: Record<string, unknown> = {}): SqlArgs {
  return { params: config.params ?? {}, values: { ...(config.values ?? {}), ...runValues } };
}

async function parseChecked(
  config: TransformSqlConfig,
  values: Record<string, unknown>,
  opts: SqlParseOptions,
): Promise<{ sql: string; tables: SqlTableUse[] }> {
  const inlined = inlineParams(config.sql, config.params ?? {}, values);
  const text = trimStatement(inlined.sql);
  if (text.length === 0)
    throw new TransformError('FF_SQL_NOT_ALLOWED', 'sql: holds no statement (only comments or semicolons)', {
      problems: [{ field: 'sql', message: 'holds no statement' }],
    });
  const ast = await parseOnly(text);
  if (ast.error) {
    if (ast.error_type === 'parser') {
      const raw = Number(ast.position);
      const position = Number.isFinite(raw) ? inlined.map.toOriginal(raw) : undefined;
      throw new TransformError('FF_TRANSFORM_EXPRESSION', `${ast.error_message ?? 'syntax error'}${position === undefined ? '' : ` (at ${position})`}`, {
        problems: [{ field: 'sql', message: ast.error_message ?? 'syntax error', ...(position === undefined ? {} : { position }) }],
      });
    }
    throw new TransformError('FF_SQL_NOT_ALLOWED', 'custom SQL is exactly one SELECT (read-only)', {
      problems: [{ field: 'sql', message: 'must be exactly one SELECT' }],
    });
  }
  const tables = checkSelectAst(ast, { canRead: opts.canRead, map: inlined.map });
  return { sql: text, tables };
}

/** `json_serialize_sql` on a DuckDB of its own for parsing only (no tables, no external access, one thread), closed after. */
async function parseOnly(sql: string): Promise<{ error?: boolean; error_type?: string; error_message?: string; position?: string; statements?: unknown[] }> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: '64MB',
    enable_external_access: 'false',
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
    lock_configuration: 'true',
  });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR) AS ast`, [sql]);
      return JSON.parse(String(reader.getRowObjectsJson()[0]?.ast)) as { error?: boolean };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
