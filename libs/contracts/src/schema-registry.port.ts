/**
 * SchemaRegistry port (Confluent semantics): subjects hold versions; every distinct schema has one
 * global id; registering a schema that is not BACKWARD compatible with the subject's latest version
 * is refused with a SchemaIncompatibleError naming the offending field.
 * Adapters: PostgresSchemaRegistry (table-backed, embedded mode) and, with the stack issue, a
 * Confluent-compatible HTTP adapter. Both must pass describeSchemaRegistryContract.
 */
export interface RegisteredSchema {
  id: number;
  subject: string;
  version: number;
  schema: Record<string, unknown>;
}

export interface SchemaRegistry {
  /** Registers (or finds) the schema under the subject and returns its global id. Idempotent. */
  register(subject: string, schema: Record<string, unknown>): Promise<number>;
  /** Schema by global id; throws SchemaNotFoundError (code FF_SCHEMA_NOT_FOUND) when unknown. */
  getById(id: number): Promise<Record<string, unknown>>;
  /** Latest version of a subject, or null when the subject does not exist. */
  getLatest(subject: string): Promise<RegisteredSchema | null>;
  /** Null when compatible; otherwise the reason (names the field). Does not register. */
  checkCompatibility(subject: string, schema: Record<string, unknown>): Promise<string | null>;
}

export class SchemaIncompatibleError extends Error {
  readonly code = 'FF_SCHEMA_INCOMPATIBLE';
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`FF_SCHEMA_INCOMPATIBLE: schema for subject "${subject}" is not backward compatible: ${reason}`);
    this.name = 'SchemaIncompatibleError';
  }
}

export class SchemaNotFoundError extends Error {
  readonly code = 'FF_SCHEMA_NOT_FOUND';
  constructor(readonly id: number) {
    super(`FF_SCHEMA_NOT_FOUND: no schema with id ${id} in the registry`);
    this.name = 'SchemaNotFoundError';
  }
}

/** The schema itself is not valid Avro (registration is refused before any compatibility check). */
export class SchemaInvalidError extends Error {
  readonly code = 'FF_SCHEMA_INVALID';
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`FF_SCHEMA_INVALID: schema for subject "${subject}" is not valid Avro: ${reason}`);
    this.name = 'SchemaInvalidError';
  }
}
