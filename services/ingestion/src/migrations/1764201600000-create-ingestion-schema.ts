import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_ingestion: the service's schema exists and says which service owns it. The
 * `source_cursors` table is a placeholder the ingestion issue replaces with the real model.
 */
export class CreateIngestionSchema1764201600000 implements MigrationInterface {
  name = 'CreateIngestionSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_ingestion"."source_cursors" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_ingestion" IS 'owned by the ingestion service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_ingestion"."source_cursors"`);
  }
}
