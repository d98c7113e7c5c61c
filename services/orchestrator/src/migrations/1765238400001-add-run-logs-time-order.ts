import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A run's log lines are read oldest first by timestamp (RunLogStore.pageByTime), not by arrival. */
export class AddRunLogsTimeOrder1765238400001 implements MigrationInterface {
  name = 'AddRunLogsTimeOrder1765238400001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX run_logs_time ON "ff_orchestrator"."run_logs" (run_id, at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "ff_orchestrator"."run_logs_time"`);
  }
}
