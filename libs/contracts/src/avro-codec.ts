import * as avro from 'avsc';
import { EventDecodeError, EventEncodeError, type EventCodec } from './codec.port';
import type { EventDefinition, EventEnvelope } from './event-definition';
import { canonicalSchemaJson } from './schema-fingerprint';
import { SchemaInvalidError, SchemaNotFoundError, type SchemaRegistry } from './schema-registry.port';

export interface AvroCodecOptions {
  /**
   * Also refuse fields the schema does not declare (they are otherwise dropped silently). Costs one
   * extra validation pass per encode; useful in tests and development to catch misspelt fields.
   */
  rejectUndeclaredFields?: boolean;
}

/** Confluent wire format: magic byte 0x00, 4-byte big-endian schema id, Avro binary body. */
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

// Records decode as plain data objects; avsc's per-record helper methods are never used. A fresh
// object per call: avsc stores the named types it parsed in `opts.registry`, and a shared one would
// make the next schema with the same record name fail as a "duplicate type name".
const typeOptions = (): Partial<avro.ForSchemaOptions> => ({ omitRecordMethods: true });

/** Everything derived from one (subject, schema): built once, then reused on every event. */
interface SchemaEntry {
  readonly name: string;
  readonly type: avro.Type;
  id?: number;
  idPromise?: Promise<number>;
  /** Writer schema id → resolver into this reader type; null when the writer is the same schema. */
  readonly resolvers: Map<number, avro.Resolver | null>;
}

/**
 * EventCodec over Avro with a SchemaRegistry. Schemas are registered lazily on first encode (so a
 * producer fails fast, with the registry's reason, if its schema is incompatible), writer schemas
 * are fetched once per id, and every avsc Type/resolver is cached: the bus calls this per event.
 */
