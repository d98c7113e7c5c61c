import { checkBackwardCompatibility, validateAvroSchema } from './compatibility';
import { schemaFingerprint } from './schema-fingerprint';
import { SchemaIncompatibleError, SchemaInvalidError, SchemaNotFoundError, type RegisteredSchema, type SchemaRegistry } from './schema-registry.port';

/**
 * SchemaRegistry kept in process memory, for unit tests and single-process tools. Same semantics as
 * PostgresSchemaRegistry (it passes the same contract suite). `register` never awaits between reading
 * and writing its maps, so concurrent calls cannot interleave.
 */
export class InMemorySchemaRegistry implements SchemaRegistry {
  private readonly idsByFingerprint = new Map<string, number>();
  private readonly schemasById = new Map<number, Record<string, unknown>>();
  private readonly subjects = new Map<string, Array<RegisteredSchema & { fingerprint: string }>>();

  async register(subject: string, schema: Record<string, unknown>): Promise<number> {
    const invalid = validateAvroSchema(schema);
    if (invalid !== null) throw new SchemaInvalidError(subject, invalid);
    const fingerprint = schemaFingerprint(schema);
    const versions = this.subjects.get(subject) ?? [];
    const existing = versions.find((v) => v.fingerprint === fingerprint);
    if (existing) return existing.id;
    const latest = versions.at(-1);
    if (latest) {
      const reason = checkBackwardCompatibility(schema, latest.schema);
      if (reason !== null) throw new SchemaIncompatibleError(subject, reason);
    }
    let id = this.idsByFingerprint.get(fingerprint);
    if (id === undefined) {
      id = this.schemasById.size + 1;
      this.idsByFingerprint.set(fingerprint, id);
      // A copy: the caller may mutate its object later; a registered schema never changes.
      this.schemasById.set(id, structuredClone(schema));
    }
    versions.push({ id, subject, version: versions.length + 1, schema: this.schemasById.get(id)!, fingerprint });
    this.subjects.set(subject, versions);
    return id;
  }

  async getById(id: number): Promise<Record<string, unknown>> {
    const schema = this.schemasById.get(id);
    if (!schema) throw new SchemaNotFoundError(id);
    return schema;
  }

  async getLatest(subject: string): Promise<RegisteredSchema | null> {
    const latest = this.subjects.get(subject)?.at(-1);
    return latest ? { id: latest.id, subject, version: latest.version, schema: latest.schema } : null;
  }

  async checkCompatibility(subject: string, schema: Record<string, unknown>): Promise<string | null> {
    const invalid = validateAvroSchema(schema);
    if (invalid !== null) throw new SchemaInvalidError(subject, invalid);
    const latest = await this.getLatest(subject);
    return latest ? checkBackwardCompatibility(schema, latest.schema) : null;
  }
}
