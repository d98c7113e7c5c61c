import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_quality: the service's schema exists and says which service owns it. The
 * `rules` table is a placeholder the quality issue replaces with the real model.
 */
export class CreateQualitySchema1764201600000 implements MigrationInterface {
  name = 'CreateQualitySchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_quality"."rules" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_quality" IS 'owned by the quality service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_quality"."rules"`);
  }
}
