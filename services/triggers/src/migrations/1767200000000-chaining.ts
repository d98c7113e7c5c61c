import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow chaining (services/triggers/src/chaining/README.md): what became of each upstream run per
 * trigger (the idempotency record and the "why"), the wait-for-all windows (one open per trigger, locked
 * by whoever adds to or settles it) and the chain depth of the runs chaining requested.
 */
export class Chaining1767200000000 implements MigrationInterface {
  name = 'Chaining1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "ff_triggers"."workflow_trigger_arrivals" (
      trigger_id text NOT NULL,
      upstream_run_id text NOT NULL,
      upstream_workflow text NOT NULL,
      run_state text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('pending', 'fired', 'not_matched', 'condition_false', 'chain_too_deep', 'waiting', 'superseded',
        'wait_fired', 'wait_timed_out_fired', 'wait_timed_out_skipped', 'wait_chain_too_deep', 'wait_abandoned')),
      reason text,
      wait_id uuid,
      firing_id text,
      fired_run_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (trigger_id, upstream_run_id)
    )`);
    await q.query(`CREATE INDEX workflow_trigger_arrivals_created ON "ff_triggers"."workflow_trigger_arrivals" (created_at)`);
    await q.query(`CREATE INDEX workflow_trigger_arrivals_wait ON "ff_triggers"."workflow_trigger_arrivals" (wait_id) WHERE wait_id IS NOT NULL`);
    await q.query(`CREATE TABLE "ff_triggers"."workflow_trigger_waits" (
      id uuid PRIMARY KEY,
      trigger_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('open', 'fired', 'timed_out_fired', 'timed_out_skipped', 'chain_too_deep', 'abandoned')),
      upstream text[] NOT NULL,
      arrivals jsonb NOT NULL DEFAULT '{}'::jsonb,
      opened_at timestamptz NOT NULL,
      deadline_at timestamptz NOT NULL,
      closed_at timestamptz,
      reason text,
      dedup_key text,
      firing_id text,
      fired_run_id text
    )`);
    // One open window per trigger: two replicas receiving the first two upstream runs at once meet here.
    await q.query(`CREATE UNIQUE INDEX workflow_trigger_waits_open ON "ff_triggers"."workflow_trigger_waits" (trigger_id) WHERE state = 'open'`);
    await q.query(`CREATE INDEX workflow_trigger_waits_deadline ON "ff_triggers"."workflow_trigger_waits" (deadline_at) WHERE state = 'open'`);
    await q.query(`CREATE INDEX workflow_trigger_waits_closed ON "ff_triggers"."workflow_trigger_waits" (closed_at) WHERE state <> 'open'`);
    await q.query(`CREATE TABLE "ff_triggers"."workflow_chain_runs" (
      run_id text PRIMARY KEY,
      depth integer NOT NULL CHECK (depth > 0),
      trigger_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX workflow_chain_runs_created ON "ff_triggers"."workflow_chain_runs" (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."workflow_chain_runs"`);
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."workflow_trigger_waits"`);
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."workflow_trigger_arrivals"`);
  }
}
