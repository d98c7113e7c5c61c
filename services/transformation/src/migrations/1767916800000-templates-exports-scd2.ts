import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transformation service's own records (issue 14), replacing the placeholder table:
 * - `sql_templates`: saved custom-SQL templates (name, SQL text, declared parameters), versioned by edit;
 * - `export_history`: every export to a destination (what snapshot, full or incremental, rows, outcome) —
 *   an incremental export starts from the last successful one of the same destination;
 * - `scd2_tables`: the validity columns of each SCD2 dimension the service wrote (the as-of query reads them);
 * - `gold_refreshes`: what each gold.aggregate refresh was computed from (config fingerprint, input snapshots):
 *   the basis an incremental refresh builds on.
 */
export class TemplatesExportsScd21767916800000 implements MigrationInterface {
  name = 'TemplatesExportsScd21767916800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_transformation"."transformation_jobs"`);
    await q.query(`CREATE TABLE "ff_transformation"."sql_templates" (
      name text PRIMARY KEY,
      description text NOT NULL DEFAULT '',
      sql text NOT NULL,
      params jsonb NOT NULL DEFAULT '{}'::jsonb,
      version integer NOT NULL DEFAULT 1,
      created_by text,
      updated_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "ff_transformation"."export_history" (
      id uuid PRIMARY KEY,
      destination text NOT NULL,
      source_asset_id uuid NOT NULL,
      source_table text NOT NULL,
      snapshot_id uuid NOT NULL,
      since_snapshot_id uuid,
      mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
      rows bigint NOT NULL DEFAULT 0,
      status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
      error text,
      run_id text,
      step_id text,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX export_history_destination_idx ON "ff_transformation"."export_history" (destination, finished_at DESC)`);
    await q.query(`CREATE TABLE "ff_transformation"."scd2_tables" (
      asset_id uuid PRIMARY KEY,
      table_name text NOT NULL,
      columns jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "ff_transformation"."gold_refreshes" (
      asset_id uuid PRIMARY KEY,
      snapshot_id uuid NOT NULL,
      fingerprint text NOT NULL,
      snapshots jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_transformation"."gold_refreshes"`);
    await q.query(`DROP TABLE IF EXISTS "ff_transformation"."scd2_tables"`);
    await q.query(`DROP TABLE IF EXISTS "ff_transformation"."export_history"`);
    await q.query(`DROP TABLE IF EXISTS "ff_transformation"."sql_templates"`);
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_transformation"."transformation_jobs" (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
  }
}
