import type { MigrationInterface, QueryRunner } from 'typeorm';

const S = '"ff_auth"';

/**
 * The identity model of the built-in issuer (local accounts, sessions, MFA, password resets), roles
 * and their permissions, API tokens, the issuer's signing keys, and the hash-chained audit log.
 * Replaces the placeholder `accounts` table of the first migration (it never held data).
 */
export class IdentityAndAudit1766102400000 implements MigrationInterface {
  name = 'IdentityAndAudit1766102400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS ${S}."accounts"`);

    await q.query(`CREATE TABLE ${S}."roles" (
      name text PRIMARY KEY,
      description text NOT NULL DEFAULT '',
      builtin boolean NOT NULL DEFAULT false,
      permissions text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE TABLE ${S}."users" (
      id uuid PRIMARY KEY,
      username text NOT NULL,
      email text,
      display_name text,
      password_hash text,
      password_changed_at timestamptz,
      must_change_password boolean NOT NULL DEFAULT false,
      roles text[] NOT NULL DEFAULT '{}',
      disabled boolean NOT NULL DEFAULT false,
      totp_secret text,
      totp_enabled boolean NOT NULL DEFAULT false,
      totp_last_counter bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON ${S}."users" (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON ${S}."users" (lower(email)) WHERE email IS NOT NULL`);

    await q.query(`CREATE TABLE ${S}."password_history" (
      user_id uuid NOT NULL REFERENCES ${S}."users"(id) ON DELETE CASCADE,
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX password_history_user_idx ON ${S}."password_history" (user_id, created_at DESC)`);

    await q.query(`CREATE TABLE ${S}."recovery_codes" (
      user_id uuid NOT NULL REFERENCES ${S}."users"(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_hash)
    )`);

    // Failed logins are counted per login name, whether or not an account has it: an unknown name locks
    // exactly like a known one, so the lockout answer tells nothing about which accounts exist.
    await q.query(`CREATE TABLE ${S}."login_failures" (
      login text PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0,
      first_failure_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz
    )`);

    await q.query(`CREATE TABLE ${S}."sessions" (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${S}."users"(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text,
      ip text,
      user_agent text,
      mfa boolean NOT NULL DEFAULT false
    )`);
    await q.query(`CREATE INDEX sessions_user_idx ON ${S}."sessions" (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX sessions_revoked_idx ON ${S}."sessions" (revoked_at) WHERE revoked_at IS NOT NULL`);

    // One row per refresh token ever issued: a token presented again after it was rotated (used_at set) is
    // reuse — someone holds a stolen copy — and ends the whole session.
    await q.query(`CREATE TABLE ${S}."refresh_tokens" (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES ${S}."sessions"(id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      used_at timestamptz
    )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON ${S}."refresh_tokens" (session_id)`);

    await q.query(`CREATE TABLE ${S}."password_resets" (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES ${S}."users"(id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);

    await q.query(`CREATE TABLE ${S}."api_tokens" (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      owner_id uuid NOT NULL REFERENCES ${S}."users"(id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      permissions text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`);
    await q.query(`CREATE INDEX api_tokens_owner_idx ON ${S}."api_tokens" (owner_id, created_at DESC)`);

    // The built-in issuer's keys (ES256). Retired keys stay published in the JWKS until their last token expired.
    await q.query(`CREATE TABLE ${S}."signing_keys" (
      kid text PRIMARY KEY,
      alg text NOT NULL,
      public_jwk jsonb NOT NULL,
      private_jwk jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);

    // Append-only and hash-chained: hash = sha256(prev_hash || canonical record) (libs/access audit-chain).
    await q.query(`CREATE TABLE ${S}."audit_log" (
      seq bigint PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      at timestamptz NOT NULL,
      service text NOT NULL,
      actor_type text NOT NULL,
      actor_id text,
      actor_name text,
      action text NOT NULL,
      resource_type text,
      resource_id text,
      outcome text NOT NULL,
      status integer,
      ip text,
      user_agent text,
      trace_id text,
      changes jsonb,
      prev_hash text NOT NULL,
      hash text NOT NULL
    )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON ${S}."audit_log" (at)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON ${S}."audit_log" (actor_id, seq)`);
    await q.query(`CREATE INDEX audit_log_resource_idx ON ${S}."audit_log" (resource_type, resource_id, seq)`);
    await q.query(`CREATE INDEX audit_log_action_idx ON ${S}."audit_log" (action, seq)`);
    await q.query(`CREATE FUNCTION ${S}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'FF_AUDIT_APPEND_ONLY: the audit log is append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${S}."audit_log"
      FOR EACH STATEMENT EXECUTE FUNCTION ${S}.audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_log',
      'signing_keys',
      'api_tokens',
      'password_resets',
      'refresh_tokens',
      'sessions',
      'login_failures',
      'recovery_codes',
      'password_history',
      'users',
      'roles',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${S}."${t}" CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ${S}.audit_log_append_only()`);
  }
}