export class AvroCodec implements EventCodec {
  private readonly entries = new Map<string, SchemaEntry>();
  private readonly byDefinition = new WeakMap<EventDefinition<EventEnvelope>, SchemaEntry>();
  private readonly writers = new Map<number, Promise<avro.Type>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly options: AvroCodecOptions = {},
  ) {}

  async encode<T extends EventEnvelope>(def: EventDefinition<T>, value: T): Promise<Buffer> {
    const entry = this.entryFor(def);
    const id = entry.id ?? (await this.register(def, entry));
    let body: Buffer;
    try {
      if (this.options.rejectUndeclaredFields && !entry.type.isValid(value, { noUndeclaredFields: true })) {
        throw new Error('invalid');
      }
      body = entry.type.toBuffer(value);
    } catch (err) {
      throw new EventEncodeError(def.name, this.describeInvalid(entry, value, err));
    }
    const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    frame[0] = MAGIC_BYTE;
    frame.writeInt32BE(id, 1);
    body.copy(frame, HEADER_BYTES);
    return frame;
  }

  async decode<T extends EventEnvelope>(def: EventDefinition<T>, frame: Buffer): Promise<T> {
    if (frame.length < HEADER_BYTES) {
      throw new EventDecodeError(`frame too short: ${frame.length} bytes, a framed event has at least ${HEADER_BYTES}`);
    }
    if (frame[0] !== MAGIC_BYTE) {
      throw new EventDecodeError(`bad magic byte 0x${frame[0].toString(16).padStart(2, '0')} (expected 0x00)`);
    }
    const id = frame.readInt32BE(1);
    const entry = this.entryFor(def);
    let resolver = entry.resolvers.get(id);
    if (resolver === undefined) resolver = await this.resolverFor(def, entry, id);
    try {
      return entry.type.fromBuffer(frame.subarray(HEADER_BYTES), resolver ?? undefined) as T;
    } catch (err) {
      throw new EventDecodeError(`Avro decode failed: ${(err as Error).message} (schema id ${id}, reading ${def.name})`);
    }
  }

  private entryFor(def: EventDefinition<EventEnvelope>): SchemaEntry {
    const cached = this.byDefinition.get(def);
    if (cached) return cached;
    const key = `${def.subject}\u0000${canonicalSchemaJson(def.schema)}`;
    let entry = this.entries.get(key);
    if (!entry) {
      let type: avro.Type;
      try {
        type = avro.Type.forSchema(def.schema as avro.Schema, typeOptions());
      } catch (err) {
        throw new SchemaInvalidError(def.subject, (err as Error).message);
      }
      entry = { name: def.name, type, resolvers: new Map() };
      this.entries.set(key, entry);
    }
    this.byDefinition.set(def, entry);
    return entry;
  }

  private register(def: EventDefinition<EventEnvelope>, entry: SchemaEntry): Promise<number> {
    // One registration per (subject, schema) even when many encodes start at once.
    entry.idPromise ??= this.registry.register(def.subject, def.schema).then(
      (id) => (entry.id = id),
      (err: unknown) => {
        entry.idPromise = undefined; // let a later encode retry (registry down, not incompatible)
        throw err;
      },
    );
    return entry.idPromise;
  }

  private async resolverFor(def: EventDefinition<EventEnvelope>, entry: SchemaEntry, id: number): Promise<avro.Resolver | null> {
    const writer = await this.writerType(id);
    let resolver: avro.Resolver | null = null;
    // Same canonical form: the bytes are laid out exactly as the reader expects, no resolution needed.
    if (!writer.equals(entry.type)) {
      try {
        resolver = entry.type.createResolver(writer);
      } catch (err) {
        throw new EventDecodeError(`schema id ${id} (${writer.name ?? writer.typeName}) cannot be read as ${def.name}: ${(err as Error).message}`);
      }
    }
    entry.resolvers.set(id, resolver);
    return resolver;
  }

  private writerType(id: number): Promise<avro.Type> {
    let writer = this.writers.get(id);
    if (!writer) {
      writer = this.registry.getById(id).then(
        (schema) => {
          try {
            return avro.Type.forSchema(schema as avro.Schema, typeOptions());
          } catch (err) {
            throw new EventDecodeError(`writer schema id ${id} is not valid Avro: ${(err as Error).message}`);
          }
        },
        (err: unknown) => {
          this.writers.delete(id);
          if (err instanceof SchemaNotFoundError) throw new EventDecodeError(`unknown schema id ${id}`);
          // Anything else (registry unreachable) is not the message's fault: let the caller retry
          // rather than dead-letter a good event.
          throw err;
        },
      );
      this.writers.set(id, writer);
    }
    return writer;
  }

  private describeInvalid(entry: SchemaEntry, value: unknown, cause: unknown): string[] {
    const problems: string[] = [];
    entry.type.isValid(value, {
      noUndeclaredFields: this.options.rejectUndeclaredFields ?? false,
      errorHook: (path: string[], val: unknown, type: avro.Type) => {
        const where = path.length > 0 ? `field "${path.join('.')}"` : 'the value';
        if (val === undefined) problems.push(`${where} is missing (expected ${typeLabel(type)})`);
        else if (type.typeName === 'record' && val !== null && typeof val === 'object') {
          problems.push(`${where} has fields the schema does not declare`);
        } else problems.push(`${where} expected ${typeLabel(type)}, got ${describeValue(val)}`);
      },
    });
    if (problems.length === 0) problems.push((cause as Error).message);
    return problems;
  }
}

function typeLabel(type: avro.Type): string {
  const t = type as avro.Type & { types?: avro.Type[]; symbols?: string[] };
  if (t.typeName.startsWith('union')) return (t.types ?? []).map(typeLabel).join(' | ');
  if (t.typeName === 'enum') return `one of ${(t.symbols ?? []).map((s) => `"${s}"`).join(', ')}`;
  if (t.name) return `${t.typeName} ${t.name}`;
  return t.typeName;
}

function describeValue(val: unknown): string {
  if (val === null) return 'null';
  if (typeof val === 'string') return JSON.stringify(val.length > 40 ? `${val.slice(0, 40)}…` : val);
  if (typeof val === 'number' || typeof val === 'boolean' || typeof val === 'bigint') return `${typeof val} ${String(val)}`;
  return Array.isArray(val) ? 'an array' : typeof val;
}
