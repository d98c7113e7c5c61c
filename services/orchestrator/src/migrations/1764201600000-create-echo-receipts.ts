import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * First migration of ff_orchestrator: receipts of `system.echo-requested`, the end-to-end proof that an
 * event published by the gateway reached the orchestrator through the bus.
 */
export class CreateEchoReceipts1764201600000 implements MigrationInterface {
  name = 'CreateEchoReceipts1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "ff_orchestrator"."echo_receipts" (
      echo_id       uuid PRIMARY KEY,
      event_id      uuid NOT NULL,
      message       text NOT NULL,
      handled_count integer NOT NULL DEFAULT 1,
      handled_at    timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`COMMENT ON SCHEMA "ff_orchestrator" IS 'owned by the orchestrator service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_orchestrator"."echo_receipts"`);
  }
}
