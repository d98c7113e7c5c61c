import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog's model: connections with their encrypted secrets, and lake tables (assets) with
 * committed snapshots, their files and the schema history. Replaces the placeholder `assets` table of
 * the first migration (it never held data).
 */
export class ConnectionsAndAssets1766016000000 implements MigrationInterface {
  name = 'ConnectionsAndAssets1766016000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."assets"`);
    await q.query(`CREATE TABLE "ff_catalog"."connections" (
      id uuid PRIMARY KEY,
      name text NOT NULL CONSTRAINT connections_name_key UNIQUE,
      type text NOT NULL CHECK (type IN ('postgres', 'mysql', 's3', 'local', 'sftp', 'http', 'kafka')),
      description text,
      config jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // One row per secret field; the key id lives with the ciphertext so a rotation can find each key.
    await q.query(`CREATE TABLE "ff_catalog"."connection_secrets" (
      connection_id uuid NOT NULL REFERENCES "ff_catalog"."connections"(id) ON DELETE CASCADE,
      field text NOT NULL,
      key_id text NOT NULL,
      iv bytea NOT NULL,
      auth_tag bytea NOT NULL,
      ciphertext bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, field)
    )`);
    await q.query(`CREATE INDEX connection_secrets_key_id_idx ON "ff_catalog"."connection_secrets" (key_id)`);

    await q.query(`CREATE TABLE "ff_catalog"."assets" (
      id uuid PRIMARY KEY,
      layer text NOT NULL CHECK (layer IN ('bronze', 'silver', 'gold')),
      namespace text NOT NULL,
      name text NOT NULL,
      current_snapshot_id uuid,
      retention_keep_last integer CHECK (retention_keep_last >= 1),
      retention_max_age_seconds bigint CHECK (retention_max_age_seconds >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT assets_table_key UNIQUE (layer, namespace, name)
    )`);
    await q.query(`CREATE TABLE "ff_catalog"."snapshots" (
      id uuid PRIMARY KEY,
      asset_id uuid NOT NULL REFERENCES "ff_catalog"."assets"(id) ON DELETE CASCADE,
      sequence integer NOT NULL,
      parent_snapshot_id uuid,
      operation text NOT NULL CHECK (operation IN ('overwrite', 'append')),
      row_count bigint NOT NULL,
      file_count integer NOT NULL,
      total_bytes bigint NOT NULL,
      schema jsonb NOT NULL,
      schema_version integer NOT NULL,
      stats jsonb NOT NULL,
      run_id text,
      idempotency_key text NOT NULL,
      committed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT snapshots_sequence_key UNIQUE (asset_id, sequence),
      CONSTRAINT snapshots_idempotency_key UNIQUE (asset_id, idempotency_key)
    )`);
    await q.query(`ALTER TABLE "ff_catalog"."assets" ADD CONSTRAINT assets_current_snapshot_fk
      FOREIGN KEY (current_snapshot_id) REFERENCES "ff_catalog"."snapshots"(id)`);
    await q.query(`CREATE TABLE "ff_catalog"."snapshot_files" (
      snapshot_id uuid NOT NULL REFERENCES "ff_catalog"."snapshots"(id) ON DELETE CASCADE,
      ordinal integer NOT NULL,
      path text NOT NULL,
      attempt_id text NOT NULL,
      row_count bigint NOT NULL,
      bytes bigint NOT NULL,
      PRIMARY KEY (snapshot_id, ordinal),
      CONSTRAINT snapshot_files_path_key UNIQUE (snapshot_id, path)
    )`);
    await q.query(`CREATE INDEX snapshot_files_path_idx ON "ff_catalog"."snapshot_files" (path)`);
    // No foreign key to snapshots: the history outlives the snapshots retention removes.
    await q.query(`CREATE TABLE "ff_catalog"."schema_versions" (
      asset_id uuid NOT NULL REFERENCES "ff_catalog"."assets"(id) ON DELETE CASCADE,
      version integer NOT NULL,
      schema jsonb NOT NULL,
      changes jsonb NOT NULL,
      introduced_by_snapshot_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (asset_id, version)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."schema_versions"`);
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."snapshot_files"`);
    await q.query(`ALTER TABLE IF EXISTS "ff_catalog"."assets" DROP CONSTRAINT IF EXISTS assets_current_snapshot_fk`);
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."snapshots"`);
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."assets"`);
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."connection_secrets"`);
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."connections"`);
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_catalog"."assets" (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
  }
}
