import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_lineage: the service's schema exists and says which service owns it. The
 * `lineage_nodes` table is a placeholder the lineage issue replaces with the real model.
 */
export class CreateLineageSchema1764201600000 implements MigrationInterface {
  name = 'CreateLineageSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_lineage"."lineage_nodes" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_lineage" IS 'owned by the lineage service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_lineage"."lineage_nodes"`);
  }
}
