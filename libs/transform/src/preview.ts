import { openDuckDb, sqlIdent, type DuckDb, type DuckDbSession, type JsonRow, type LakeTableRef } from '@flowforge/engine';
import type { CompiledJob } from './compiled-job';
import { registerInputs, relationSql, tableName, tableSql, type LakeInput } from './relations';

/** How a preview is made (libs/transform/README.md, "Preview"). */
export interface PreviewPlan {
  /** Every table the job reads, resolved to files. */
  inputs: readonly LakeInput[];
  /** Inputs the preview may cut to their first `sampleRows` rows (the fact side: never a dimension a join must match, never an SCD2 source), with their total rows. */
  sample: readonly { ref: LakeTableRef; totalRows: number }[];
  /** Compiles the job against the views registered on `session` (called once per DuckDB the preview opens). */
  compile(session: DuckDbSession): Promise<CompiledJob>;
  /** Rows answered (1..1000). */
  limit: number;
  /** Rows kept of a sampled input (default 100 000). */
  sampleRows?: number;
  /** Time the exact count over the whole input may take before the preview settles for an estimate (default 1000 ms; 0: estimate at once). */
  countBudgetMs?: number;
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
}

export interface PreviewOutcome {
  columns: { name: string; type: string }[];
  rows: JsonRow[];
  /** Rows the job would write: exact, or estimated from the sample (rowCountExact false). */
  rowCount: number;
  rowCountExact: boolean;
  /** Rows a cast would set aside (in the sample when sampled). */
  rejectedCount: number;
  /** The tables read through a sample (first rows) rather than whole. */
  sampled: string[];
  /** Guards (duplicate keys, nulls) that found rows in what the preview read: the job would fail on them. */
  failures: { code: string; message: string; rows: JsonRow[] }[];
  sql: string;
}

const DEFAULT_SAMPLE_ROWS = 100_000;
const DEFAULT_COUNT_BUDGET_MS = 1000;

/**
 * A job's preview without writing: the first rows and the output schema come from the job's own SQL over its
 * inputs, the large fact inputs cut to their first rows so a 10M-row table answers in well under two seconds;
 * the row count is exact when the whole input can be counted within the budget, else estimated from the
 * sample (scaled by the sampled inputs' total rows) and flagged as such. Guards are run and reported, not thrown.
 */
export async function previewJob(plan: PreviewPlan): Promise<PreviewOutcome> {
  const sampleRows = plan.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const cut = plan.sample.filter((s) => s.totalRows > sampleRows);
  const cutNames = new Set(cut.map((s) => tableName(s.ref)));
  // The exact count over the whole input runs alongside the sample's work, within its budget: the preview
  // takes about the longer of the two, not their sum.
  const fullCount = cut.length > 0 ? countWithin(plan, plan.countBudgetMs ?? DEFAULT_COUNT_BUDGET_MS) : null;
  fullCount?.catch(() => undefined);
  const sampleDb = await open(plan);
  try {
    const outcome = await sampleDb.withSession(async (session) => {
      await registerInputs(session, plan.inputs);
      for (const input of plan.inputs) {
        if (cutNames.has(tableName(input.ref))) await session.run(`CREATE OR REPLACE VIEW ${tableSql(input.ref)} AS ${relationSql(input)} LIMIT ${sampleRows}`);
      }
      const job = await plan.compile(session);
      const first = await session.all(`SELECT * FROM (${job.sql}) AS preview LIMIT ${Math.max(1, Math.min(1000, Math.floor(plan.limit)))}`);
      const failures: PreviewOutcome['failures'] = [];
      for (const guard of job.guards ?? []) {
        const found = await session.all(`SELECT * FROM (${guard.sql}) AS guard LIMIT 20`);
        if (found.rows.length > 0) failures.push({ code: guard.code, message: guard.message, rows: found.rows });
      }
      const sampleCount = cut.length > 0 ? await countOf(session, job.sql) : null;
      const rejectedCount = job.rejectsSql ? await countOf(session, job.rejectsSql) : 0;
      return { job, first, failures, sampleCount, rejectedCount };
    });
    let rowCount: number;
    let exact = true;
    if (outcome.sampleCount === null) {
      rowCount = await sampleDb.withSession((s) => countOf(s, outcome.job.sql));
    } else {
      const full = await fullCount!;
      if (full !== null) rowCount = full;
      else {
        // The sampled inputs scaled to their whole: a filter or join keeps about the same share of rows.
        const ratio = cut.reduce((r, s) => r * (s.totalRows / sampleRows), 1);
        rowCount = Math.round(outcome.sampleCount * ratio);
        exact = false;
      }
    }
    return {
      columns: outcome.first.columns,
      rows: outcome.first.rows,
      rowCount,
      rowCountExact: exact,
      rejectedCount: outcome.rejectedCount,
      sampled: cut.map((s) => tableName(s.ref)),
      failures: outcome.failures,
      sql: outcome.job.sql,
    };
  } finally {
    sampleDb.close();
  }
}

/** The exact row count over the whole inputs, or null when it takes longer than `budgetMs` (the statement is interrupted). */
async function countWithin(plan: PreviewPlan, budgetMs: number): Promise<number | null> {
  if (budgetMs <= 0) return null;
  // Its own spill folder: two DuckDB instances never share one.
  const db = await open({ ...plan, tempDirectory: plan.tempDirectory ? `${plan.tempDirectory}-count` : undefined });
  try {
    return await db.withSession(async (session) => {
      await registerInputs(session, plan.inputs);
      const job = await plan.compile(session);
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        session.interrupt();
      }, budgetMs);
      try {
        return await countOf(session, job.sql);
      } catch (err) {
        if (late) return null;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    });
  } finally {
    db.close();
  }
}

function open(plan: PreviewPlan): Promise<DuckDb> {
  return openDuckDb({
    memoryLimit: plan.memoryLimit ?? '512MB',
    ...(plan.threads ? { threads: plan.threads } : {}),
    ...(plan.tempDirectory ? { tempDirectory: plan.tempDirectory } : {}),
  });
}

async function countOf(session: DuckDbSession, sql: string): Promise<number> {
  const r = await session.all(`SELECT count(*)::BIGINT AS ${sqlIdent('n')} FROM (${sql}) AS counted`);
  return Number(r.rows[0]?.n ?? 0);
}
