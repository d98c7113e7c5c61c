import { Injectable } from '@nestjs/common';
import type { JsonRow } from '@flowforge/engine';
import type { SqlQueryRequest } from '@flowforge/http';
import {
  openSandbox,
  tableName,
  TransformError,
  transformSqlArgs,
  transformSqlInputs,
  type SqlParamDecl,
  type SqlSandbox,
  type TransformProblem,
  type TransformSqlConfig,
} from '@flowforge/transform';
import { LakeInputs, type ResolvedInputs } from '../lake/lake-inputs';
import { TransformRunner } from '../run/transform.runner';
import { toProblem } from './query.errors';
import { QueryLimits } from './query.limits';

type Columns = { name: string; type: string }[];
type Inputs = { table: string; snapshot: string | null }[];

export interface SqlResultView {
  columns: Columns;
  rows: JsonRow[];
  truncated: boolean;
  inputs: Inputs;
}

export interface SqlValidationView {
  valid: boolean;
  problems: TransformProblem[];
  columns: Columns;
  tables: string[];
  params: string[];
}

export interface SqlDryRunView {
  plan: string;
  columns: Columns;
  rows: JsonRow[];
}

/** The target custom SQL runs into does not matter to a query; a config needs one. */
const NO_TARGET = { layer: 'silver', namespace: 'adhoc', table: 'query' } as const;

/**
 * Custom SQL asked interactively (`/api/v1/sql/*`, `flowforge sql`): the tables the query names are found on
 * DuckDB's parse tree, resolved to their current snapshots, and the query runs in the SQL sandbox
 * (libs/transform openSandbox: locked settings, one SELECT, allowlisted tables and functions, limits).
 * Parameters given without declarations are typed by their JSON value.
 */
@Injectable()
export class SqlQueryService {
  constructor(
    private readonly runner: TransformRunner,
    private readonly lakeInputs: LakeInputs,
    private readonly limits: QueryLimits,
  ) {}

  async query(req: SqlQueryRequest): Promise<SqlResultView> {
    const config = adhocConfig(req);
    try {
      return await this.inSandbox(config, async (box, resolved) => {
        const r = await box.query(config.sql, transformSqlArgs(config), { maxRows: req.limit });
        return { columns: columnsOf(r.schema), rows: r.rows, truncated: r.truncated, inputs: inputsOf(resolved) };
      });
    } catch (err) {
      throw toProblem(err);
    }
  }

  async dryRun(req: SqlQueryRequest): Promise<SqlDryRunView> {
    const config = adhocConfig(req);
    try {
      return await this.inSandbox(config, async (box) => {
        const r = await box.dryRun(config.sql, transformSqlArgs(config), { limit: Math.min(req.limit, 1000) });
        return { plan: r.plan, columns: columnsOf(r.schema), rows: r.rows };
      });
    } catch (err) {
      throw toProblem(err);
    }
  }

  /** Parse and bind: problems (with positions) are the answer, not an error; nothing runs. */
  async validate(req: SqlQueryRequest): Promise<SqlValidationView> {
    const config = adhocConfig(req);
    try {
      return await this.inSandbox(config, async (box) => {
        const v = await box.validate(config.sql, transformSqlArgs(config));
        return { valid: true, problems: [], columns: columnsOf(v.schema), tables: v.tables.map((t) => tableName(t.ref)), params: v.parameters };
      });
    } catch (err) {
      if (err instanceof TransformError && err.code !== 'FF_SQL_LIMIT') {
        return {
          valid: false,
          problems: err.problems.length ? err.problems : [{ field: 'sql', message: err.message.replace(/^FF_[A-Z_]+: /, '') }],
          columns: [],
          tables: [],
          params: [],
        };
      }
      const problem = toProblem(err);
      if (problem instanceof Error && 'status' in problem && (problem as { status: number }).status === 404) {
        return { valid: false, problems: [{ field: 'sql', message: problem.message }], columns: [], tables: [], params: [] };
      }
      throw problem;
    }
  }

  /** A custom SQL job's preview: the same sandbox, its first rows and its exact row count. */
  async previewJob(config: TransformSqlConfig, limit: number): Promise<{ columns: Columns; rows: JsonRow[]; rowCount: number; inputs: Inputs; sql: string }> {
    return this.inSandbox(config, async (box, resolved) => {
      const args = transformSqlArgs(config);
      const first = await box.query(config.sql, args, { maxRows: limit });
      const counted = await box.query(`SELECT count(*)::BIGINT AS n FROM (\n${stripTrailingSemicolons(config.sql)}\n) AS counted`, args, { maxRows: 1 });
      return { columns: columnsOf(first.schema), rows: first.rows, rowCount: Number(counted.rows[0]?.n ?? 0), inputs: inputsOf(resolved), sql: config.sql };
    });
  }

  private async inSandbox<T>(config: TransformSqlConfig, fn: (box: SqlSandbox, resolved: ResolvedInputs) => Promise<T>): Promise<T> {
    const refs = await transformSqlInputs(config);
    return this.runner.withWorkDir('ff-sql-', async (work) => {
      const resolved = await this.lakeInputs.resolve(refs, { workDir: work });
      try {
        const box = await openSandbox({
          inputs: resolved.present,
          memoryLimit: this.limits.engine().memoryLimit,
          timeoutMs: this.limits.timeoutMs,
          threads: 2,
        });
        try {
          return await fn(box, resolved);
        } finally {
          box.close();
        }
      } finally {
        await resolved.cleanup();
      }
    });
  }
}

/** The request as a transform.sql config; undeclared parameters typed by their JSON value. */
export function adhocConfig(req: Pick<SqlQueryRequest, 'sql' | 'params'>, declared: Record<string, SqlParamDecl> = {}): TransformSqlConfig {
  const params: Record<string, SqlParamDecl> = { ...declared };
  const values = req.params ?? {};
  for (const [name, value] of Object.entries(values)) {
    if (params[name]) continue;
    params[name] = { type: inferredType(value) };
  }
  return { sql: req.sql, params, values, target: { ...NO_TARGET } };
}

/** A value's parameter type: JSON booleans and numbers as such; ISO dates and date-times as DATE and TIMESTAMP; text otherwise. */
function inferredType(value: unknown): SqlParamDecl['type'] {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return 'date';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) return 'timestamp';
  return 'string';
}

function columnsOf(schema: { name: string; type: string }[]): Columns {
  return schema.map((c) => ({ name: c.name, type: c.type }));
}

function inputsOf(resolved: ResolvedInputs): Inputs {
  return resolved.inputs.map((i) => ({ table: tableName(i.ref), snapshot: i.input?.snapshotId ?? null }));
}

function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
