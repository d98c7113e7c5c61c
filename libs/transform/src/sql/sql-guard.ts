import { LAKE_LAYERS, LAKE_NAME, type LakeLayer, type LakeTableRef } from '@flowforge/engine';
import { tableName } from '../relations';
import { TransformError, type TransformErrorCode, type TransformProblem } from '../transform.errors';
import type { SqlPositionMap } from './sql-params';

/**
 * What custom SQL may name, checked on DuckDB's own parse tree (`json_serialize_sql`), so the check sees
 * exactly what DuckDB will bind — comments, quoting and case tricks change nothing. An allowlist:
 *
 * - tables: lake tables `<layer>.<namespace>.<table>` the caller may read, and CTE names in scope;
 *   anything else (a bare name, two-part names, `system.*`, `pg_catalog.*`, `information_schema.*`,
 *   a file path used as a table) is refused;
 * - table functions: only `SQL_TABLE_FUNCTIONS` (generators over values, never files or the catalog);
 * - table references: base tables, joins, subqueries, VALUES, table functions and PIVOT
 *   (no SHOW/DESCRIBE/SUMMARIZE);
 * - scalar functions: any unqualified function except `SQL_REFUSED_FUNCTIONS` (settings, variables,
 *   the running query, logs, sleeps, catalog introspection). Scalar functions cannot reach files or the
 *   network once the sandbox's DuckDB settings are locked; the list only keeps the configuration and the
 *   input file paths private.
 */

/** Table functions custom SQL may call: they generate rows from values only. */
export const SQL_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Scalar functions custom SQL may not call (they read the session's configuration, catalog or text, write logs or sleep). */
export const SQL_REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  'getenv',
  'current_setting',
  'getvariable',
  'current_query',
  'current_query_id',
  'write_log',
  'sleep_ms',
  'pg_sleep',
  'which_secret',
  'in_search_path',
  'current_schema',
  'current_schemas',
  'current_database',
  'current_catalog',
  'current_role',
  'current_user',
  'get_block_size',
  'json_serialize_sql',
  'json_deserialize_sql',
  'pg_get_viewdef',
  'pg_get_expr',
  'pg_get_constraintdef',
  'pg_table_is_visible',
  'pg_conversion_is_visible',
  'pg_is_other_temp_schema',
  'pg_my_temp_schema',
]);

const ALLOWED_TABLE_REFS = new Set(['BASE_TABLE', 'SUBQUERY', 'JOIN', 'TABLE_FUNCTION', 'EXPRESSION_LIST', 'EMPTY', 'EMPTY_FROM', 'PIVOT']);
const TABLE_REF_TYPES = new Set([...ALLOWED_TABLE_REFS, 'INVALID', 'CTE', 'SHOW_REF', 'COLUMN_DATA', 'DELIM_GET', 'BOUND_REF']);
const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE']);

/** A lake table a query reads, and where (0-based offset in the user's SQL; undefined when DuckDB gave none). */
export interface SqlTableUse {
  ref: LakeTableRef;
  position?: number;
}

export interface GuardOptions {
  /** Whether the caller may read this lake table (default: every lake table may be named). */
  canRead?: (ref: LakeTableRef) => boolean;
  /** From positions in the parsed SQL back to the user's text. */
  map?: SqlPositionMap;
  /** The config field problems name. */
  field?: string;
}

/**
 * Checks one parsed statement (`json_serialize_sql(sql)` as an object) against the allowlist above and
 * returns the lake tables it reads, each once, in order of first use. Throws FF_SQL_NOT_ALLOWED naming
 * each refused thing with its position, or FF_TRANSFORM_UNKNOWN_TABLE for a lake table the caller may not
 * read (the same answer as for a table that does not exist, so existence does not leak).
 */
