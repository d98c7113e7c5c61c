import { sqlIdent, type ColumnSchema, type LakeTableRef } from '@flowforge/engine';
import type { CompileContext, CompiledGuard, CompiledJob } from '../compiled-job';
import { parseTableName, tableName, tableSql } from '../relations';
import { TransformError, type TransformProblem } from '../transform.errors';
import { instantOf, resolveScd2Config, type GoldScd2Config, type ResolvedScd2Config, type Scd2Columns } from './scd2.config';

/**
 * A compiled `gold.scd2` merge: the CompiledJob plus what the runner needs so that two merges on one
 * dimension never interleave (libs/transform/README.md, "gold.scd2", Concurrency).
 */
export interface CompiledGoldScd2 extends CompiledJob {
  /** The dimension. `sql` is its whole new content: the runner replaces the table with it in one commit. */
  target: LakeTableRef;
  /**
   * How that commit must be fenced. `registered-snapshot`: the merge read the target's snapshot the runner
   * registered, so the commit is a compare-and-set on that snapshot as parent (a concurrent commit in
   * between fails it; the runner recompiles on the new snapshot). `absent`: a first load, compiled while
   * the table did not exist; the commit must fail if it exists by then.
   */
  commit: { mode: 'replace'; parent: 'registered-snapshot' | 'absent' };
  /** Name of the lock the runner holds from registering the inputs until the commit: `gold.scd2:<table>`. */
  lockKey: string;
}

/** The dimension `config` keeps (layer gold). */
export function goldScd2Target(config: Pick<GoldScd2Config, 'target'>): LakeTableRef {
  return { layer: 'gold', namespace: config.target.namespace, table: config.target.table };
}

/**
 * The tables a `gold.scd2` job reads: [source, target]. The target is read too (its history is carried
 * over); it may not exist yet, then `ctx.schemas(target)` is undefined and the run is a first load.
 */
export function goldScd2Inputs(config: GoldScd2Config): LakeTableRef[] {
  return [parseTableName(config.source, 'source'), goldScd2Target(config)];
}

/** The metadata column names `config` gives the dimension (defaults filled in; isDeleted only for new_record). */
export function scd2ColumnNames(config: GoldScd2Config): Scd2Columns {
  return resolveScd2Config(config).columns;
}

