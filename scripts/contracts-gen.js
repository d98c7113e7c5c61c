#!/usr/bin/env node
// Generates libs/contracts/src/generated/*.ts from proto/**/*.avsc (see proto/README.md).
//   node scripts/contracts-gen.js            write the generated files
//   node scripts/contracts-gen.js --check    exit 1, naming each stale file, if the committed output differs
//   --root <dir>                             operate on another checkout (used by the tests on a temp copy)
// Output is a pure function of the .avsc files (sorted inputs, no timestamps) so --check is reliable in CI.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const avro = require('avsc');

const PRINT_WIDTH = 100;
const GENERATED_DIR = 'libs/contracts/src/generated';
const PRIMITIVES = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};
// docs/architecture.md, Events and topics: every event starts with these, in this order.
const ENVELOPE = [
  ['eventId', { type: 'string', logicalType: 'uuid' }],
  ['occurredAt', { type: 'long', logicalType: 'timestamp-millis' }],
  ['producer', 'string'],
  ['traceparent', ['null', 'string']],
  ['schemaVersion', 'int'],
];

class ContractsError extends Error {
  constructor(file, message) {
    super(`FF_CONTRACTS_SCHEMA: ${file}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Formatting (prettier-like: 2-space indent, single quotes, trailing commas, width 100)

function quote(s) {
  const preferDouble = s.includes("'") && !s.includes('"');
  const q = preferDouble ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').split(q).join(`\\${q}`);
  return `${q}${body}${q}`;
}

function key(k) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : quote(k);
}

function inline(v) {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, x]) => `${key(k)}: ${inline(x)}`).join(', ')} }`;
}

/** Formats a JSON value as a TS literal starting after `prefix` at `indent`, followed by `suffix`. */
function literal(v, indent, prefix, suffix) {
  const pad = ' '.repeat(indent);
  const flat = inline(v);
  if (v === null || typeof v !== 'object' || pad.length + prefix.length + flat.length + suffix.length <= PRINT_WIDTH) {
    return `${pad}${prefix}${flat}${suffix}`;
  }
  const lines = [];
  if (Array.isArray(v)) {
    lines.push(`${pad}${prefix}[`);
    for (const x of v) lines.push(literal(x, indent + 2, '', ','));
    lines.push(`${pad}]${suffix}`);
  } else {
    lines.push(`${pad}${prefix}{`);
    for (const [k, x] of Object.entries(v)) lines.push(literal(x, indent + 2, `${key(k)}: `, ','));
    lines.push(`${pad}}${suffix}`);
  }
  return lines.join('\n');
}

function jsdoc(doc, indent) {
  if (!doc) return [];
  const pad = ' '.repeat(indent);
  const text = String(doc).replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim();
  return [`${pad}/** ${text} */`];
}

// ---------------------------------------------------------------------------------------------------
// Schema → TypeScript

function fullName(name, namespace) {
  if (name.includes('.')) return name;
  return namespace ? `${namespace}.${name}` : name;
}

function shortName(full) {
  return full.slice(full.lastIndexOf('.') + 1);
}

function pascal(s) {
  return s
    .split(/[-_.]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

function camel(s) {
  const p = pascal(s);
  return p[0].toLowerCase() + p.slice(1);
}

/**
 * Translates one .avsc into TypeScript declarations. `named` is shared across files so that a named
 * type defined identically in two files is emitted once and imported, and a conflicting one is refused.
 */
function translate(file, schema, named) {
  const local = new Map(); // full name -> schema JSON, for references inside this file
  const decls = []; // { tsName, lines }
  const imports = new Map(); // module -> Set(tsName)
  const moduleName = `./${path.basename(file, '.avsc')}.event`;
  const topFull = fullName(schema.name, schema.namespace);

  function tsNameOf(full) {
    return full === topFull ? `${shortName(full)}Event` : shortName(full);
  }

  function declareNamed(s, namespace) {
    const full = fullName(s.name, s.namespace ?? namespace);
    const tsName = tsNameOf(full);
    local.set(full, s);
    const canonical = JSON.stringify(s);
    const seen = named.get(tsName);
    if (seen) {
      if (seen.full !== full || seen.canonical !== canonical) {
        throw new ContractsError(file, `type name "${tsName}" (${full}) is already defined differently in ${seen.file}`);
      }
      if (seen.module !== moduleName) {
        if (!imports.has(seen.module)) imports.set(seen.module, new Set());
        imports.get(seen.module).add(tsName);
        return { full, tsName, emit: false };
      }
    } else {
      named.set(tsName, { full, canonical, file, module: moduleName });
    }
    return { full, tsName, emit: true };
  }

  function typeOf(s, namespace, where) {
    if (typeof s === 'string') {
      if (PRIMITIVES[s]) return PRIMITIVES[s];
      const full = fullName(s, namespace);
      const found = local.has(full) ? full : local.has(s) ? s : null;
      if (!found) throw new ContractsError(file, `${where}: unknown type "${s}"`);
      return tsNameOf(found);
    }
    if (Array.isArray(s)) {
      const nonNull = s.filter((b) => b !== 'null');
      if (nonNull.length > 1) {
        throw new ContractsError(file, `${where}: unions with more than one non-null branch are not supported`);
      }
      const parts = nonNull.map((b) => typeOf(b, namespace, where));
      if (s.includes('null')) parts.push('null');
      return parts.join(' | ');
    }
    switch (s.type) {
      case 'record':
      case 'error': {
        const { full, tsName, emit } = declareNamed(s, namespace);
        const ns = full.slice(0, full.lastIndexOf('.')) || undefined;
        const lines = [...jsdoc(s.doc, 0), `export interface ${tsName} {`];
        for (const f of s.fields) {
          lines.push(...jsdoc(f.doc, 2));
          lines.push(`  ${key(f.name)}: ${typeOf(f.type, ns, `${where}.${f.name}`)};`);
        }
        lines.push('}');
        if (emit) decls.push({ tsName, lines });
        return tsName;
      }
      case 'enum': {
        const { tsName, emit } = declareNamed(s, namespace);
        if (emit) {
          decls.push({
            tsName,
            lines: [
              ...jsdoc(s.doc, 0),
              literal(s.symbols, 0, `export const ${tsName}Symbols = `, ' as const;'),
              `export type ${tsName} = (typeof ${tsName}Symbols)[number];`,
            ],
          });
        }
        return tsName;
      }
      case 'fixed': {
        const { tsName, emit } = declareNamed(s, namespace);
        if (emit) decls.push({ tsName, lines: [...jsdoc(s.doc, 0), `export type ${tsName} = Buffer;`] });
        return tsName;
      }
      case 'array': {
        const item = typeOf(s.items, namespace, `${where}[]`);
        return item.includes(' ') ? `Array<${item}>` : `${item}[]`;
      }
      case 'map':
        return `Record<string, ${typeOf(s.values, namespace, `${where}{}`)}>`;
      default:
        if (PRIMITIVES[s.type]) return PRIMITIVES[s.type]; // logical types are their base type
        return typeOf(s.type, namespace, where);
    }
  }

  typeOf(schema, undefined, shortName(topFull));
  // A record is pushed after its nested types, so the event interface is last; print it first (it is
  // what readers look for), nested types after it in schema order.
  const top = decls.pop();
  return { declarations: [top, ...decls], imports, topFull, local };
}

// ---------------------------------------------------------------------------------------------------
// Validation of the FlowForge conventions

function validate(rel, schema) {
  try {
    // 'never' makes avsc refuse ambiguous unions, the ones it would otherwise wrap in objects the
    // generated types could not describe.
    avro.Type.forSchema(schema, { wrapUnions: 'never' });
  } catch (err) {
    throw new ContractsError(rel, `not a valid Avro schema: ${err.message}`);
  }
  if (schema.type !== 'record') throw new ContractsError(rel, 'top-level type must be a record');
  const parts = rel.split('/'); // proto/<area>/<file>.avsc
  if (parts.length !== 3) throw new ContractsError(rel, 'expected proto/<area>/<area>-<event>.avsc');
  const area = parts[1];
  if (schema.namespace !== `io.flowforge.${area}`) {
    throw new ContractsError(rel, `namespace must be "io.flowforge.${area}", got "${schema.namespace}"`);
  }
  const ff = schema.flowforge;
  if (!ff || typeof ff !== 'object') throw new ContractsError(rel, 'missing the "flowforge": { topic, version } attribute');
  if (typeof ff.topic !== 'string' || !ff.topic.startsWith(`flowforge.${area}.`)) {
    throw new ContractsError(rel, `flowforge.topic must be "flowforge.${area}.<event>", got ${JSON.stringify(ff.topic)}`);
  }
  const expectedFile = `${ff.topic.slice('flowforge.'.length).replace(/\./g, '-')}.avsc`;
  if (parts[2] !== expectedFile) throw new ContractsError(rel, `file must be named ${expectedFile} for topic ${ff.topic}`);
  if (!Number.isInteger(ff.version) || ff.version < 1) throw new ContractsError(rel, 'flowforge.version must be an integer >= 1');
  ENVELOPE.forEach(([name, type], i) => {
    const f = schema.fields[i];
    if (!f || f.name !== name || JSON.stringify(f.type) !== JSON.stringify(type)) {
      throw new ContractsError(rel, `field ${i + 1} must be the envelope field ${name}: ${JSON.stringify(type)}`);
    }
  });
  if (schema.fields[3].default !== null) throw new ContractsError(rel, 'traceparent must have "default": null');
  if (ff.topicSuffixField !== undefined) {
    const f = schema.fields.find((x) => x.name === ff.topicSuffixField);
    if (!f || typeof f.type !== 'object' || f.type.type !== 'enum') {
      throw new ContractsError(rel, `topicSuffixField "${ff.topicSuffixField}" must name an inline enum field`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Files

function listAvsc(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listAvsc(p));
    else if (entry.name.endsWith('.avsc')) out.push(p);
  }
  return out;
}

function header(source) {
  return `// Generated from ${source} by npm run contracts:gen — do not edit.`;
}

function generate(root) {
  const files = listAvsc(path.join(root, 'proto'))
    .map((p) => path.relative(root, p).split(path.sep).join('/'))
    .sort();
  if (files.length === 0) throw new ContractsError('proto/', 'no .avsc files found');
  const named = new Map();
  const out = new Map(); // file name in generated/ -> content
  const events = []; // { module, constName, tsName, topics }
  const seenTopics = new Map();

  for (const rel of files) {
    let schema;
    try {
      schema = JSON.parse(fs.readFileSync(path.join(root, rel), 'utf8'));
    } catch (err) {
      throw new ContractsError(rel, `not valid JSON: ${err.message}`);
    }
    validate(rel, schema);
    const { declarations, imports, topFull } = translate(rel, schema, named);
    const ff = schema.flowforge;
    const constName = shortName(topFull);
    const tsName = `${constName}Event`;
    const base = path.basename(rel, '.avsc');
    const module = `./${base}.event`;

    const lines = [header(rel), "import type { EventDefinition } from '../event-definition';"];
    for (const [from, names] of [...imports.entries()].sort()) {
      lines.push(`import type { ${[...names].sort().join(', ')} } from '${from}';`);
    }
    for (const d of declarations) lines.push('', ...d.lines);
    lines.push(
      '',
      ...jsdoc(`${topFull} v${ff.version} on ${ff.topicSuffixField ? `${ff.topic}.<${ff.topicSuffixField}>` : ff.topic}.`, 0),
      `export const ${constName}: EventDefinition<${tsName}> = {`,
      `  name: ${quote(topFull)},`,
      `  topic: ${quote(ff.topic)},`,
      `  subject: ${quote(`${ff.topic}-value`)},`,
      `  version: ${ff.version},`,
      literal(schema, 2, 'schema: ', ','),
      '};',
    );

    let topics = [ff.topic];
    if (ff.topicSuffixField) {
      const field = schema.fields.find((x) => x.name === ff.topicSuffixField);
      const enumName = shortName(fullName(field.type.name, field.type.namespace ?? schema.namespace));
      const map = Object.fromEntries(field.type.symbols.map((s) => [s, `${ff.topic}.${s}`]));
      topics = Object.values(map);
      const mapName = `${constName}Topics`;
      const fn = `${camel(constName)}Topic`;
      lines.push(
        '',
        ...jsdoc(`One topic per ${ff.topicSuffixField}; all share the subject ${ff.topic}-value.`, 0),
        literal(map, 0, `export const ${mapName} = `, ' as const;'),
        '',
        `export const ${constName}${pascal(ff.topicSuffixField)}s: readonly ${enumName}[] = ${enumName}Symbols;`,
        '',
        `export function ${fn}<K extends ${enumName}>(${ff.topicSuffixField}: K): (typeof ${mapName})[K] {`,
        `  const topic = ${mapName}[${ff.topicSuffixField}];`,
        '  // Guards callers that pass an unchecked string (config, HTTP input) past the type system.',
        '  if (topic === undefined) {',
        `    throw new Error(\`FF_CONTRACTS_UNKNOWN_${ff.topicSuffixField.toUpperCase()}: "\${${ff.topicSuffixField}}" is not one of \${${enumName}Symbols.join(', ')}\`);`,
        '  }',
        '  return topic;',
        '}',
      );
    }
    for (const t of topics) {
      if (seenTopics.has(t)) throw new ContractsError(rel, `topic ${t} is already used by ${seenTopics.get(t)}`);
      seenTopics.set(t, rel);
    }
    out.set(`${base}.event.ts`, `${lines.join('\n')}\n`);
    events.push({ module, constName, tsName, topics, base });
  }

  const byTopic = events.flatMap((e) => e.topics.map((topic) => ({ topic, ...e }))).sort((a, b) => (a.topic < b.topic ? -1 : 1));
  const map = [
    header('proto/**/*.avsc'),
    '// Topic → definition and topic → payload type (immich EventMap): a handler keyed by topic gets its',
    '// payload type from TopicEventMap, and `satisfies` proves both maps agree.',
    "import type { EventDefinition } from '../event-definition';",
    ...events.map((e) => `import { ${e.constName}, type ${e.tsName} } from '${e.module}';`),
    '',
    '/** Every event definition, one per schema (e.g. to register all schemas at boot). */',
    'export const AllEventDefinitions = [',
    ...events.map((e) => `  ${e.constName},`),
    '] as const;',
    '',
    'export interface TopicEventMap {',
    ...byTopic.map((e) => `  ${quote(e.topic)}: ${e.tsName};`),
    '}',
    '',
    'export type EventTopic = keyof TopicEventMap;',
    'export type EventPayload<K extends EventTopic> = TopicEventMap[K];',
    '',
    'export const Events = {',
    ...byTopic.map((e) => `  ${quote(e.topic)}: ${e.constName},`),
    '} as const satisfies { readonly [K in EventTopic]: EventDefinition<TopicEventMap[K]> };',
  ];
  out.set('event-map.ts', `${map.join('\n')}\n`);
  out.set('index.ts', `${[header('proto/**/*.avsc'), ...events.map((e) => `export * from '${e.module}';`), "export * from './event-map';"].join('\n')}\n`);
  return out;
}

function main(argv) {
  const check = argv.includes('--check');
  const rootIdx = argv.indexOf('--root');
  const root = rootIdx >= 0 ? path.resolve(argv[rootIdx + 1]) : path.resolve(__dirname, '..');
  const outDir = path.join(root, GENERATED_DIR);
  let generated;
  try {
    generated = generate(root);
  } catch (err) {
    if (!(err instanceof ContractsError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.ts')) : [];
  const rel = (f) => `${GENERATED_DIR}/${f}`;

  if (check) {
    const problems = [];
    for (const [f, content] of generated) {
      const p = path.join(outDir, f);
      if (!fs.existsSync(p)) problems.push(`missing: ${rel(f)}`);
      else if (fs.readFileSync(p, 'utf8') !== content) problems.push(`stale: ${rel(f)}`);
    }
    for (const f of existing) if (!generated.has(f)) problems.push(`not generated from any schema: ${rel(f)}`);
    if (problems.length > 0) {
      process.stderr.write(
        `FF_CONTRACTS_STALE: generated contracts differ from proto/; run \`npm run contracts:gen\` and commit.\n${problems.map((p) => `  ${p}\n`).join('')}`,
      );
      return 1;
    }
    process.stdout.write(`contracts: ${generated.size} generated files are up to date\n`);
    return 0;
  }

  fs.mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const [f, content] of generated) {
    const p = path.join(outDir, f);
    if (fs.existsSync(p) && fs.readFileSync(p, 'utf8') === content) continue;
    fs.writeFileSync(p, content);
    written++;
  }
  for (const f of existing) if (!generated.has(f)) fs.rmSync(path.join(outDir, f));
  process.stdout.write(`contracts: ${generated.size} files in ${GENERATED_DIR} (${written} written)\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { generate, main };
