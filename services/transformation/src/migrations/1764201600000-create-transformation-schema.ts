import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_transformation: the service's schema exists and says which service owns it. The
 * `transformation_jobs` table is a placeholder the transformation issue replaces with the real model.
 */
export class CreateTransformationSchema1764201600000 implements MigrationInterface {
  name = 'CreateTransformationSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_transformation"."transformation_jobs" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_transformation" IS 'owned by the transformation service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_transformation"."transformation_jobs"`);
  }
}
