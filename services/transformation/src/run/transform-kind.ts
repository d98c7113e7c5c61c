import type { Pool } from 'pg';
import type { DuckDbSession, LakeTableRef } from '@flowforge/engine';
import type { JobLogger } from '@flowforge/executor';
import type { CompileContext, CompiledJob } from '@flowforge/transform';
import type { ResolvedInputs } from '../lake/lake-inputs';
import type { TransformCatalogClient } from '../lake/transform-catalog.client';

/**
 * What a job run (not a preview) offers a kind that plans against what it wrote before (gold.aggregate's
 * incremental refresh): every table resolved (the target too, when it exists), the catalog, the service's
 * database, the run's log.
 */
export interface CompileEnv {
  resolved: ResolvedInputs;
  catalog: TransformCatalogClient;
  pool: Pool;
  log: JobLogger;
}

/**
 * One job type of the transformation executor that writes a lake table (transform.silver, transform.sql,
 * gold.aggregate, gold.scd2): what it reads, where it writes, and how its config compiles to SQL
 * (libs/transform). The runner (transform.runner.ts) does the rest, the same way for every kind.
 */
export interface TransformKind<C> {
  readonly type: string;
  readonly version: number;
  readonly description: string;
  /** JSON Schema 2020-12 of the config (the kit validates dispatches; the console renders it). */
  readonly configSchema: object;
  /** The tables the job reads (custom SQL finds them on DuckDB's parse tree: async). */
  inputs(config: C): LakeTableRef[] | Promise<LakeTableRef[]>;
  /** The table the job writes. */
  target(config: C): LakeTableRef;
  /** replace: the result becomes the table (one overwrite commit); append: it is added to the current snapshot. */
  mode(config: C): 'replace' | 'append';
  /** Inputs that may not exist yet (the target of a merge before its first run). */
  mayBeMissing?(config: C, ref: LakeTableRef): boolean;
  /**
   * Compiles against the registered inputs; `session` may be used to bind expressions (no writes). A job
   * marked `sandboxed` (custom SQL) is run only inside the SQL sandbox (libs/transform openSandbox), never on
   * a plain session: the runner and the preview honour it.
   */
  compile(
    config: C,
    ctx: CompileContext,
    session: DuckDbSession,
    env?: CompileEnv,
  ): Promise<CompiledJob & { sandboxed?: boolean }> | (CompiledJob & { sandboxed?: boolean });
  /** The inputs a preview may cut to their first rows (a fact table; never a dimension a join must match, never an SCD2 source). */
  previewSample?(config: C): LakeTableRef[];
  /** Custom SQL: compiled jobs run only in the SQL sandbox, previews too. */
  readonly sandboxed?: boolean;
  /** After the commit: what the kind records of the table it wrote (SCD2: its validity columns, for the as-of query). */
  onCommitted?(config: C, committed: { assetId: string; snapshotId: string; table: string; sources: Record<string, string> }, pool: Pool): Promise<void>;
  /** Runs writing the same target wait for each other (a merge reads the table it rewrites). */
  readonly exclusive?: boolean;
}
