import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_scheduler: the service's schema exists and says which service owns it. The
 * `schedules` table is a placeholder the scheduler issue replaces with the real model.
 */
export class CreateSchedulerSchema1764201600000 implements MigrationInterface {
  name = 'CreateSchedulerSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_scheduler"."schedules" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_scheduler" IS 'owned by the scheduler service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."schedules"`);
  }
}
