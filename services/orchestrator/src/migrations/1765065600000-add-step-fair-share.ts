import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fair share of executor pools: a step the orchestrator holds back because its requester (or workflow)
 * already has its share of the pool out records since when (`held_at`), and the attempts out per
 * executor are counted on every dispatch (partial index: only queued/running steps).
 */
export class AddStepFairShare1765065600000 implements MigrationInterface {
  name = 'AddStepFairShare1765065600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_orchestrator"."run_steps" ADD COLUMN held_at timestamptz`);
    await q.query(`CREATE INDEX run_steps_held ON "ff_orchestrator"."run_steps" (held_at) WHERE held_at IS NOT NULL`);
    await q.query(`CREATE INDEX run_steps_out ON "ff_orchestrator"."run_steps" (executor) WHERE state IN ('queued','running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "ff_orchestrator"."run_steps_out"`);
    await q.query(`DROP INDEX IF EXISTS "ff_orchestrator"."run_steps_held"`);
    await q.query(`ALTER TABLE "ff_orchestrator"."run_steps" DROP COLUMN IF EXISTS held_at`);
  }
}
