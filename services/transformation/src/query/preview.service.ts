import { Injectable } from '@nestjs/common';
import type { DuckDbSession, JsonRow } from '@flowforge/engine';
import { JobConfigValidator, type JobType } from '@flowforge/executor';
import type { TransformPreviewRequest } from '@flowforge/http';
import { FlowForgeError, ValidationProblem } from '@flowforge/service-kit';
import { registerInputs, tableName } from '@flowforge/transform';
import { transformKinds } from '../jobs/kinds';
import { LakeInputs } from '../lake/lake-inputs';
import { TransformRunner } from '../run/transform.runner';
import type { TransformKind } from '../run/transform-kind';
import { toProblem } from './query.errors';
import { QueryLimits } from './query.limits';

export interface PreviewView {
  columns: { name: string; type: string }[];
  rows: JsonRow[];
  rowCount: number;
  rejectedCount: number;
  inputs: { table: string; snapshot: string | null }[];
  sql: string;
}

/**
 * A job configuration run over the current snapshots of its inputs without writing anything: the same
 * compile path as the job (so what is previewed is what runs), the first rows, the row count and the
 * output schema, inside the interactive limits (memory, time: FF_SQL_LIMIT).
 */
@Injectable()
export class PreviewService {
  private readonly kinds = new Map(transformKinds().map((k) => [k.type, k]));
  private readonly validator = new JobConfigValidator([...this.kinds.values()] as unknown as JobType[]);

  constructor(
    private readonly runner: TransformRunner,
    private readonly lakeInputs: LakeInputs,
    private readonly limits: QueryLimits,
  ) {}

  async preview(req: TransformPreviewRequest): Promise<PreviewView> {
    const kind = this.kinds.get(req.type) as TransformKind<unknown> | undefined;
    if (!kind) throw new FlowForgeError('FF_JOB_TYPE_NOT_FOUND', 404, 'Not Found', `job type "${req.type}" is not served by this transformation service`);
    const config = structuredClone(req.config);
    const problems = this.validator.check(kind as unknown as JobType, config);
    if (problems.length > 0) throw new ValidationProblem(problems);
    try {
      return await this.runner.withEngine(
        'ff-preview-',
        async (db, work) => {
          const target = kind.target(config);
          const refs = kind.inputs(config);
          const resolved = await this.lakeInputs.resolve(refs, { workDir: work, mayBeMissing: (ref) => tableName(ref) === tableName(target) || (kind.mayBeMissing?.(config, ref) ?? false) });
          try {
            return await db.withSession(async (session) => {
              await registerInputs(session, resolved.present);
              const schemas = new Map(resolved.present.map((i) => [tableName(i.ref), i.schema]));
              const job = await kind.compile(config, { schemas: (ref) => schemas.get(tableName(ref)), now: new Date() }, session);
              return this.limits.timed(session, async () => {
                await this.runner.checkGuards(session, job);
                const first = await session.all(`SELECT * FROM (${job.sql}) AS preview LIMIT ${req.limit}`);
                const count = await countOf(session, job.sql);
                const rejected = job.rejectsSql ? await countOf(session, job.rejectsSql) : 0;
                return {
                  columns: first.columns,
                  rows: first.rows,
                  rowCount: count,
                  rejectedCount: rejected,
                  inputs: resolved.inputs.map((i) => ({ table: tableName(i.ref), snapshot: i.input?.snapshotId ?? null })),
                  sql: job.sql,
                };
              });
            });
          } finally {
            await resolved.cleanup();
          }
        },
        this.limits.engine(),
      );
    } catch (err) {
      throw toProblem(err, 'config.');
    }
  }
}

async function countOf(session: DuckDbSession, sql: string): Promise<number> {
  const r = await session.all(`SELECT count(*)::BIGINT AS n FROM (${sql}) AS counted`);
  return Number(r.rows[0]?.n ?? 0);
}