export function checkSelectAst(parsed: unknown, opts: GuardOptions = {}): SqlTableUse[] {
  const field = opts.field ?? 'sql';
  const refused: TransformProblem[] = [];
  const unknown: TransformProblem[] = [];
  const tables = new Map<string, SqlTableUse>();
  const where = (node: Record<string, unknown>): number | undefined => {
    const loc = node.query_location;
    return typeof loc === 'number' && loc < Number.MAX_SAFE_INTEGER ? (opts.map ? opts.map.toOriginal(loc) : loc) : undefined;
  };
  const refuse = (node: Record<string, unknown>, message: string) => refused.push({ field, message, position: where(node) });

  const root = parsed as { error?: boolean; statements?: { node?: unknown }[] } | null;
  if (!root || root.error !== false || !Array.isArray(root.statements) || root.statements.length !== 1) {
    throw new TransformError('FF_SQL_NOT_ALLOWED', 'custom SQL must be exactly one SELECT', { problems: [{ field, message: 'must be exactly one SELECT' }] });
  }

  const visit = (value: unknown, scope: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, scope);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Record<string, unknown>;
    const type = typeof node.type === 'string' ? node.type : undefined;
    let inner = scope;

    // CTEs: entry i sees the outer scope and the entries before it; the query itself sees them all.
    const cteEntries = (node.cte_map as { map?: unknown } | undefined)?.map;
    if (Array.isArray(cteEntries) && cteEntries.length > 0) {
      const names = new Set(scope);
      for (const entry of cteEntries as { key?: unknown; value?: unknown }[]) {
        visit(entry.value, names);
        if (typeof entry.key === 'string') names.add(entry.key.toLowerCase());
      }
      inner = names;
    }

    if (type?.endsWith('_NODE') && !QUERY_NODES.has(type)) {
      refuse(node, `${type.replace(/_NODE$/, '').toLowerCase()} queries are not allowed`);
      return;
    }
    if (type === 'RECURSIVE_CTE_NODE') {
      // Only the recursive term sees the CTE's own name.
      visit(node.left, inner);
      const self = new Set(inner);
      if (typeof node.cte_name === 'string') self.add(node.cte_name.toLowerCase());
      visit(node.right, self);
      visit(node.modifiers, inner);
      return;
    }
    if (node.class === undefined && type !== undefined && TABLE_REF_TYPES.has(type)) {
      if (!ALLOWED_TABLE_REFS.has(type)) {
        refuse(node, `${type === 'SHOW_REF' ? 'DESCRIBE/SHOW/SUMMARIZE' : type} is not allowed in custom SQL`);
        return;
      }
      if (type === 'BASE_TABLE') checkTable(node, inner);
      if (type === 'TABLE_FUNCTION') checkTableFunction(node);
    }
    if ((node.class === 'FUNCTION' || node.class === 'WINDOW') && typeof node.function_name === 'string') checkFunction(node);
    for (const [key, child] of Object.entries(node)) {
      if (key === 'cte_map' || (type === 'TABLE_FUNCTION' && key === 'function')) continue;
      visit(child, inner);
    }
    if (type === 'TABLE_FUNCTION') visit((node.function as Record<string, unknown> | undefined)?.children, inner);
  };

  const checkTable = (node: Record<string, unknown>, scope: ReadonlySet<string>): void => {
    const catalog = String(node.catalog_name ?? '');
    const schema = String(node.schema_name ?? '');
    const table = String(node.table_name ?? '');
    const written = [catalog, schema, table].filter(Boolean).join('.');
    if (!catalog && !schema) {
      if (scope.has(table.toLowerCase())) return;
      refuse(node, `${JSON.stringify(table)} is not a lake table: name tables <layer>.<namespace>.<table>, e.g. silver.sales.orders`);
      return;
    }
    const layer = catalog.toLowerCase();
    if (!catalog || !(LAKE_LAYERS as readonly string[]).includes(layer) || !LAKE_NAME.test(schema) || !LAKE_NAME.test(table)) {
      refuse(node, `${JSON.stringify(written)} is not a lake table: only <layer>.<namespace>.<table> with layer bronze, silver or gold can be read`);
      return;
    }
    const ref: LakeTableRef = { layer: layer as LakeLayer, namespace: schema, table };
    if (opts.canRead && !opts.canRead(ref)) {
      unknown.push({ field, message: `table ${tableName(ref)} does not exist or may not be read`, position: where(node) });
      return;
    }
    if (!tables.has(tableName(ref))) tables.set(tableName(ref), { ref, position: where(node) });
  };

  const checkTableFunction = (node: Record<string, unknown>): void => {
    const fn = (node.function ?? {}) as Record<string, unknown>;
    const name = String(fn.function_name ?? '');
    if (fn.schema || fn.catalog || !SQL_TABLE_FUNCTIONS.has(name.toLowerCase())) {
      refuse(
        node,
        `table function ${qualified(fn)} is not allowed (allowed: ${[...SQL_TABLE_FUNCTIONS].join(', ')}; lake tables are read by name, never by file)`,
      );
    }
  };

  const checkFunction = (node: Record<string, unknown>): void => {
    const name = String(node.function_name).toLowerCase();
    if (node.schema || node.catalog) refuse(node, `function ${qualified(node)}: qualified function names are not allowed`);
    else if (SQL_REFUSED_FUNCTIONS.has(name)) refuse(node, `function ${name}() is not allowed in custom SQL`);
  };

  visit(root.statements[0]!.node, new Set());
  const fail = (code: TransformErrorCode, problems: TransformProblem[]) => {
    throw new TransformError(code, problems.map((p) => `${p.message}${p.position === undefined ? '' : ` (at ${p.position})`}`).join('; '), { problems });
  };
  if (refused.length > 0) fail('FF_SQL_NOT_ALLOWED', refused);
  if (unknown.length > 0) fail('FF_TRANSFORM_UNKNOWN_TABLE', unknown);
  return [...tables.values()];
}

function qualified(fn: Record<string, unknown>): string {
  return [fn.catalog, fn.schema, fn.function_name].filter((p) => typeof p === 'string' && p).join('.') || '(unnamed)';
}
