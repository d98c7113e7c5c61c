import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scheduler's model: schedules (cron in an IANA zone, policies, the next fire time) and fires (one
 * row per schedule and fire time: fired, skipped or buffered, with the run it requested). The unique
 * (schedule_id, fire_time, kind) row is what makes a fire time fire once whatever the replicas do: it
 * commits with the RunRequested event and the schedule's advanced next_fire_at, or none of them does.
 * Replaces the placeholder `schedules` table of the first migration (it never held rows).
 */
export class SchedulesAndFires1767225600000 implements MigrationInterface {
  name = 'SchedulesAndFires1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."schedules"`);
    await q.query(`CREATE TABLE "ff_scheduler"."schedules" (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      workflow text NOT NULL,
      workflow_version int,
      description text,
      cron text NOT NULL,
      preset jsonb,
      timezone text NOT NULL,
      params jsonb NOT NULL DEFAULT '{}',
      paused boolean NOT NULL DEFAULT false,
      pause_note text,
      paused_at timestamptz,
      paused_by text,
      auto_pause_after_failures int CHECK (auto_pause_after_failures BETWEEN 1 AND 1000),
      consecutive_failures int NOT NULL DEFAULT 0,
      catchup text NOT NULL CHECK (catchup IN ('none', 'latest', 'all')),
      catchup_cap int NOT NULL CHECK (catchup_cap BETWEEN 1 AND 1000),
      jitter_ms int NOT NULL DEFAULT 0 CHECK (jitter_ms BETWEEN 0 AND 3600000),
      excluded_dates text[] NOT NULL DEFAULT '{}',
      overlap text NOT NULL CHECK (overlap IN ('skip', 'buffer_one', 'buffer_all', 'cancel_running', 'allow')),
      next_fire_at timestamptz,
      next_due_at timestamptz,
      created_by text NOT NULL,
      updated_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // The fire loop's claim: due schedules in (due, id) order, read off the index without a sort of every due row.
    await q.query(`CREATE INDEX schedules_due ON "ff_scheduler"."schedules" (next_due_at, id) WHERE next_due_at IS NOT NULL`);
    // Overlap and conflict warnings read the active runs of a batch's workflows.
    await q.query(`CREATE INDEX schedules_workflow ON "ff_scheduler"."schedules" (workflow)`);
    await q.query(`CREATE TABLE "ff_scheduler"."fires" (
      id bigserial PRIMARY KEY,
      schedule_id uuid NOT NULL REFERENCES "ff_scheduler"."schedules"(id) ON DELETE CASCADE,
      fire_time timestamptz NOT NULL,
      kind text NOT NULL CHECK (kind IN ('schedule', 'backfill')),
      outcome text NOT NULL CHECK (outcome IN ('fired', 'skipped', 'buffered')),
      reason text,
      run_id uuid,
      run_state text,
      run_reason text,
      warning text,
      requested_at timestamptz,
      decided_at timestamptz NOT NULL,
      UNIQUE (schedule_id, fire_time, kind)
    )`);
    await q.query(`CREATE UNIQUE INDEX fires_run ON "ff_scheduler"."fires" (run_id) WHERE run_id IS NOT NULL`);
    // The history (newest first) reads the unique index backwards: no index of its own to maintain per fire.
    // Runs of a schedule still active (requested, queued, running) and fires waiting: what overlap looks at.
    await q.query(
      `CREATE INDEX fires_open ON "ff_scheduler"."fires" (schedule_id, fire_time)
         WHERE outcome = 'buffered' OR (outcome = 'fired' AND (run_state IS NULL OR run_state IN ('queued', 'running')))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."fires"`);
    await q.query(`DROP TABLE IF EXISTS "ff_scheduler"."schedules"`);
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_scheduler"."schedules" (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
  }
}
