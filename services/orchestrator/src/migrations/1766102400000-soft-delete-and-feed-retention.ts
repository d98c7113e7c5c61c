import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Soft delete of jobs and workflows, and the retention mark of the run feed (`runs.feed_pruned_at`: the
 * run's logs and transitions were deleted by FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS).
 *
 * Soft delete of jobs and workflows: every version of a deleted name gets `deleted_at` (rows stay, so
 * finished runs keep their pinned versions and the audit trail its references). The primary key stays
 * (name, version): a name created again continues after its highest version, deleted ones included, so
 * old runs still point at the exact rows they ran. A run can only be inserted against versions that are
 * not deleted: the trigger closes the race where a run creation read the workflow (or job) just before
 * a concurrent delete committed (the delete locks `runs`, so the insert sees the committed delete).
 */
export class SoftDeleteAndFeedRetention1766102400000 implements MigrationInterface {
  name = 'SoftDeleteAndFeedRetention1766102400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_orchestrator"."jobs" ADD COLUMN deleted_at timestamptz`);
    await q.query(`ALTER TABLE "ff_orchestrator"."workflows" ADD COLUMN deleted_at timestamptz`);
    // Lists and "latest" read live rows only.
    await q.query(`CREATE INDEX jobs_live ON "ff_orchestrator"."jobs" (name, version DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX workflows_live ON "ff_orchestrator"."workflows" (name, version DESC) WHERE deleted_at IS NULL`);
    // Retention of the run feed: finished runs whose logs and transitions are not pruned yet, oldest first.
    await q.query(`ALTER TABLE "ff_orchestrator"."runs" ADD COLUMN feed_pruned_at timestamptz`);
    await q.query(`CREATE INDEX runs_feed_unpruned ON "ff_orchestrator"."runs" (finished_at) WHERE finished_at IS NOT NULL AND feed_pruned_at IS NULL`);
    await q.query(`CREATE FUNCTION "ff_orchestrator".refuse_run_of_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE gone text;
      BEGIN
        IF EXISTS (SELECT 1 FROM "ff_orchestrator".workflows
                   WHERE name = NEW.workflow_name AND version = NEW.workflow_version AND deleted_at IS NOT NULL) THEN
          RAISE EXCEPTION 'FF_WORKFLOW_NOT_FOUND: workflow "%" was deleted', NEW.workflow_name USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT j.name INTO gone FROM jsonb_array_elements(NEW.spec -> 'steps') s
          JOIN "ff_orchestrator".jobs j ON j.name = s ->> 'job' AND j.version = (s ->> 'jobVersion')::int
          WHERE j.deleted_at IS NOT NULL LIMIT 1;
        IF gone IS NOT NULL THEN
          RAISE EXCEPTION 'FF_JOB_NOT_FOUND: job "%" was deleted', gone USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER runs_of_live_definitions BEFORE INSERT ON "ff_orchestrator"."runs"
      FOR EACH ROW EXECUTE FUNCTION "ff_orchestrator".refuse_run_of_deleted()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS runs_of_live_definitions ON "ff_orchestrator"."runs"`);
    await q.query(`DROP FUNCTION IF EXISTS "ff_orchestrator".refuse_run_of_deleted()`);
    await q.query(`DROP INDEX IF EXISTS "ff_orchestrator"."runs_feed_unpruned"`);
    await q.query(`ALTER TABLE "ff_orchestrator"."runs" DROP COLUMN IF EXISTS feed_pruned_at`);
    await q.query(`DROP INDEX IF EXISTS "ff_orchestrator"."workflows_live"`);
    await q.query(`DROP INDEX IF EXISTS "ff_orchestrator"."jobs_live"`);
    await q.query(`ALTER TABLE "ff_orchestrator"."workflows" DROP COLUMN IF EXISTS deleted_at`);
    await q.query(`ALTER TABLE "ff_orchestrator"."jobs" DROP COLUMN IF EXISTS deleted_at`);
  }
}
