import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_triggers: the service's schema exists and says which service owns it. The
 * `triggers` table is a placeholder the triggers issue replaces with the real model.
 */
export class CreateTriggersSchema1764201600000 implements MigrationInterface {
  name = 'CreateTriggersSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_triggers"."triggers" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_triggers" IS 'owned by the triggers service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."triggers"`);
  }
}
