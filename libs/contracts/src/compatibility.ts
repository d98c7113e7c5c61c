import * as avro from 'avsc';

/**
 * BACKWARD compatibility (Confluent's default): a consumer upgraded to the new `reader` schema must
 * still read every event written with the subject's latest `writer` schema. Returns null when it can,
 * otherwise a reason naming the field path, e.g. `field "params" was added without a default`.
 *
 * Paths: nested record fields are joined with ".", array items append "[]", map values append "{}".
 * Our own walk gives the field path (avsc's resolver errors do not); avsc's createResolver is then
 * asked as a second opinion so that the codec can never fail on a schema the registry accepted.
 */
export function checkBackwardCompatibility(reader: Record<string, unknown>, writer: Record<string, unknown>): string | null {
  const readerNode = parseSchema(reader);
  const writerNode = parseSchema(writer);
  const reason = new BackwardCheck().check(readerNode, writerNode, '');
  if (reason !== null) return reason;
  try {
    avro.Type.forSchema(reader as avro.Schema).createResolver(avro.Type.forSchema(writer as avro.Schema));
  } catch (err) {
    return `schemas cannot be resolved: ${(err as Error).message}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Schema model with named references resolved (records may be recursive, so nodes can form cycles).

type PrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

interface FieldNode {
  name: string;
  aliases: string[];
  type: SchemaNode;
  hasDefault: boolean;
}

type SchemaNode =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'record'; name: string; aliases: string[]; fields: FieldNode[] }
  | { kind: 'enum'; name: string; aliases: string[]; symbols: string[]; default?: string }
  | { kind: 'fixed'; name: string; aliases: string[]; size: number }
  | { kind: 'array'; items: SchemaNode }
  | { kind: 'map'; values: SchemaNode }
  | { kind: 'union'; branches: SchemaNode[] };

const PRIMITIVES = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

// Avro's promotions: what a reader of the key type accepts from a writer (besides the same type).
const PROMOTIONS: Record<string, readonly string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

function parseSchema(schema: unknown): SchemaNode {
  const named = new Map<string, SchemaNode>();

  const qualify = (name: string, ns: string | undefined): string => (name.includes('.') || !ns ? name : `${ns}.${name}`);

  const walk = (s: unknown, ns: string | undefined): SchemaNode => {
    if (typeof s === 'string') {
      if (PRIMITIVES.has(s)) return { kind: 'primitive', name: s as PrimitiveName };
      const node = named.get(qualify(s, ns)) ?? named.get(s);
      if (!node) throw new Error(`FF_SCHEMA_INVALID: unknown type "${s}"`);
      return node;
    }
    if (Array.isArray(s)) return { kind: 'union', branches: s.map((b) => walk(b, ns)) };
    if (s === null || typeof s !== 'object') throw new Error(`FF_SCHEMA_INVALID: not a schema: ${JSON.stringify(s)}`);
    const o = s as Record<string, unknown>;
    const type = o.type;
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const full = qualify(String(o.name), typeof o.namespace === 'string' ? o.namespace : ns);
      const childNs = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined;
      const aliases = Array.isArray(o.aliases) ? o.aliases.map((a) => qualify(String(a), childNs)) : [];
      if (type === 'enum') {
        const node: SchemaNode = {
          kind: 'enum',
          name: full,
          aliases,
          symbols: (o.symbols as string[]) ?? [],
          ...(typeof o.default === 'string' ? { default: o.default } : {}),
        };
        named.set(full, node);
        return node;
      }
      if (type === 'fixed') {
        const node: SchemaNode = { kind: 'fixed', name: full, aliases, size: Number(o.size) };
        named.set(full, node);
        return node;
      }
      const node: SchemaNode = { kind: 'record', name: full, aliases, fields: [] };
      named.set(full, node); // before the fields, so that recursive references resolve
      for (const f of (o.fields as Array<Record<string, unknown>>) ?? []) {
        node.fields.push({
          name: String(f.name),
          aliases: Array.isArray(f.aliases) ? f.aliases.map(String) : [],
          type: walk(f.type, childNs),
          hasDefault: Object.prototype.hasOwnProperty.call(f, 'default'),
        });
      }
      return node;
    }
    if (type === 'array') return { kind: 'array', items: walk(o.items, ns) };
    if (type === 'map') return { kind: 'map', values: walk(o.values, ns) };
    // Primitive with attributes (e.g. a logical type): binary compatibility is the base type's.
    return walk(type, ns);
  };

  return walk(schema, undefined);
}

function shortName(full: string): string {
  return full.slice(full.lastIndexOf('.') + 1);
}

function label(n: SchemaNode): string {
  switch (n.kind) {
    case 'primitive':
      return n.name;
    case 'record':
    case 'enum':
    case 'fixed':
      return `${n.kind} ${shortName(n.name)}`;
    case 'array':
      return `array<${label(n.items)}>`;
    case 'map':
      return `map<${label(n.values)}>`;
    case 'union':
      return `union [${n.branches.map(label).join(', ')}]`;
  }
}

function at(path: string): string {
  return path ? `field "${path}"` : 'the schema';
}

function namesMatch(reader: { name: string; aliases: string[] }, writer: { name: string }): boolean {
  return reader.name === writer.name || reader.aliases.includes(writer.name);
}

class BackwardCheck {
  // Pairs already being checked: recursive records would otherwise recurse forever.
  private readonly inProgress = new Map<SchemaNode, Set<SchemaNode>>();

  check(reader: SchemaNode, writer: SchemaNode, path: string): string | null {
    if (writer.kind === 'union') return this.checkWriterUnion(reader, writer, path);
    if (reader.kind === 'union') {
      // Avro picks the first reader branch that matches the writer's type.
      const branch = reader.branches.find((b) => this.shallowMatch(b, writer));
      if (!branch) return `${at(path)} changed type from ${label(writer)} to ${label(reader)}`;
      return this.check(branch, writer, path);
    }
    if (!this.shallowMatch(reader, writer)) {
      if (reader.kind === writer.kind && 'name' in reader && 'name' in writer && reader.kind !== 'primitive') {
        return `${at(path)} changed type from ${reader.kind} ${writer.name} to ${reader.kind} ${reader.name}`;
      }
      return `${at(path)} changed type from ${label(writer)} to ${label(reader)}`;
    }
    const seen = this.inProgress.get(reader) ?? new Set<SchemaNode>();
    if (seen.has(writer)) return null;
    seen.add(writer);
    this.inProgress.set(reader, seen);
    try {
      return this.checkSameKind(reader, writer, path);
    } finally {
      seen.delete(writer);
    }
  }

  private checkWriterUnion(reader: SchemaNode, writer: Extract<SchemaNode, { kind: 'union' }>, path: string): string | null {
    // Data may have been written with any branch, so each one must stay readable.
    for (const branch of writer.branches) {
      if (reader.kind === 'union') {
        const match = reader.branches.find((b) => this.shallowMatch(b, branch));
        if (!match) {
          return `${at(path)} changed type from ${label(writer)} to ${label(reader)} (branch ${label(branch)} can no longer be read)`;
        }
        const reason = this.check(match, branch, path);
        if (reason) return reason;
      } else {
        if (!this.shallowMatch(reader, branch)) return `${at(path)} changed type from ${label(writer)} to ${label(reader)}`;
        const reason = this.check(reader, branch, path);
        if (reason) return reason;
      }
    }
    return null;
  }

  private shallowMatch(reader: SchemaNode, writer: SchemaNode): boolean {
    if (reader.kind === 'primitive' && writer.kind === 'primitive') {
      return reader.name === writer.name || (PROMOTIONS[reader.name] ?? []).includes(writer.name);
    }
    if (reader.kind !== writer.kind) return false;
    if (reader.kind === 'record' || reader.kind === 'enum' || reader.kind === 'fixed') {
      return namesMatch(reader, writer as { name: string });
    }
    return reader.kind === 'array' || reader.kind === 'map';
  }

  private checkSameKind(reader: SchemaNode, writer: SchemaNode, path: string): string | null {
    switch (reader.kind) {
      case 'record': {
        const w = writer as Extract<SchemaNode, { kind: 'record' }>;
        for (const field of reader.fields) {
          const fieldPath = path ? `${path}.${field.name}` : field.name;
          const source = w.fields.find((f) => f.name === field.name || field.aliases.includes(f.name));
          if (!source) {
            // Old events lack the field: the reader can only fill it from its default.
            if (!field.hasDefault) return `field "${fieldPath}" was added without a default`;
            continue;
          }
          const reason = this.check(field.type, source.type, fieldPath);
          if (reason) return reason;
        }
        return null; // fields the reader dropped are skipped when reading: always fine
      }
      case 'enum': {
        const w = writer as Extract<SchemaNode, { kind: 'enum' }>;
        const removed = w.symbols.filter((s) => !reader.symbols.includes(s));
        if (removed.length > 0 && reader.default === undefined) {
          return `${at(path)}: enum ${shortName(reader.name)} removed symbol${removed.length > 1 ? 's' : ''} ${removed
            .map((s) => `"${s}"`)
            .join(', ')} without an enum default`;
        }
        return null;
      }
      case 'fixed': {
        const w = writer as Extract<SchemaNode, { kind: 'fixed' }>;
        return reader.size === w.size ? null : `${at(path)}: fixed ${shortName(reader.name)} changed size from ${w.size} to ${reader.size}`;
      }
      case 'array':
        return this.check(reader.items, (writer as Extract<SchemaNode, { kind: 'array' }>).items, `${path}[]`);
      case 'map':
        return this.check(reader.values, (writer as Extract<SchemaNode, { kind: 'map' }>).values, `${path}{}`);
      case 'primitive':
      case 'union':
        return null;
    }
  }
}

/** Null when avsc accepts the schema, otherwise avsc's reason (unknown type, bad default...). */
export function validateAvroSchema(schema: unknown): string | null {
  try {
    avro.Type.forSchema(schema as avro.Schema);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
