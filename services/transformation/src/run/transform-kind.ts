import type { DuckDbSession, LakeTableRef } from '@flowforge/engine';
import type { CompileContext, CompiledJob } from '@flowforge/transform';

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
  /** The tables the job reads. */
  inputs(config: C): LakeTableRef[];
  /** The table the job writes. */
  target(config: C): LakeTableRef;
  /** replace: the result becomes the table (one overwrite commit); append: it is added to the current snapshot. */
  mode(config: C): 'replace' | 'append';
  /** Inputs that may not exist yet (the target of a merge before its first run). */
  mayBeMissing?(config: C, ref: LakeTableRef): boolean;
  /** Compiles against the registered inputs; `session` may be used to bind expressions (no writes). */
  compile(config: C, ctx: CompileContext, session: DuckDbSession): Promise<CompiledJob> | CompiledJob;
  /** Runs writing the same target wait for each other (a merge reads the table it rewrites). */
  readonly exclusive?: boolean;
}
