import { Injectable } from '@nestjs/common';
import type { JsonRow } from '@flowforge/engine';
import type { ExpressionTestRequest, FilterPreviewRequest } from '@flowforge/http';
import { compileFilter, parseTableName, previewFilter, registerInputs, tableSql, testExpression } from '@flowforge/transform';
import { LakeInputs } from '../lake/lake-inputs';
import { TransformRunner } from '../run/transform.runner';
import { toProblem } from './query.errors';
import { QueryLimits } from './query.limits';

export interface ExpressionTestView {
  type: string;
  rows: JsonRow[];
}

/**
 * The console's builders: a derived-column expression checked against a schema (unknown column or function
 * named with its position) and evaluated on sample rows — the first rows of a lake table, or rows sent with
 * their schema — and a row filter counted on a table (kept, dropped). Nothing is written.
 */
@Injectable()
export class ExpressionService {
  constructor(
    private readonly runner: TransformRunner,
    private readonly lakeInputs: LakeInputs,
    private readonly limits: QueryLimits,
  ) {}

  async test(req: ExpressionTestRequest): Promise<ExpressionTestView> {
    try {
      return await this.runner.withEngine(
        'ff-expr-',
        async (db, work) => {
          if (!req.table) {
            const schema = req.schema!.map((c) => ({ ...c, nullable: true }));
            const rows = req.rows ?? [];
            return db.withSession(async (session) => {
              const r = await this.limits.timed(session, () => testExpression(session, req.expression, schema, rows));
              return { type: r.type, rows: rows.map((row, i) => ({ ...row, result: r.values[i] ?? null }) as JsonRow) };
            });
          }
          const ref = parseTableName(req.table, 'table');
          const resolved = await this.lakeInputs.resolve([ref], { workDir: work });
          try {
            const input = resolved.present[0]!;
            return await db.withSession(async (session) => {
              await registerInputs(session, [input]);
              const sample = await session.all(`SELECT * FROM ${tableSql(ref)} LIMIT ${req.limit}`);
              const r = await this.limits.timed(session, () => testExpression(session, req.expression, input.schema, sample.rows));
              return { type: r.type, rows: sample.rows.map((row, i) => ({ ...row, result: r.values[i] ?? null })) };
            });
          } finally {
            await resolved.cleanup();
          }
        },
        this.limits.engine(),
      );
    } catch (err) {
      throw toProblem(err);
    }
  }

  async previewFilter(req: FilterPreviewRequest): Promise<{ kept: number; dropped: number; sql: string }> {
    try {
      const ref = parseTableName(req.table, 'table');
      return await this.runner.withEngine(
        'ff-filter-',
        async (db, work) => {
          const resolved = await this.lakeInputs.resolve([ref], { workDir: work });
          try {
            const input = resolved.present[0]!;
            const now = new Date();
            const sql = compileFilter(req.condition, input.schema, now);
            return await db.withSession(async (session) => {
              await registerInputs(session, [input]);
              const counts = await this.limits.timed(session, () => previewFilter(session, `SELECT * FROM ${tableSql(ref)}`, req.condition, input.schema, now));
              return { ...counts, sql };
            });
          } finally {
            await resolved.cleanup();
          }
        },
        this.limits.engine(),
      );
    } catch (err) {
      throw toProblem(err);
    }
  }
}
