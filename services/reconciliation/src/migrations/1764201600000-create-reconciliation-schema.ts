import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_reconciliation: the service's schema exists and says which service owns it. The
 * `reconciliations` table is a placeholder the reconciliation issue replaces with the real model.
 */
export class CreateReconciliationSchema1764201600000 implements MigrationInterface {
  name = 'CreateReconciliationSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_reconciliation"."reconciliations" (
      id uuid PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_reconciliation" IS 'owned by the reconciliation service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_reconciliation"."reconciliations"`);
  }
}
