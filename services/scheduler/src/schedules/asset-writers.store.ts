import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';

/** One asset a workflow wrote, as `workflow_assets` keeps it. */
export interface AssetWrite {
  workflow: string;
  assetId: string;
  layer: string;
  namespace: string;
  table: string;
  writtenAt: Date;
  runId: string;
}

/**
 * Another workflow (`other`) writing assets `workflow` writes too: the first few of those assets as
 * `layer.namespace.table` (by name) and how many there are.
 */
export interface CoWriter {
  workflow: string;
  other: string;
  assets: string[];
  count: number;
}

/** Assets named per co-writer pair at most (the count says how many there are). */
export const CO_WRITER_ASSETS_NAMED = 3;

/** An active run of a workflow: from a schedule's fire (`schedule` its name) or from elsewhere (`schedule` null). */
export interface ActiveRun {
  workflow: string;
  schedule: string | null;
  runId: string;
}

/** Longest id or name part kept from an event (longer ones are not recorded: they are no identifiers of ours). */
export const MAX_EVENT_TEXT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A run id the scheduler can record (runs and fires key on uuid). */
export function isRunId(v: string | null | undefined): v is string {
  return typeof v === 'string' && UUID.test(v);
}

/** A text an event carries that may be stored: non-empty, bounded, no NUL byte (PostgreSQL refuses it in text). */
export function isStorableText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_EVENT_TEXT && !v.includes('\u0000');
}

const ASSETS = '"ff_scheduler"."workflow_assets"';
const RUNS = '"ff_scheduler"."runs"';
const ACTIVE_STATES = `('queued', 'running')`;
/** Per (workflow of $1, another workflow) that both wrote assets: the first assets by name and their count, in order. */
const CO_WRITERS_SQL = `SELECT m.workflow, o.workflow AS other,
    (array_agg(m.layer || '.' || m.namespace || '.' || m.table_name ORDER BY m.layer, m.namespace, m.table_name))[1:${CO_WRITER_ASSETS_NAMED}] AS assets,
    count(*)::int AS count
  FROM ${ASSETS} m JOIN ${ASSETS} o ON o.asset_id = m.asset_id AND o.workflow <> m.workflow
  WHERE m.workflow = ANY($1::text[])
  GROUP BY m.workflow, o.workflow
  ORDER BY m.workflow, o.workflow`;

/**
 * ff_scheduler.workflow_assets and ff_scheduler.runs: which workflows write which lake assets, and which
 * runs (of any origin) belong to which workflow and are active. Read by the conflict warnings (PUT/GET of a
 * schedule, the fire loop); written by the asset-committed and run-state listeners.
 */
@Injectable()
export class AssetWriterStore {
  /** Records a run's workflow and state; a finished run is never moved back by a late event. */
  async recordRun(q: Queryable, runId: string, workflow: string, state: string, at: Date): Promise<void> {
    await q.query(
      `INSERT INTO ${RUNS} (run_id, workflow, state, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
         WHERE ${RUNS}.state IN ${ACTIVE_STATES}`,
      [runId, workflow, state, at],
    );
  }

  /**
   * The workflow of a run: as run.state-changed reported it, else the workflow of the schedule whose fire
   * requested it (a run the scheduler requested whose first state has not arrived yet); null when unknown.
   */
  async workflowOfRun(q: Queryable, runId: string): Promise<string | null> {
    const { rows } = await q.query<{ workflow: string }>(
      `SELECT workflow FROM ${RUNS} WHERE run_id = $1
       UNION ALL
       SELECT s.workflow FROM "ff_scheduler"."fires" f JOIN "ff_scheduler"."schedules" s ON s.id = f.schedule_id WHERE f.run_id = $1
       LIMIT 1`,
      [runId],
    );
    return rows[0]?.workflow ?? null;
  }

  /** Upserts the one row of (workflow, asset): the newest write wins, an older one redelivered or late changes nothing. */
  async recordWrite(q: Queryable, w: AssetWrite): Promise<void> {
    await q.query(
      `INSERT INTO ${ASSETS} AS a (workflow, asset_id, layer, namespace, table_name, last_written_at, last_run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workflow, asset_id) DO UPDATE
         SET layer = EXCLUDED.layer, namespace = EXCLUDED.namespace, table_name = EXCLUDED.table_name,
             last_written_at = EXCLUDED.last_written_at, last_run_id = EXCLUDED.last_run_id
         WHERE EXCLUDED.last_written_at >= a.last_written_at`,
      [w.workflow, w.assetId, w.layer, w.namespace, w.table, w.writtenAt, w.runId],
    );
  }

  /** Per (workflow of `workflows`, another workflow) that both wrote assets: the first assets by name and their count; ordered, at most `limit` pairs. */
  async coWriters(q: Queryable, workflows: string[], limit: number): Promise<CoWriter[]> {
    if (!workflows.length) return [];
    const { rows } = await q.query<CoWriter & Record<string, unknown>>(`${CO_WRITERS_SQL} LIMIT $2`, [workflows, limit]);
    return rows;
  }

  /**
   * Active runs of these workflows: the scheduler's own (a fired fire whose run has not ended, named by its
   * schedule) and the others run.state-changed reported queued or running. One row per run, at most `limit`.
   * The workflows are a parameter (not a join against the co-writers' query): the plan stays a hash of the
   * list whatever the planner believes of the fires' size.
   */
  async activeRuns(q: Queryable, workflows: string[], limit: number): Promise<ActiveRun[]> {
    if (!workflows.length) return [];
    const { rows } = await q.query<{ workflow: string; schedule: string | null; run_id: string }>(
      `SELECT DISTINCT ON (run_id) workflow, schedule, run_id FROM (
         SELECT s.workflow, s.name AS schedule, f.run_id, 0 AS pref FROM "ff_scheduler"."fires" f JOIN "ff_scheduler"."schedules" s ON s.id = f.schedule_id
          WHERE s.workflow = ANY($1::text[]) AND f.outcome = 'fired' AND (f.run_state IS NULL OR f.run_state IN ${ACTIVE_STATES})
         UNION ALL
         SELECT workflow, NULL, run_id, 1 FROM ${RUNS} WHERE workflow = ANY($1::text[]) AND state IN ${ACTIVE_STATES}
       ) a ORDER BY run_id, pref LIMIT $2`,
      [workflows, limit],
    );
    return rows.map((r) => ({ workflow: r.workflow, schedule: r.schedule, runId: r.run_id }));
  }

  /** Retention: finished runs older than `runsBefore`, writers that have not written an asset since `assetsBefore` (null: kept). */
  async prune(q: Queryable, runsBefore: Date, assetsBefore: Date | null, limit: number): Promise<{ runs: number; assets: number }> {
    const runs = await q.query(
      `DELETE FROM ${RUNS} WHERE run_id IN (SELECT run_id FROM ${RUNS} WHERE state NOT IN ${ACTIVE_STATES} AND updated_at < $1 LIMIT $2)`,
      [runsBefore, limit],
    );
    const assets = assetsBefore
      ? await q.query(`DELETE FROM ${ASSETS} WHERE (workflow, asset_id) IN (SELECT workflow, asset_id FROM ${ASSETS} WHERE last_written_at < $1 LIMIT $2)`, [
          assetsBefore,
          limit,
        ])
      : null;
    return { runs: runs.rowCount ?? 0, assets: assets?.rowCount ?? 0 };
  }
}
