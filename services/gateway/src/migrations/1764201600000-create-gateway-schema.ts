import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_gateway: the service's schema exists and says which service owns it. The
 * `api_clients` table is a placeholder the gateway issue replaces with the real model.
 */
export class CreateGatewaySchema1764201600000 implements MigrationInterface {
  name = 'CreateGatewaySchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_gateway"."api_clients" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_gateway" IS 'owned by the gateway service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_gateway"."api_clients"`);
  }
}
