import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest progress an executor reported for a step's current attempt (`StepProgress`: percent,
 * message, metrics such as rows and bytes), shown in the run's views and its live stream.
 */
export class AddStepProgress1767052800000 implements MigrationInterface {
  name = 'AddStepProgress1767052800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_orchestrator"."run_steps" ADD COLUMN progress jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_orchestrator"."run_steps" DROP COLUMN IF EXISTS progress`);
  }
}
