import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the scheduler learns about the lake, for conflict warnings between schedules of different workflows:
 * - `workflow_assets`: which workflow wrote which asset (from flowforge.asset.committed), one row per
 *   workflow × asset, upserted with the last write (bounded: FLOWFORGE_SCHEDULER_ASSET_DAYS prunes writers
 *   that stopped writing).
 * - `runs`: the workflow and last state of every run run.state-changed reported (not only the scheduler's
 *   own), so a commit of a run the scheduler did not request can be put to its workflow, and the fire loop
 *   sees the active runs of the other writers of an asset. Finished runs are pruned after a day.
 */
export class AssetWriters1767398400000 implements MigrationInterface {
  name = 'AssetWriters1767398400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "ff_scheduler"."workflow_assets" (
      workflow text NOT NULL,
      asset_id text NOT NULL,
      layer text NOT NULL,
      namespace text NOT NULL,
      table_name text NOT NULL,
      last_written_at timestamptz NOT NULL,
      last_run_id uuid NOT NULL,
      PRIMARY KEY (workflow, asset_id)
    )`);
    // The other writers of an asset (conflict warnings read the pairs from both sides).
    await q.query(`CREATE INDEX workflow_assets_asset ON "ff_scheduler"."workflow_assets" (asset_id, workflow)`);
    await q.query(`CREATE INDEX workflow_assets_written ON "ff_scheduler"."workflow_assets" (last_written_at)`);
    await q.query(`CREATE TABLE "ff_scheduler"."runs" (
      run_id uuid PRIMARY KEY,
      workflow text NOT NULL,
      state text NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX runs_active ON "ff_scheduler"."runs" (workflow) WHERE state IN ('queued', 'running')`);
    await q.query(`CREATE INDEX runs_finished ON "ff_scheduler"."runs" (updated_at) WHERE state NOT IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."runs"`);
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."workflow_assets"`);
  }
}