/** Types DuckDB converts without loss, so a source column may widen to them: the history is cast up. */
const WIDENS_TO: Record<string, string[]> = {
  TINYINT: ['SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'DOUBLE'],
  SMALLINT: ['INTEGER', 'BIGINT', 'HUGEINT', 'DOUBLE'],
  INTEGER: ['BIGINT', 'HUGEINT', 'DOUBLE'],
  BIGINT: ['HUGEINT'],
  UTINYINT: ['USMALLINT', 'UINTEGER', 'UBIGINT', 'SMALLINT', 'INTEGER', 'BIGINT'],
  USMALLINT: ['UINTEGER', 'UBIGINT', 'INTEGER', 'BIGINT'],
  UINTEGER: ['UBIGINT', 'BIGINT'],
  FLOAT: ['DOUBLE'],
  DATE: ['TIMESTAMP'],
  TIMESTAMP_S: ['TIMESTAMP', 'TIMESTAMP_MS', 'TIMESTAMP_NS'],
  TIMESTAMP_MS: ['TIMESTAMP', 'TIMESTAMP_NS'],
  TIMESTAMP: ['TIMESTAMP_NS'],
};

/** How an updatedAt column becomes a UTC TIMESTAMP (valid_from): by its DuckDB type. */
function utcTimestamp(expr: string, type: string): string | undefined {
  const t = normType(type);
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return `timezone('UTC', ${expr})`;
  if (['DATE', 'TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS'].includes(t)) return `CAST(${expr} AS TIMESTAMP)`;
  return undefined;
}

const normType = (type: string): string => type.trim().toUpperCase().replace(/\s+/g, ' ');

/** One data column of the dimension: how each side (source row s, dimension row c) yields it. */
interface DataColumn {
  name: string;
  type: string;
  /** Expression over the source's columns (NULL when the source no longer has it). */
  fromSource: string;
  /** Expression over the dimension's columns (NULL when the column is new). */
  fromTarget: string;
  inSource: boolean;
  inTarget: boolean;
}

/**
 * Compiles a `gold.scd2` job into ONE SELECT producing the whole new version of the dimension
 * (libs/transform/README.md, "gold.scd2"): history carried as it is, changed keys closed and a new
 * version opened, gone keys per `hardDeletes`, returning keys reopened, new keys at version 1. Guards
 * fail the run on a NULL natural key, a duplicated natural key (the first 20 listed) and, for the
 * timestamp strategy, a NULL updatedAt. Throws TransformError naming each bad field.
 */
export function compileGoldScd2(config: GoldScd2Config, ctx: CompileContext): CompiledGoldScd2 {
  const cfg = resolveScd2Config(config);
  const sourceRef = parseTableName(cfg.source, 'source');
  const targetRef = goldScd2Target(cfg);
  const now = instantOf(ctx.now);
  if (now === undefined)
    throw new TransformError('FF_TRANSFORM_CONFIG', 'ctx.now is not a valid date', { problems: [{ field: 'now', message: 'must be a valid date' }] });
  if (tableName(sourceRef) === tableName(targetRef)) {
    throw configError([{ field: 'target', message: 'must differ from the source: a dimension cannot be its own snapshot' }]);
  }
  const sourceSchema = ctx.schemas(sourceRef);
  if (!sourceSchema) {
    throw new TransformError('FF_TRANSFORM_UNKNOWN_TABLE', `source: ${cfg.source} is not in the lake`, {
      problems: [{ field: 'source', message: `${cfg.source} is not in the lake` }],
    });
  }
  const targetSchema = ctx.schemas(targetRef);
  const meta = cfg.columns;
  const metaNames = Object.values(meta) as string[];
  const lookup = (schema: readonly ColumnSchema[], name: string): ColumnSchema | undefined => schema.find((c) => c.name.toLowerCase() === name.toLowerCase());

  // Names: every configured column in the source, no metadata name taken by a source column.
  const unknown: TransformProblem[] = [];
  const need = (field: string, name: string): ColumnSchema | undefined => {
    const col = lookup(sourceSchema, name);
    if (!col) unknown.push({ field, message: `"${name}" is not a column of ${cfg.source} (${sourceSchema.map((c) => c.name).join(', ')})` });
    return col;
  };
  const keyCols = cfg.key.map((k, i) => need(`key[${i}]`, k));
  if (cfg.strategy.type === 'check' && Array.isArray(cfg.strategy.columns)) cfg.strategy.columns.forEach((c, i) => need(`strategy.columns[${i}]`, c));
  const updatedAt = cfg.strategy.type === 'timestamp' ? need('strategy.updatedAt', cfg.strategy.updatedAt) : undefined;
  if (unknown.length > 0) throw new TransformError('FF_TRANSFORM_UNKNOWN_COLUMN', problemText(unknown), { problems: unknown });
  const collisions: TransformProblem[] = [];
  for (const [field, name] of Object.entries(meta) as [string, string][]) {
    if (lookup(sourceSchema, name))
      collisions.push({ field: `columns.${field}`, message: `"${name}" is already a column of ${cfg.source}: name the metadata column otherwise` });
  }
  if (collisions.length > 0) throw new TransformError('FF_TRANSFORM_NAME_COLLISION', problemText(collisions), { problems: collisions });
  if (updatedAt && !utcTimestamp('x', updatedAt.type)) {
    throw configError([{ field: 'strategy.updatedAt', message: `"${updatedAt.name}" is ${updatedAt.type}: it must be a DATE or TIMESTAMP column` }]);
  }

  // The dimension's columns: its data columns in its order, then new source columns; metadata last.
  const columns: DataColumn[] = [];
  const problems: TransformProblem[] = [];
  if (targetSchema) {
    const missing = (['validFrom', 'validTo', 'isCurrent', 'version'] as const).filter((f) => !lookup(targetSchema, meta[f]));
    if (missing.length > 0) {
      problems.push({
        field: 'target',
        message: `${tableName(targetRef)} exists but has no ${missing.map((f) => `"${meta[f]}" (columns.${f})`).join(', ')}: it is not a dimension of this job`,
      });
    }
    const deleted = lookup(targetSchema, cfg.columns.isDeleted ?? 'is_deleted');
    if (deleted && cfg.hardDeletes !== 'new_record') {
      problems.push({
        field: 'hardDeletes',
        message: `${tableName(targetRef)} was kept with new_record ("${deleted.name}" column): switching to ${cfg.hardDeletes} is not supported, rebuild it`,
      });
    }
    for (const t of targetSchema) {
      if (metaNames.some((m) => m.toLowerCase() === t.name.toLowerCase()) || t.name.toLowerCase() === (meta.isDeleted ?? '').toLowerCase()) continue;
      const s = lookup(sourceSchema, t.name);
      const q = sqlIdent(t.name);
      if (!s) {
        columns.push({ name: t.name, type: t.type, fromSource: `CAST(NULL AS ${t.type})`, fromTarget: q, inSource: false, inTarget: true });
        continue;
      }
      const [tt, st] = [normType(t.type), normType(s.type)];
      if (tt === st) columns.push({ name: t.name, type: s.type, fromSource: sqlIdent(s.name), fromTarget: q, inSource: true, inTarget: true });
      else if (WIDENS_TO[tt]?.includes(st))
        columns.push({ name: t.name, type: s.type, fromSource: sqlIdent(s.name), fromTarget: `CAST(${q} AS ${s.type})`, inSource: true, inTarget: true });
      else
        problems.push({
          field: 'source',
          message: `column "${t.name}" is ${t.type} in ${tableName(targetRef)} but ${s.type} in ${cfg.source}: only widening changes are merged, rebuild the dimension`,
        });
    }
  }
  for (const s of sourceSchema) {
    if (!columns.some((c) => c.name.toLowerCase() === s.name.toLowerCase())) {
      columns.push({ name: s.name, type: s.type, fromSource: sqlIdent(s.name), fromTarget: `CAST(NULL AS ${s.type})`, inSource: true, inTarget: false });
    }
  }
  if (problems.length > 0) throw configError(problems);

  const keyIdx = keyCols.map((k) => columns.findIndex((c) => c.name.toLowerCase() === k!.name.toLowerCase()));
  const source = tableSql(sourceRef);
  const keyList = keyCols.map((k) => sqlIdent(k!.name)).join(', ');
  const guards: CompiledGuard[] = [
    {
      code: 'FF_TRANSFORM_NULLS',
      message: `the natural key (${cfg.key.join(', ')}) is NULL in rows of ${cfg.source}: every row needs a key`,
      sql: `SELECT ${keyList}, count(*) AS "rows" FROM ${source} WHERE ${keyCols.map((k) => `${sqlIdent(k!.name)} IS NULL`).join(' OR ')} GROUP BY ALL LIMIT 20`,
    },
    {
      code: 'FF_TRANSFORM_DUPLICATE_KEY',
      message: `the natural key (${cfg.key.join(', ')}) is not unique in ${cfg.source}: the offending keys (first 20) follow`,
      sql: `SELECT ${keyList}, count(*) AS occurrences FROM ${source} GROUP BY ${keyList} HAVING count(*) > 1 ORDER BY occurrences DESC, ${keyList} LIMIT 20`,
    },
  ];
  if (updatedAt) {
    guards.push({
      code: 'FF_TRANSFORM_NULLS',
      message: `${cfg.strategy.type === 'timestamp' ? cfg.strategy.updatedAt : ''} (strategy.updatedAt) is NULL in rows of ${cfg.source}: the timestamp strategy needs it on every row`,
      sql: `SELECT ${keyList} FROM ${source} WHERE ${sqlIdent(updatedAt.name)} IS NULL ORDER BY ${keyList} LIMIT 20`,
    });
  }

  const schema: ColumnSchema[] = [
    ...columns.map((c) => ({ name: c.name, type: c.type, nullable: !keyIdx.includes(columns.indexOf(c)) })),
    { name: meta.validFrom, type: 'TIMESTAMP', nullable: false },
    { name: meta.validTo, type: 'TIMESTAMP', nullable: true },
    { name: meta.isCurrent, type: 'BOOLEAN', nullable: false },
    { name: meta.version, type: 'INTEGER', nullable: false },
    ...(meta.isDeleted ? [{ name: meta.isDeleted, type: 'BOOLEAN', nullable: false }] : []),
  ];
  const sql = targetSchema
    ? mergeSql(cfg, columns, keyIdx, sourceRef, targetRef, targetSchema, now, updatedAt)
    : firstLoadSql(cfg, columns, sourceRef, now, updatedAt);
  return {
    inputs: targetSchema ? [sourceRef, targetRef] : [sourceRef],
    sql,
    schema,
    guards,
    target: targetRef,
    commit: { mode: 'replace', parent: targetSchema ? 'registered-snapshot' : 'absent' },
    lockKey: `gold.scd2:${tableName(targetRef)}`,
  };
}

const ts = (text: string): string => `TIMESTAMP '${text}'`;

/** The open-ended valid_to of current versions. */
const farFutureSql = (cfg: ResolvedScd2Config): string => (cfg.farFuture === null ? 'CAST(NULL AS TIMESTAMP)' : ts(cfg.farFuture));

/** Metadata select-list entries, in the dimension's order. */
function metaList(cfg: ResolvedScd2Config, v: { from: string; to: string; current: string; version: string; deleted: string }): string {
  const m = cfg.columns;
  const parts = [
    `${v.from} AS ${sqlIdent(m.validFrom)}`,
    `${v.to} AS ${sqlIdent(m.validTo)}`,
    `${v.current} AS ${sqlIdent(m.isCurrent)}`,
    `CAST(${v.version} AS INTEGER) AS ${sqlIdent(m.version)}`,
  ];
  if (m.isDeleted) parts.push(`${v.deleted} AS ${sqlIdent(m.isDeleted)}`);
  return parts.join(', ');
}

/** No dimension yet: every source row is version 1, current. */
function firstLoadSql(cfg: ResolvedScd2Config, columns: DataColumn[], sourceRef: LakeTableRef, now: string, updatedAt: ColumnSchema | undefined): string {
  const from =
    cfg.strategy.type === 'timestamp' && cfg.strategy.validFrom === 'updatedAt' ? utcTimestamp(sqlIdent(updatedAt!.name), updatedAt!.type)! : ts(now);
  const data = columns.map((c) => `${c.fromSource} AS ${sqlIdent(c.name)}`).join(', ');
  return `SELECT ${data}, ${metaList(cfg, { from, to: farFutureSql(cfg), current: 'true', version: '1', deleted: 'false' })} FROM ${tableSql(sourceRef)}`;
}

/**
 * The merge. `s` is the source (columns s0..sN, one per data column), `c` the dimension's current
 * versions (c0..cN plus c_from, c_version, c_deleted, c_updated), `j` their full outer join on the key
 * with `act` per key:
 *   K keep the current version (unchanged; or gone from the source with hardDeletes ignore; or already marked deleted)
 *   U changed: close it, open version+1          R back after a deleted marker: close the marker, open version+1
 *   X gone (invalidate): close it                D gone (new_record): close it, open a deleted marker version+1
 *   N not current in the dimension: open version max(history)+1 (1 for a new key; a key back after invalidate)
 * The result: non-current history as it is, one row per current version (kept or closed), one row per opening.
 * `j` is read four times: DuckDB materializes a CTE with a join that is referenced more than once (one join;
 * measured no slower than AS MATERIALIZED, bench/scd2.bench.ts).
 */
function mergeSql(
  cfg: ResolvedScd2Config,
  columns: DataColumn[],
  keyIdx: number[],
  sourceRef: LakeTableRef,
  targetRef: LakeTableRef,
  targetSchema: readonly ColumnSchema[],
  now: string,
  updatedAt: ColumnSchema | undefined,
): string {
  const m = cfg.columns;
  const q = sqlIdent;
  const target = tableSql(targetRef);
  const hasDeleted = !!m.isDeleted && targetSchema.some((c) => c.name.toLowerCase() === m.isDeleted!.toLowerCase());
  const updatedType = updatedAt ? targetSchema.find((c) => c.name.toLowerCase() === updatedAt.name.toLowerCase()) : undefined;
  const sCol = (i: number): string => `s${i}`;
  const cCol = (i: number): string => `c${i}`;

  const sSelect = [...columns.map((c, i) => `${c.fromSource} AS ${sCol(i)}`), 'true AS s_hit'];
  if (updatedAt) sSelect.push(`${utcTimestamp(q(updatedAt.name), updatedAt.type)!} AS s_updated`);
  const cSelect = [
    ...columns.map((c, i) => `${c.fromTarget} AS ${cCol(i)}`),
    'true AS c_hit',
    `${q(m.validFrom)} AS c_from`,
    `${q(m.version)} AS c_version`,
    `${hasDeleted ? `coalesce(${q(m.isDeleted!)}, false)` : 'false'} AS c_deleted`,
  ];
  if (updatedAt) cSelect.push(`${(updatedType && utcTimestamp(q(updatedType.name), updatedType.type)) ?? 'CAST(NULL AS TIMESTAMP)'} AS c_updated`);

  // What changed means.
  let changed: string;
  if (cfg.strategy.type === 'timestamp') changed = '(s_updated > c_updated OR c_updated IS NULL)';
  else {
    const tracked = cfg.strategy.columns;
    const idx =
      tracked === 'all'
        ? columns.map((c, i) => (c.inSource && !keyIdx.includes(i) ? i : -1)).filter((i) => i >= 0)
        : tracked.map((t) => columns.findIndex((c) => c.name.toLowerCase() === t.toLowerCase()));
    changed = idx.length === 0 ? 'false' : `(${idx.map((i) => `${sCol(i)} IS DISTINCT FROM ${cCol(i)}`).join(' OR ')})`;
  }
  const gone = { ignore: `'K'`, invalidate: `'X'`, new_record: `CASE WHEN c_deleted THEN 'K' ELSE 'D' END` }[cfg.hardDeletes];
  const act = `CASE WHEN s_hit AND c_hit THEN (CASE WHEN c_deleted THEN 'R' WHEN ${changed} THEN 'U' ELSE 'K' END) WHEN s_hit THEN 'N' ELSE ${gone} END`;

  // When versions open and close. Never before the version they follow (clock skew, late updatedAt).
  const nowSql = ts(now);
  const byUpdatedAt = cfg.strategy.type === 'timestamp' && cfg.strategy.validFrom === 'updatedAt';
  const openAt = byUpdatedAt ? 'greatest(s_updated, c_from)' : `greatest(${nowSql}, c_from)`;
  const goneAt = `greatest(${nowSql}, c_from)`;
  const ff = farFutureSql(cfg);
  const data = (side: 's' | 'c'): string => columns.map((c, i) => `${side === 's' ? sCol(i) : cCol(i)} AS ${q(c.name)}`).join(', ');
  const on = keyIdx.map((i) => `s.${sCol(i)} = c.${cCol(i)}`).join(' AND ');
  const hOn = keyIdx.map((i) => `j.${sCol(i)} = h.${cCol(i)}`).join(' AND ');
  const historyData = columns.map((c) => `${c.fromTarget} AS ${q(c.name)}`).join(', ');
  const historyDeleted = hasDeleted ? `coalesce(${q(m.isDeleted!)}, false)` : 'false';

  return `WITH
s AS (SELECT ${sSelect.join(', ')} FROM ${tableSql(sourceRef)}),
c AS (SELECT ${cSelect.join(', ')} FROM ${target} WHERE ${q(m.isCurrent)} IS TRUE),
j AS (SELECT *, ${act} AS act FROM s FULL OUTER JOIN c ON ${on}),
h AS (SELECT ${keyIdx.map((i) => `${columns[i]!.fromTarget} AS ${cCol(i)}`).join(', ')}, max(${q(m.version)}) AS h_version, max(${q(m.validTo)}) AS h_to FROM ${target} WHERE ${q(m.isCurrent)} IS NOT TRUE GROUP BY ALL)
SELECT ${historyData}, ${metaList(cfg, { from: q(m.validFrom), to: q(m.validTo), current: 'false', version: q(m.version), deleted: historyDeleted })} FROM ${target} WHERE ${q(m.isCurrent)} IS NOT TRUE
UNION ALL
SELECT ${data('c')}, ${metaList(cfg, {
    from: 'c_from',
    to: `CASE act WHEN 'K' THEN ${ff} WHEN 'X' THEN ${goneAt} WHEN 'D' THEN ${goneAt} ELSE ${openAt} END`,
    current: `act = 'K'`,
    version: 'c_version',
    deleted: 'c_deleted',
  })} FROM j WHERE c_hit
UNION ALL
SELECT ${data('s')}, ${metaList(cfg, { from: openAt, to: ff, current: 'true', version: 'c_version + 1', deleted: 'false' })} FROM j WHERE act IN ('U', 'R')
UNION ALL
SELECT ${data('c')}, ${metaList(cfg, { from: goneAt, to: ff, current: 'true', version: 'c_version + 1', deleted: 'true' })} FROM j WHERE act = 'D'
UNION ALL
SELECT ${data('s')}, ${metaList(cfg, {
    from: byUpdatedAt ? 'greatest(s_updated, h_to)' : `greatest(${nowSql}, h_to)`,
    to: ff,
    current: 'true',
    version: 'coalesce(h_version, 0) + 1',
    deleted: 'false',
  })} FROM j LEFT JOIN h ON ${hOn} WHERE act = 'N'`;
}

function problemText(problems: TransformProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}

function configError(problems: TransformProblem[]): TransformError {
  return new TransformError('FF_TRANSFORM_CONFIG', problemText(problems), { problems });
}
