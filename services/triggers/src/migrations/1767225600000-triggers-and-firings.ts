import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trigger model (services/triggers/README.md): triggers replace the placeholder table, each firing is
 * recorded (its dedup key unique per trigger), pull sources are leased to one replica at a time, and the
 * file-arrival source remembers the files it fired for.
 */
export class TriggersAndFirings1767225600000 implements MigrationInterface {
  name = 'TriggersAndFirings1767225600000';

  async up(q: QueryRunner): Promise<void> {
    // The placeholder of the first migration never held a row.
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."triggers"`);
    await q.query(`CREATE TABLE "ff_triggers"."triggers" (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      description text,
      workflow text NOT NULL,
      type text NOT NULL,
      config jsonb NOT NULL,
      -- { field: { keyId, iv, tag, data } } (base64), sealed with the triggers key: never answered
      secrets jsonb NOT NULL DEFAULT '{}'::jsonb,
      params jsonb NOT NULL DEFAULT '{}'::jsonb,
      enabled boolean NOT NULL DEFAULT true,
      -- Bumped on every edit: the runtime restarts a source whose version changed.
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      created_by text,
      updated_by text
    )`);
    await q.query(`CREATE TABLE "ff_triggers"."firings" (
      id uuid PRIMARY KEY,
      trigger_id uuid NOT NULL REFERENCES "ff_triggers"."triggers"(id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      payload_digest text NOT NULL,
      dedup_key text,
      matched boolean NOT NULL,
      reason text NOT NULL,
      params jsonb,
      run_id uuid,
      CONSTRAINT firings_dedup UNIQUE (trigger_id, dedup_key)
    )`);
    await q.query(`CREATE INDEX firings_by_trigger ON "ff_triggers"."firings" (trigger_id, at DESC, id DESC)`);
    await q.query(`CREATE TABLE "ff_triggers"."leases" (
      trigger_id uuid PRIMARY KEY REFERENCES "ff_triggers"."triggers"(id) ON DELETE CASCADE,
      owner text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "ff_triggers"."file_arrivals" (
      trigger_id uuid NOT NULL REFERENCES "ff_triggers"."triggers"(id) ON DELETE CASCADE,
      file_key text NOT NULL,
      firing_id uuid,
      at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (trigger_id, file_key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."file_arrivals"`);
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."leases"`);
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."firings"`);
    await q.query(`DROP TABLE IF EXISTS "ff_triggers"."triggers"`);
    await q.query(`CREATE TABLE IF NOT EXISTS "ff_triggers"."triggers" (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
  }
}
