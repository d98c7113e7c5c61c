import type { MigrationInterface, QueryRunner } from 'typeorm';

const S = '"ff_auth"';

/**
 * The revocation list gateways read, apart from the sessions themselves: deleting a user cascades its
 * session rows away, and a revocation kept only on those rows vanished with them (the deleted user's
 * access tokens stayed valid until they expired). A row lives until every access token of its session
 * has expired (`forget_at`); it has no foreign key on purpose.
 */
export class SessionRevocations1796522400000 implements MigrationInterface {
  name = 'SessionRevocations1796522400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${S}."session_revocations" (
      session_id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      reason text NOT NULL,
      revoked_at timestamptz NOT NULL DEFAULT now(),
      forget_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX session_revocations_forget_idx ON ${S}."session_revocations" (forget_at)`);
    // Revocations made before this migration whose access tokens may still be live (the longest access
    // token lifetime the config allows is an hour).
    await q.query(`INSERT INTO ${S}."session_revocations" (session_id, user_id, reason, revoked_at, forget_at)
      SELECT id, user_id, coalesce(revoked_reason, 'revoked'), revoked_at, revoked_at + interval '1 hour 1 minute'
        FROM ${S}."sessions" WHERE revoked_at > now() - interval '1 hour 1 minute'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS ${S}."session_revocations"`);
  }
}
