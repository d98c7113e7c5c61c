import type { Pool } from 'pg';
import { sqlIdent, sqlStringList, type DuckDbSession } from '@flowforge/engine';
import {
  compileGoldAggregate,
  GOLD_AGGREGATE_CONFIG_SCHEMA,
  goldAggregateFingerprint,
  goldAggregateInputs,
  goldAggregateTarget,
  incrementalAllowed,
  tableName,
  type CompileContext,
  type GoldAggregateConfig,
  type GoldRefreshBasis,
} from '@flowforge/transform';
import type { CompileEnv, TransformKind } from '../run/transform-kind';

const NEW_FACTS = '"_ff_new_facts"';
const PREVIOUS = '"_ff_previous"';

/**
 * `gold.aggregate`: a fact table joined to its dimensions (star or snowflake), grouped, measured and bucketed
 * by time in a zone, with KPIs (libs/transform README, "Gold aggregation"). In `incremental` mode, when the
 * fact only grew by appends since the previous refresh of the same config and no dimension changed, only
 * the time buckets the new facts touch are recomputed; the other buckets are carried from the gold table.
 * Anything else is a full refresh, and the run's log says why.
 */
export const goldAggregateKind: TransformKind<GoldAggregateConfig> = {
  type: 'gold.aggregate',
  version: 1,
  description:
    'Aggregates a fact table joined to its dimensions (star or snowflake): group by dimension columns and a time bucket (day, week, month, quarter, year, in a time zone), measures (sum, avg, count, count distinct, min, max) and KPIs over them; incremental mode recomputes only the buckets appended facts touch.',
  configSchema: GOLD_AGGREGATE_CONFIG_SCHEMA,
  inputs: (config) => goldAggregateInputs(config),
  target: (config) => goldAggregateTarget(config),
  mode: () => 'replace',
  previewSample: (config) => goldAggregateInputs(config).slice(0, 1),
  compile: (config, ctx, session, env) =>
    env && (config.mode ?? 'replace') === 'incremental' ? incremental(config, ctx, session, env) : compileGoldAggregate(config, ctx),
  onCommitted: (config, committed, pool) =>
    recordBasis(pool, committed.assetId, committed.snapshotId, { fingerprint: goldAggregateFingerprint(config), snapshots: committed.sources }),
  exclusive: true,
};

async function incremental(config: GoldAggregateConfig, ctx: CompileContext, session: DuckDbSession, env: CompileEnv) {
  const target = goldAggregateTarget(config);
  const current = env.resolved.inputs.find((i) => tableName(i.ref) === tableName(target));
  const fact = env.resolved.inputs.find((i) => tableName(i.ref) === tableName(goldAggregateInputs(config)[0]!))!;
  const basis = current?.asset && current.input ? await basisOf(env.pool, current.asset.id, current.input.snapshotId) : undefined;
  const snapshots = Object.fromEntries(
    env.resolved.inputs.filter((i) => i.input && tableName(i.ref) !== tableName(target)).map((i) => [tableName(i.ref), i.input!.snapshotId]),
  );
  // The fact grew by appends when every file of the snapshot the basis read is still in the current one.
  const factNow = await env.catalog.snapshot(fact.asset!.id, fact.input!.snapshotId);
  const before = basis?.snapshots[tableName(fact.ref)];
  let added: string[] = [];
  let appended = false;
  if (before && before !== fact.input!.snapshotId) {
    const then = await env.catalog.snapshot(fact.asset!.id, before).catch(() => null);
    const nowKeys = factNow.files.map((f) => f.path);
    appended = !!then && then.files.every((f) => nowKeys.includes(f.path));
    if (appended) {
      const old = new Set(then!.files.map((f) => f.path));
      added = nowKeys.map((k, i) => (old.has(k) ? null : fact.input!.files[i]!)).filter((p): p is string => p !== null);
    }
  }
  const decision = incrementalAllowed(config, basis, { snapshots, factIsAppendOfBasis: appended || before === fact.input!.snapshotId });
  if (!decision.allowed) {
    env.log.info(`full refresh of ${tableName(target)}: ${decision.reason}`);
    return compileGoldAggregate(config, ctx);
  }
  await session.run(`CREATE OR REPLACE VIEW ${PREVIOUS} AS SELECT * FROM read_parquet(${sqlStringList(current!.input!.files)}, union_by_name = true)`);
  const factColumns = fact.input!.schema.map((c) => `CAST(NULL AS ${c.type}) AS ${sqlIdent(c.name)}`).join(', ');
  await session.run(
    `CREATE OR REPLACE VIEW ${NEW_FACTS} AS ${added.length > 0 ? `SELECT * FROM read_parquet(${sqlStringList(added)}, union_by_name = true)` : `SELECT ${factColumns} WHERE false`}`,
  );
  const probe = compileGoldAggregate(config, ctx, { incremental: { newFacts: NEW_FACTS, previous: PREVIOUS } });
  const partitions = probe.affectedPartitionsSql
    ? (await session.all(probe.affectedPartitionsSql)).rows.map((r) => (r.partition === null ? null : String(r.partition)))
    : [];
  env.log.info(`incremental refresh of ${tableName(target)}: ${added.length} new fact file(s), ${partitions.length} time bucket(s) recomputed`, {
    partitions: partitions.slice(0, 50),
  });
  return compileGoldAggregate(config, ctx, { incremental: { newFacts: NEW_FACTS, previous: PREVIOUS, partitions } });
}

async function basisOf(pool: Pool, assetId: string, snapshotId: string): Promise<GoldRefreshBasis | undefined> {
  const { rows } = await pool.query<{ fingerprint: string; snapshots: Record<string, string> }>(
    `SELECT fingerprint, snapshots FROM ff_transformation.gold_refreshes WHERE asset_id = $1 AND snapshot_id = $2`,
    [assetId, snapshotId],
  );
  return rows[0] ? { fingerprint: rows[0].fingerprint, snapshots: rows[0].snapshots } : undefined;
}

async function recordBasis(pool: Pool, assetId: string, snapshotId: string, basis: GoldRefreshBasis): Promise<void> {
  await pool.query(
    `INSERT INTO ff_transformation.gold_refreshes (asset_id, snapshot_id, fingerprint, snapshots) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (asset_id) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id, fingerprint = EXCLUDED.fingerprint, snapshots = EXCLUDED.snapshots, updated_at = now()`,
    [assetId, snapshotId, basis.fingerprint, JSON.stringify(basis.snapshots)],
  );
}
