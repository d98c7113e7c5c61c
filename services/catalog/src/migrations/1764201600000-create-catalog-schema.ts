import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_catalog: the service's schema exists and says which service owns it. The
 * `assets` table is a placeholder the catalog issue replaces with the real model.
 */
export class CreateCatalogSchema1764201600000 implements MigrationInterface {
  name = 'CreateCatalogSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_catalog"."assets" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_catalog" IS 'owned by the catalog service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_catalog"."assets"`);
  }
}
