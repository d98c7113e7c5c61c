import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The files `ingest.file` has loaded into each table, so a later run skips them (unless `reprocess`).
 * A file is identified by its connection, path, size and version (ETag when the location has one, else
 * its modification time): the same path rewritten is a new file. Replaces the placeholder source_cursors.
 */
export class IngestedFiles1766448000000 implements MigrationInterface {
  name = 'IngestedFiles1766448000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_ingestion"."source_cursors"`);
    await q.query(`CREATE TABLE "ff_ingestion"."ingested_files" (
      target text NOT NULL,
      connection text NOT NULL,
      path text NOT NULL,
      size bigint NOT NULL DEFAULT -1,
      version text NOT NULL DEFAULT '',
      etag text,
      modified_at text,
      asset_id uuid NOT NULL,
      snapshot_id uuid NOT NULL,
      run_id text NOT NULL,
      step_id text NOT NULL,
      attempt int NOT NULL,
      rows bigint NOT NULL,
      rejected bigint NOT NULL,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (target, connection, path, size, version)
    )`);
    await q.query(`COMMENT ON TABLE "ff_ingestion"."ingested_files" IS 'files ingest.file loaded, per target table (bronze/<namespace>/<table>)'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_ingestion"."ingested_files"`);
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_ingestion"."source_cursors" (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
  }
}
