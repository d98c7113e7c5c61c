import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Named calendars of excluded dates (holidays), shared by schedules. A schedule names its calendars and
 * keeps their dates' union in `calendar_dates` — rewritten in the transaction of every change of the schedule
 * or of one of its calendars — so the fire loop reads one row per schedule, as before.
 */
export class Calendars1767312000000 implements MigrationInterface {
  name = 'Calendars1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "ff_scheduler"."calendars" (
      name text PRIMARY KEY,
      description text,
      dates text[] NOT NULL DEFAULT '{}',
      created_by text NOT NULL,
      updated_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `ALTER TABLE "ff_scheduler"."schedules" ADD COLUMN calendars text[] NOT NULL DEFAULT '{}', ADD COLUMN calendar_dates text[] NOT NULL DEFAULT '{}'`,
    );
    await q.query(`CREATE INDEX schedules_calendars ON "ff_scheduler"."schedules" USING gin (calendars)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_scheduler"."schedules" DROP COLUMN IF EXISTS calendars, DROP COLUMN IF EXISTS calendar_dates`);
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."calendars"`);
  }
}
