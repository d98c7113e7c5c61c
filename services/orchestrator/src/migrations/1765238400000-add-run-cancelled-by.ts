import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who cancelled a run (a user name or `token:<name>`, as requested_by); null when nobody did. */
export class AddRunCancelledBy1765238400000 implements MigrationInterface {
  name = 'AddRunCancelledBy1765238400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_orchestrator"."runs" ADD COLUMN cancelled_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_orchestrator"."runs" DROP COLUMN IF EXISTS cancelled_by`);
  }
}
