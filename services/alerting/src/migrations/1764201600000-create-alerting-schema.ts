import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_alerting: the service's schema exists and says which service owns it. The
 * `alert_rules` table is a placeholder the alerting issue replaces with the real model.
 */
export class CreateAlertingSchema1764201600000 implements MigrationInterface {
  name = 'CreateAlertingSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_alerting"."alert_rules" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_alerting" IS 'owned by the alerting service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_alerting"."alert_rules"`);
  }
}
