import { LAKE_LAYERS, LAKE_NAME, sqlIdent, sqlStringList, type ColumnSchema, type DuckDbSession, type LakeLayer, type LakeTableRef } from '@flowforge/engine';
import { TransformError } from './transform.errors';

/**
 * Lake tables inside DuckDB (libs/transform/README.md, "Tables in SQL"): every job and every custom query
 * names its inputs `<layer>.<namespace>.<table>`, e.g. `silver.sales.orders`. The runner registers each
 * input as a view in an attached in-memory catalog per layer, so those three-part names resolve as they
 * are written, and compilers emit SQL over them with `tableSql(ref)`.
 */
export interface LakeInput {
  ref: LakeTableRef;
  /** The snapshot the view reads (named in the commit's inputs, for reproduction and lineage). */
  snapshotId: string;
  schema: ColumnSchema[];
  /** Local Parquet files of that snapshot (downloaded or in place). Empty: a table with the schema and no rows. */
  files: string[];
}

/** `silver.sales.orders` → the ref, or a TransformError naming `field`. */
export function parseTableName(name: unknown, field = 'table'): LakeTableRef {
  const parts = typeof name === 'string' ? name.split('.') : [];
  const [layer, namespace, table] = parts;
  if (parts.length !== 3 || !(LAKE_LAYERS as readonly string[]).includes(layer!) || !LAKE_NAME.test(namespace!) || !LAKE_NAME.test(table!)) {
    throw new TransformError('FF_TRANSFORM_CONFIG', `${field}: ${JSON.stringify(name)} must be <layer>.<namespace>.<table>, e.g. silver.sales.orders`, {
      problems: [{ field, message: 'must be <layer>.<namespace>.<table> with layer bronze, silver or gold' }],
    });
  }
  return { layer: layer as LakeLayer, namespace: namespace!, table: table! };
}

/** `silver.sales.orders` (the name users write and configs hold). */
export function tableName(ref: LakeTableRef): string {
  return `${ref.layer}.${ref.namespace}.${ref.table}`;
}

/** `"silver"."sales"."orders"`: the ref as SQL, resolving to the view `registerInputs` made. */
export function tableSql(ref: LakeTableRef): string {
  return `${sqlIdent(ref.layer)}.${sqlIdent(ref.namespace)}.${sqlIdent(ref.table)}`;
}

/**
 * Creates, on `session`, the layer catalogs and one view per input over its Parquet files (or an empty,
 * typed relation when it has none). Run before the session is locked down (sandbox): the views keep
 * reading their files, which the sandbox then allows by exact path.
 */
export async function registerInputs(session: DuckDbSession, inputs: readonly LakeInput[]): Promise<void> {
  const layers = new Set(inputs.map((i) => i.ref.layer));
  const attached = new Set((await session.all(`SELECT database_name FROM duckdb_databases()`)).rows.map((r) => String(r.database_name)));
  for (const layer of layers) if (!attached.has(layer)) await session.run(`ATTACH ':memory:' AS ${sqlIdent(layer)}`);
  const schemas = new Set<string>();
  for (const input of inputs) {
    const { layer, namespace } = input.ref;
    const key = `${layer}.${namespace}`;
    if (!schemas.has(key)) {
      await session.run(`CREATE SCHEMA IF NOT EXISTS ${sqlIdent(layer)}.${sqlIdent(namespace)}`);
      schemas.add(key);
    }
    await session.run(`CREATE OR REPLACE VIEW ${tableSql(input.ref)} AS ${relationSql(input)}`);
  }
}

/** The SELECT a view of `input` is: its files read by name (schemas unioned), or zero typed rows. */
export function relationSql(input: Pick<LakeInput, 'schema' | 'files'>): string {
  if (input.files.length > 0) return `SELECT * FROM read_parquet(${sqlStringList(input.files)}, union_by_name = true)`;
  if (input.schema.length === 0) throw new TransformError('FF_TRANSFORM_CONFIG', 'an input with no files needs a schema');
  return `SELECT ${input.schema.map((c) => `CAST(NULL AS ${c.type}) AS ${sqlIdent(c.name)}`).join(', ')} WHERE false`;
}
