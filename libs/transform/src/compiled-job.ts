import type { ColumnSchema, LakeTableRef } from '@flowforge/engine';
import type { TransformErrorCode } from './transform.errors';

/** The schema of a registered input table, or undefined when the table is not in the lake (yet). */
export type SchemaLookup = (ref: LakeTableRef) => ColumnSchema[] | undefined;

export interface CompileContext {
  /** The schema of every table `<type>Inputs(config)` named (as registered). */
  schemas: SchemaLookup;
  /** "now" for relative dates and SCD2 validity, fixed per run so a retry compiles the same SQL. */
  now: Date;
  /** Values of named parameters (`:since`), already typed. */
  params?: Record<string, string | number | boolean | null>;
}

/** A query whose rows mean the job must fail: the job fails with `code` and `message` plus the first offending rows. */
export interface CompiledGuard {
  code: TransformErrorCode;
  message: string;
  sql: string;
}

export interface CompiledJob {
  /** The tables read (registered by the runner before running `sql`). */
  inputs: LakeTableRef[];
  /** One SELECT producing the target's rows. */
  sql: string;
  /** The output columns, when the compiler knows them (else the runner asks DuckDB with DESCRIBE). */
  schema?: ColumnSchema[];
  /** One SELECT of the rows set aside (cast failures): columns `reason VARCHAR`, `raw VARCHAR` (the input row as JSON). */
  rejectsSql?: string;
  /** Run before the write, in order; the first one returning a row fails the job. */
  guards?: CompiledGuard[];
}
