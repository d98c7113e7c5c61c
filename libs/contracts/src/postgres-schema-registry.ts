import { checkBackwardCompatibility, validateAvroSchema } from './compatibility';
import { schemaFingerprint } from './schema-fingerprint';
import { SchemaIncompatibleError, SchemaInvalidError, SchemaNotFoundError, type RegisteredSchema, type SchemaRegistry } from './schema-registry.port';

/**
 * What the registry needs from PostgreSQL: a `pg` Pool (recommended), Client, or @flowforge/db's
 * Queryable. Declared here, structurally, because contracts may depend on nothing but contracts
 * (Nx boundary `type:contracts`).
 */
export interface RegistryQueryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface PostgresSchemaRegistryOptions {
  /** Where the registry lives (alternative to passing it as the first constructor argument). */
  pool?: RegistryQueryable;
  /** Attempts when concurrent registrations keep taking the next version first (default 10). */
  maxRegisterAttempts?: number;
}

// One statement list sent with the simple-query protocol, so PostgreSQL runs it as one implicit
// transaction: the advisory lock serialises processes migrating at the same time (concurrent
// CREATE ... IF NOT EXISTS can otherwise fail on the catalog's unique indexes).
const MIGRATION = `
SELECT pg_advisory_xact_lock(hashtext('ff_registry.migrate'));
CREATE SCHEMA IF NOT EXISTS ff_registry;
CREATE TABLE IF NOT EXISTS ff_registry.schemas (
  id serial PRIMARY KEY,
  fingerprint text NOT NULL UNIQUE,
  schema jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ff_registry.subject_versions (
  subject text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  schema_id integer NOT NULL REFERENCES ff_registry.schemas (id),
  registered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject, version),
  UNIQUE (subject, schema_id)
);
`;

interface VersionRow extends Record<string, unknown> {
  version: number;
  schema_id: number;
  fingerprint: string;
  schema: Record<string, unknown>;
}

/**
 * SchemaRegistry in PostgreSQL (embedded mode). Like the bus it is infrastructure and owns its own
 * schema, `ff_registry`. Registration is optimistic and lock-free: read the subject's latest version,
 * check compatibility, then insert version latest+1 with ON CONFLICT DO NOTHING; a process that loses
 * the race re-reads and either finds its schema already registered (same id) or re-checks against
 * the new latest. Every statement stands alone, so any Queryable works, including a caller's
 * transaction.
 */
export class PostgresSchemaRegistry implements SchemaRegistry {
  private readonly byId = new Map<number, Record<string, unknown>>();
  private readonly maxAttempts: number;
  private readonly db: RegistryQueryable;

  /** `new PostgresSchemaRegistry(pool)` or `new PostgresSchemaRegistry({ pool, ...options })`. */
  constructor(db: RegistryQueryable | PostgresSchemaRegistryOptions, options: PostgresSchemaRegistryOptions = {}) {
    const opts = isQueryable(db) ? { ...options, pool: db } : { ...db, ...options, pool: options.pool ?? db.pool };
    if (!opts.pool) throw new Error('FF_SCHEMA_REGISTRY_CONFIG: PostgresSchemaRegistry needs a pg Pool or Queryable');
    this.db = opts.pool;
    this.maxAttempts = opts.maxRegisterAttempts ?? 10;
  }

  /** Creates `ff_registry` and its tables if absent; safe to run from many processes at once. */
  async migrate(): Promise<void> {
    await this.db.query(MIGRATION);
  }

  async register(subject: string, schema: Record<string, unknown>): Promise<number> {
    const invalid = validateAvroSchema(schema);
    if (invalid !== null) throw new SchemaInvalidError(subject, invalid);
    const fingerprint = schemaFingerprint(schema);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      // The subject's latest version, plus any version that already holds this very schema.
      const { rows } = await this.db.query<VersionRow & { same: boolean }>(
        `SELECT v.version, v.schema_id, s.fingerprint, s.schema, s.fingerprint = $2 AS same
           FROM ff_registry.subject_versions v
           JOIN ff_registry.schemas s ON s.id = v.schema_id
          WHERE v.subject = $1
            AND (s.fingerprint = $2
                 OR v.version = (SELECT max(version) FROM ff_registry.subject_versions WHERE subject = $1))
          ORDER BY v.version DESC`,
        [subject, fingerprint],
      );
      const same = rows.find((r) => r.same);
      if (same) return same.schema_id;
      const latest = rows[0];
      if (latest) {
        const reason = checkBackwardCompatibility(schema, latest.schema);
        if (reason !== null) throw new SchemaIncompatibleError(subject, reason);
      }
      const inserted = await this.db.query<{ schema_id: number }>(
        `WITH s AS (
           INSERT INTO ff_registry.schemas (fingerprint, schema) VALUES ($2, $3::jsonb)
           ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = EXCLUDED.fingerprint
           RETURNING id
         )
         INSERT INTO ff_registry.subject_versions (subject, version, schema_id)
         SELECT $1, $4, id FROM s
         ON CONFLICT DO NOTHING
         RETURNING schema_id`,
        [subject, fingerprint, JSON.stringify(schema), (latest?.version ?? 0) + 1],
      );
      if (inserted.rows.length === 1) return inserted.rows[0].schema_id;
      // Another process took that version (or registered this schema) first: look again.
    }
    throw new Error(
      `FF_SCHEMA_REGISTER_CONTENDED: gave up registering a schema for subject "${subject}" after ${this.maxAttempts} attempts lost to concurrent registrations`,
    );
  }

  async getById(id: number): Promise<Record<string, unknown>> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const { rows } = await this.db.query<{ schema: Record<string, unknown> }>('SELECT schema FROM ff_registry.schemas WHERE id = $1', [id]);
    if (rows.length === 0) throw new SchemaNotFoundError(id);
    // Safe to cache forever: a schema id never changes meaning.
    this.byId.set(id, rows[0].schema);
    return rows[0].schema;
  }

  async getLatest(subject: string): Promise<RegisteredSchema | null> {
    const { rows } = await this.db.query<{ version: number; schema_id: number; schema: Record<string, unknown> }>(
      `SELECT v.version, v.schema_id, s.schema
         FROM ff_registry.subject_versions v
         JOIN ff_registry.schemas s ON s.id = v.schema_id
        WHERE v.subject = $1
        ORDER BY v.version DESC
        LIMIT 1`,
      [subject],
    );
    const row = rows[0];
    return row ? { id: row.schema_id, subject, version: row.version, schema: row.schema } : null;
  }

  async checkCompatibility(subject: string, schema: Record<string, unknown>): Promise<string | null> {
    const invalid = validateAvroSchema(schema);
    if (invalid !== null) throw new SchemaInvalidError(subject, invalid);
    const latest = await this.getLatest(subject);
    return latest ? checkBackwardCompatibility(schema, latest.schema) : null;
  }
}

function isQueryable(x: RegistryQueryable | PostgresSchemaRegistryOptions): x is RegistryQueryable {
  return typeof (x as RegistryQueryable).query === 'function';
}
