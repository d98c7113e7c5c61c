import type { MigrationInterface, QueryRunner } from 'typeorm';

const RUN_STATES = `'queued','running','succeeded','failed','cancelled','timed_out'`;
const STEP_STATES = `'pending','queued','running','retrying','succeeded','failed','skipped','upstream_failed','cancelled','timed_out'`;
const ATTEMPT_STATES = `'dispatched','running','succeeded','failed','timed_out','lost','cancelled'`;

/**
 * The run engine (issue 5): job types announced by executors, versioned jobs and workflows (rows are
 * immutable; an edit inserts the next version), runs with their steps and attempts, the run feed
 * (state transitions and log lines, read by the SSE stream with a per-run cursor).
 */
export class CreateRunEngine1764892800000 implements MigrationInterface {
  name = 'CreateRunEngine1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "ff_orchestrator"."job_types" (
      type          text PRIMARY KEY,
      executor      text NOT NULL,
      version       integer NOT NULL,
      config_schema jsonb NOT NULL,
      description   text,
      instance_id   text NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE TABLE "ff_orchestrator"."jobs" (
      name        text NOT NULL,
      version     integer NOT NULL CHECK (version > 0),
      type        text NOT NULL,
      description text,
      config      jsonb NOT NULL,
      spec_hash   text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`);

    await q.query(`CREATE TABLE "ff_orchestrator"."workflows" (
      name        text NOT NULL,
      version     integer NOT NULL CHECK (version > 0),
      spec        jsonb NOT NULL,
      spec_hash   text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`);

    await q.query(`CREATE TABLE "ff_orchestrator"."runs" (
      id               uuid PRIMARY KEY,
      seq              bigserial NOT NULL UNIQUE,
      workflow_name    text NOT NULL,
      workflow_version integer NOT NULL,
      spec             jsonb NOT NULL,
      params           jsonb NOT NULL,
      state            text NOT NULL CHECK (state IN (${RUN_STATES})),
      reason           text,
      idempotency_key  text,
      requested_by     text NOT NULL,
      parent_run_id    uuid REFERENCES "ff_orchestrator"."runs" (id),
      rerun_from       text,
      deadline_at      timestamptz,
      created_at       timestamptz NOT NULL DEFAULT now(),
      started_at       timestamptz,
      finished_at      timestamptz,
      updated_at       timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (workflow_name, workflow_version) REFERENCES "ff_orchestrator"."workflows" (name, version)
    )`);
    // Same key, same run — also for two requests racing: the loser's INSERT finds the winner's row.
    await q.query(`CREATE UNIQUE INDEX runs_idempotency_key ON "ff_orchestrator"."runs" (idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX runs_active ON "ff_orchestrator"."runs" (workflow_name, state, seq) WHERE state IN ('queued','running')`);
    await q.query(`CREATE INDEX runs_deadline ON "ff_orchestrator"."runs" (deadline_at) WHERE state = 'running' AND deadline_at IS NOT NULL`);
    await q.query(`CREATE INDEX runs_by_workflow ON "ff_orchestrator"."runs" (workflow_name, seq DESC)`);

    await q.query(`CREATE TABLE "ff_orchestrator"."run_steps" (
      run_id           uuid NOT NULL REFERENCES "ff_orchestrator"."runs" (id) ON DELETE CASCADE,
      step_id          text NOT NULL,
      position         integer NOT NULL,
      job_name         text NOT NULL,
      job_version      integer NOT NULL,
      job_type         text NOT NULL,
      executor         text NOT NULL,
      state            text NOT NULL CHECK (state IN (${STEP_STATES})),
      attempt          integer NOT NULL DEFAULT 0,
      failures         integer NOT NULL DEFAULT 0,
      lost_attempts    integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz,
      lease_expires_at timestamptz,
      deadline_at      timestamptz,
      wake_at          timestamptz,
      outputs          jsonb,
      error_code       text,
      error_message    text,
      reason           text,
      started_at       timestamptz,
      finished_at      timestamptz,
      updated_at       timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, step_id),
      FOREIGN KEY (job_name, job_version) REFERENCES "ff_orchestrator"."jobs" (name, version)
    )`);
    // The sweeper's work list: the earliest of lease expiry, step deadline and next retry.
    await q.query(`CREATE INDEX run_steps_wake ON "ff_orchestrator"."run_steps" (wake_at) WHERE wake_at IS NOT NULL`);

    await q.query(`CREATE TABLE "ff_orchestrator"."step_attempts" (
      run_id        uuid NOT NULL,
      step_id       text NOT NULL,
      attempt       integer NOT NULL CHECK (attempt > 0),
      state         text NOT NULL CHECK (state IN (${ATTEMPT_STATES})),
      executor      text NOT NULL,
      config        jsonb NOT NULL,
      instance_id   text,
      lease_ms      integer,
      dispatched_at timestamptz NOT NULL DEFAULT now(),
      started_at    timestamptz,
      finished_at   timestamptz,
      outputs       jsonb,
      metrics       jsonb,
      error_code    text,
      error_message text,
      PRIMARY KEY (run_id, step_id, attempt),
      FOREIGN KEY (run_id, step_id) REFERENCES "ff_orchestrator"."run_steps" (run_id, step_id) ON DELETE CASCADE
    )`);

    await q.query(`CREATE TABLE "ff_orchestrator"."run_transitions" (
      id         bigserial PRIMARY KEY,
      run_id     uuid NOT NULL REFERENCES "ff_orchestrator"."runs" (id) ON DELETE CASCADE,
      step_id    text,
      attempt    integer,
      from_state text,
      to_state   text NOT NULL,
      reason     text,
      at         timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    await q.query(`CREATE INDEX run_transitions_feed ON "ff_orchestrator"."run_transitions" (run_id, id)`);

    await q.query(`CREATE TABLE "ff_orchestrator"."run_logs" (
      id      bigserial PRIMARY KEY,
      run_id  uuid NOT NULL REFERENCES "ff_orchestrator"."runs" (id) ON DELETE CASCADE,
      step_id text NOT NULL,
      attempt integer NOT NULL,
      at      timestamptz NOT NULL,
      level   text NOT NULL CHECK (level IN ('debug','info','warn','error')),
      message text NOT NULL,
      fields  jsonb
    )`);
    await q.query(`CREATE INDEX run_logs_feed ON "ff_orchestrator"."run_logs" (run_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['run_logs', 'run_transitions', 'step_attempts', 'run_steps', 'runs', 'workflows', 'jobs', 'job_types']) {
      await q.query(`DROP TABLE IF EXISTS "ff_orchestrator"."${t}"`);
    }
  }
}
