import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_auth: the service's schema exists and says which service owns it. The
 * `accounts` table is a placeholder the auth issue replaces with the real model.
 */
export class CreateAuthSchema1764201600000 implements MigrationInterface {
  name = 'CreateAuthSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_auth"."accounts" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_auth" IS 'owned by the auth service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_auth"."accounts"`);
  }
}
