import { Injectable } from '@nestjs/common';
import type { JsonRow } from '@flowforge/engine';
import { JobConfigValidator, type JobType } from '@flowforge/executor';
import type { TransformPreviewRequest } from '@flowforge/http';
import { FlowForgeError, ValidationProblem } from '@flowforge/service-kit';
import { previewJob, tableName, type TransformSqlConfig } from '@flowforge/transform';
import { transformKinds } from '../jobs/kinds';
import { LakeInputs } from '../lake/lake-inputs';
import { TransformRunner } from '../run/transform.runner';
import type { TransformKind } from '../run/transform-kind';
import { toProblem } from './query.errors';
import { QueryLimits } from './query.limits';
import { SqlQueryService } from './sql-query.service';

export interface PreviewView {
  columns: { name: string; type: string }[];
  rows: JsonRow[];
  rowCount: number;
  /** false: estimated from a sample of the fact input (the whole could not be counted within the budget). */
  rowCountExact: boolean;
  rejectedCount: number;
  /** The tables read through a sample (first rows) rather than whole. */
  sampled: string[];
  /** Guards the job would fail on (duplicate keys, nulls), with the offending rows. */
  failures: { code: string; message: string; rows: JsonRow[] }[];
  inputs: { table: string; snapshot: string | null }[];
  sql: string;
}

/** Rows of a fact input kept by a preview; the whole is counted within the time budget below, else estimated. */
const PREVIEW_SAMPLE_ROWS = 100_000;
const PREVIEW_COUNT_BUDGET_MS = 1000;

/**
 * A job configuration run over the current snapshots of its inputs without writing anything (libs/transform
 * previewJob): the job's own compiled SQL (what is previewed is what runs), its first rows and output schema
 * from a sample of the fact input, the row count exact when it can be counted within a second, else
 * estimated and flagged. Custom SQL previews in the SQL sandbox, like it runs.
 */
@Injectable()
export class PreviewService {
  private readonly kinds = new Map(transformKinds().map((k) => [k.type, k]));
  private readonly validator = new JobConfigValidator([...this.kinds.values()] as unknown as JobType[]);

  constructor(
    private readonly runner: TransformRunner,
    private readonly lakeInputs: LakeInputs,
    private readonly limits: QueryLimits,
    private readonly sql: SqlQueryService,
  ) {}

  async preview(req: TransformPreviewRequest): Promise<PreviewView> {
    const kind = this.kinds.get(req.type) as TransformKind<unknown> | undefined;
    if (!kind) throw new FlowForgeError('FF_JOB_TYPE_NOT_FOUND', 404, 'Not Found', `job type "${req.type}" is not served by this transformation service`);
    const config = structuredClone(req.config);
    const problems = this.validator.check(kind as unknown as JobType, config);
    if (problems.length > 0) throw new ValidationProblem(problems);
    try {
      if (kind.sandboxed) {
        const r = await this.sql.previewJob(config as unknown as TransformSqlConfig, req.limit);
        return { ...r, rowCountExact: true, rejectedCount: 0, sampled: [], failures: [] };
      }
      return await this.runner.withWorkDir('ff-preview-', async (work) => {
        const target = kind.target(config);
        const refs = await kind.inputs(config);
        const resolved = await this.lakeInputs.resolve(refs, {
          workDir: work,
          mayBeMissing: (ref) => tableName(ref) === tableName(target) || (kind.mayBeMissing?.(config, ref) ?? false),
        });
        try {
          const schemas = new Map(resolved.present.map((i) => [tableName(i.ref), i.schema]));
          const sampleable = new Set((kind.previewSample?.(config) ?? []).map(tableName));
          const outcome = await previewJob({
            inputs: resolved.present,
            sample: resolved.inputs
              .filter((i) => i.input && sampleable.has(tableName(i.ref)))
              .map((i) => ({ ref: i.ref, totalRows: i.asset?.currentSnapshot?.rowCount ?? 0 })),
            compile: async (session) => kind.compile(config, { schemas: (ref) => schemas.get(tableName(ref)), now: new Date() }, session),
            limit: req.limit,
            sampleRows: PREVIEW_SAMPLE_ROWS,
            countBudgetMs: PREVIEW_COUNT_BUDGET_MS,
            memoryLimit: this.limits.engine().memoryLimit,
            tempDirectory: `${work}/spill`,
          });
          return { ...outcome, inputs: resolved.inputs.map((i) => ({ table: tableName(i.ref), snapshot: i.input?.snapshotId ?? null })) };
        } finally {
          await resolved.cleanup();
        }
      });
    } catch (err) {
      throw toProblem(err, 'config.');
    }
  }
}
