#!/usr/bin/env node
// Generates libs/contracts/src/http-api/generated/http-api.ts from services/gateway/openapi.json: the public
// REST API's shapes as TypeScript types, for its clients (libs/cli today; a browser console can import the
// same file, which holds types only and imports nothing).
//   node scripts/api-types-gen.js            write the generated file (npm run api-types:gen; scripts/openapi.js
//                                            runs it too each time it writes the document)
//   node scripts/api-types-gen.js --check    exit 1, naming the stale file, if the committed output differs
//                                            (npm run api-types:check; part of npm test)
//   --root <dir>                             operate on another checkout (used by the tests on a temp copy)
// Output is a pure function of the document (sorted paths and schemas, no timestamps) so --check is reliable.
//
// What it emits: one declaration per component schema (an object → interface, anything else → type alias),
// `ApiSchemas` (name → type), and `ApiPaths`: path → method → { path, query, headers, body, response,
// responses[, events] }, where `response` is the union of the 2xx answers and `events` the payload of each
// Server-Sent Event named by the operation's `x-sse-events` extension. Written by hand, not with
// openapi-typescript: its peer dependency is TypeScript 5 and the repository is on 6.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const INPUT = 'services/gateway/openapi.json';
const OUTPUT = 'libs/contracts/src/http-api/generated/http-api.ts';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMA_REF = '#/components/schemas/';
// JSON first: it is what a client parses; then problem+json, then whatever the operation lists first.
const PREFERRED_MEDIA = ['application/json', 'application/problem+json'];

class ApiTypesError extends Error {
  constructor(where, message) {
    super(`FF_API_TYPES_INVALID: ${where}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Formatting

function quote(s) {
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/'/g, "\\'");
  return `'${body}'`;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(k) {
  return IDENT.test(k) ? k : quote(k);
}

/** A JSDoc block from non-empty lines; `*\/` in a description cannot end the comment early. */
function jsdoc(lines, pad) {
  const text = lines
    .filter((l) => l !== undefined && l !== null && String(l).trim() !== '')
    .map((l) => String(l).replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim());
  if (text.length === 0) return [];
  if (text.length === 1) return [`${pad}/** ${text[0]} */`];
  return [`${pad}/**`, ...text.map((t) => `${pad} * ${t}`), `${pad} */`];
}

function docOf(schema) {
  if (!schema || typeof schema !== 'object') return [];
  const lines = [];
  if (schema.description) lines.push(schema.description);
  if (schema.format && schema.format !== 'binary') lines.push(`Format: ${schema.format}.`);
  if (schema.default !== undefined) lines.push(`Default: ${JSON.stringify(schema.default)}.`);
  if (schema.deprecated) lines.push('@deprecated');
  return lines;
}

/** A TypeScript identifier for a component name (`Run.View` → `Run_View`); clashes are refused. */
function typeName(name) {
  const id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** Whether `t` has a `|` or `&` outside braces, brackets and quotes (so `T[]` needs `(T)[]`). */
function needsParens(t) {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "'") {
      for (i++; i < t.length && t[i] !== "'"; i++) if (t[i] === '\\') i++;
    } else if ('{([<'.includes(c)) depth++;
    else if ('})]>'.includes(c)) depth--;
    else if (depth === 0 && (c === '|' || c === '&')) return true;
  }
  return false;
}

function union(types) {
  const seen = [];
  for (const t of types) if (!seen.includes(t)) seen.push(t);
  if (seen.length === 0) return 'never';
  if (seen.includes('unknown')) return 'unknown';
  return seen.join(' | ');
}

// ---------------------------------------------------------------------------------------------------
// Schema → TypeScript

function createTranslator(doc) {
  const names = new Map(); // component name -> TS name
  const taken = new Map(); // TS name -> component name
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    const ts = typeName(name);
    if (taken.has(ts)) throw new ApiTypesError(`${SCHEMA_REF}${name}`, `its type name ${ts} is already taken by ${taken.get(ts)}`);
    taken.set(ts, name);
    names.set(name, ts);
  }

  function refName(ref, where) {
    if (typeof ref !== 'string' || !ref.startsWith(SCHEMA_REF))
      throw new ApiTypesError(where, `unsupported $ref ${JSON.stringify(ref)} (only ${SCHEMA_REF}<name>)`);
    const name = decodeURIComponent(ref.slice(SCHEMA_REF.length)).replace(/~1/g, '/').replace(/~0/g, '~');
    const ts = names.get(name);
    if (!ts) throw new ApiTypesError(where, `$ref ${ref} names no component schema`);
    return ts;
  }

  /** The type of `schema`, laid out for a line indented by `indent` spaces. */
  function typeOf(schema, where, indent) {
    if (schema === true || schema === undefined) return 'unknown';
    if (schema === false) return 'never';
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new ApiTypesError(where, 'a schema must be an object');
    let t = bareType(schema, where, indent);
    if (schema.nullable === true && t !== 'unknown' && t !== 'null') t = union([t, 'null']);
    return t;
  }

  function bareType(schema, where, indent) {
    if (schema.$ref !== undefined) return refName(schema.$ref, where);
    const parts = [];
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      const members = schema.allOf.map((s, i) => typeOf(s, `${where}.allOf[${i}]`, indent));
      parts.push(members.length === 1 ? members[0] : members.map((m) => (needsParens(m) ? `(${m})` : m)).join(' & '));
    }
    for (const kw of ['oneOf', 'anyOf']) {
      if (Array.isArray(schema[kw]) && schema[kw].length > 0) {
        const u = union(schema[kw].map((s, i) => typeOf(s, `${where}.${kw}[${i}]`, indent)));
        parts.push(parts.length > 0 && needsParens(u) ? `(${u})` : u);
      }
    }
    const own = ownType(schema, where, indent);
    if (own !== null) parts.push(parts.length > 0 && needsParens(own) ? `(${own})` : own);
    if (parts.length === 0) return 'unknown';
    if (parts.length === 1) return parts[0];
    return parts.map((p) => (needsParens(p) && !p.startsWith('(') ? `(${p})` : p)).join(' & ');
  }

  /** What the schema says itself (type, enum, properties); null when it only composes others. */
  function ownType(schema, where, indent) {
    if (Array.isArray(schema.enum)) {
      return union(schema.enum.map((v) => (typeof v === 'string' ? quote(v) : JSON.stringify(v))));
    }
    if (schema.const !== undefined) return typeof schema.const === 'string' ? quote(schema.const) : JSON.stringify(schema.const);
    const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
    const composed = schema.allOf || schema.oneOf || schema.anyOf;
    if (types.length === 0) {
      if (schema.properties || schema.additionalProperties !== undefined) return objectType(schema, where, indent);
      if (schema.items) return arrayType(schema, where, indent);
      return composed ? null : 'unknown';
    }
    // `type: object` beside allOf/oneOf only restates what the members are (e.g. a nullable $ref).
    if (composed && types.length === 1 && types[0] === 'object' && !schema.properties && schema.additionalProperties === undefined) return null;
    return union(
      types.map((type) => {
        switch (type) {
          case 'string':
            return schema.format === 'binary' ? 'Blob' : 'string';
          case 'integer':
          case 'number':
            return 'number';
          case 'boolean':
            return 'boolean';
          case 'null':
            return 'null';
          case 'array':
            return arrayType(schema, where, indent);
          case 'object':
            return objectType(schema, where, indent);
          default:
            throw new ApiTypesError(where, `unknown type ${JSON.stringify(type)}`);
        }
      }),
    );
  }

  function arrayType(schema, where, indent) {
    const item = typeOf(schema.items, `${where}.items`, indent);
    return needsParens(item) ? `(${item})[]` : `${item}[]`;
  }

  function objectType(schema, where, indent) {
    const props = Object.entries(schema.properties ?? {});
    const extra = schema.additionalProperties;
    if (props.length === 0) {
      if (extra === false) return 'Record<string, never>';
      return `Record<string, ${extra === undefined || extra === true ? 'unknown' : typeOf(extra, `${where}.additionalProperties`, indent)}>`;
    }
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const pad = ' '.repeat(indent + 2);
    const lines = ['{'];
    for (const [name, prop] of props) {
      lines.push(...jsdoc(docOf(prop), pad));
      lines.push(`${pad}${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(prop, `${where}.${name}`, indent + 2)};`);
    }
    if (extra !== undefined && extra !== false) {
      // Declared members must fit the index signature, so it is `unknown` unless there are no members.
      lines.push(`${pad}[key: string]: unknown;`);
    }
    lines.push(`${' '.repeat(indent)}}`);
    return lines.join('\n');
  }

  return { names, typeOf, refName };
}

// ---------------------------------------------------------------------------------------------------
// Document → file

function resolveLocal(doc, obj, where) {
  let cur = obj;
  for (let hops = 0; cur && typeof cur === 'object' && typeof cur.$ref === 'string'; hops++) {
    if (hops > 16) throw new ApiTypesError(where, 'a $ref chain longer than 16');
    const ref = cur.$ref;
    if (!ref.startsWith('#/')) throw new ApiTypesError(where, `unsupported $ref ${ref} (only local references)`);
    cur = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), doc);
    if (cur === undefined) throw new ApiTypesError(where, `$ref ${ref} points at nothing`);
  }
  return cur;
}

function mediaSchema(content, where, tr, indent) {
  const types = Object.keys(content ?? {});
  if (types.length === 0) return null;
  const chosen = PREFERRED_MEDIA.find((t) => types.includes(t)) ?? types[0];
  return tr.typeOf(content[chosen].schema, `${where}.content[${chosen}]`, indent);
}

function statusOrder(a, b) {
  const rank = (s) => (/^\d{3}$/.test(s) ? Number(s) : /^\dXX$/i.test(s) ? Number(s[0]) * 100 + 99.5 : 1000);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const TYPING_KEYWORDS = ['type', '$ref', 'enum', 'const', 'allOf', 'oneOf', 'anyOf', 'items', 'properties'];

/** A parameter's schema; one that says nothing of its type is a string, which is what a URL or header carries. */
function paramSchema(p) {
  const schema = p.schema ?? {};
  return TYPING_KEYWORDS.some((k) => schema[k] !== undefined) ? schema : { ...schema, type: 'string' };
}

function paramsBlock(params, where, tr, indent) {
  if (params.length === 0) return 'Record<string, never>';
  const pad = ' '.repeat(indent + 2);
  const lines = ['{'];
  for (const p of params) {
    lines.push(...jsdoc([p.description, ...docOf(p.schema).filter((l) => l !== p.schema?.description)], pad));
    const required = p.in === 'path' || p.required === true;
    lines.push(`${pad}${key(p.name)}${required ? '' : '?'}: ${tr.typeOf(paramSchema(p), `${where}.${p.in}.${p.name}`, indent + 2)};`);
  }
  lines.push(`${' '.repeat(indent)}}`);
  return lines.join('\n');
}

function operationLines(doc, pathName, item, method, tr) {
  const op = item[method];
  const where = `paths[${pathName}].${method}`;
  const pad = '      ';
  const lines = [
    ...jsdoc(
      [op.summary ? `${op.summary}${op.operationId ? ` (${op.operationId})` : ''}` : op.operationId, op.description, op.deprecated ? '@deprecated' : undefined],
      '    ',
    ),
  ];
  lines.push(`    ${method}: {`);

  const byKey = new Map();
  for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
    const p = resolveLocal(doc, raw, where);
    byKey.set(`${p.in}:${p.name}`, p); // the operation's own replaces the path item's
  }
  const params = [...byKey.values()];
  const of = (kind) => params.filter((p) => p.in === kind);
  lines.push(`${pad}path: ${paramsBlock(of('path'), where, tr, 6)};`);
  lines.push(`${pad}query: ${paramsBlock(of('query'), where, tr, 6)};`);
  lines.push(`${pad}headers: ${paramsBlock(of('header'), where, tr, 6)};`);

  if (op.requestBody) {
    const body = resolveLocal(doc, op.requestBody, `${where}.requestBody`);
    const media = Object.keys(body.content ?? {});
    lines.push(...jsdoc([body.description, media.length ? `Sent as ${media.join(' or ')}.` : undefined], pad));
    lines.push(`${pad}body${body.required ? '' : '?'}: ${mediaSchema(body.content, `${where}.requestBody`, tr, 6) ?? 'unknown'};`);
  } else {
    lines.push(`${pad}body?: never;`);
  }

  const statuses = Object.keys(op.responses ?? {}).sort(statusOrder);
  const answers = statuses.map((status) => {
    const res = resolveLocal(doc, op.responses[status], `${where}.responses.${status}`);
    return { status, res, type: mediaSchema(res.content, `${where}.responses.${status}`, tr, 8) ?? 'void' };
  });
  const success = answers.filter((a) => /^2(\d\d|XX)$/i.test(a.status));
  lines.push(...jsdoc(['The body of a 2xx answer (`void`: none).'], pad));
  lines.push(`${pad}response: ${success.length ? union(success.map((a) => a.type)) : 'never'};`);
  lines.push(`${pad}responses: {`);
  for (const a of answers) {
    lines.push(...jsdoc([a.res.description], `${pad}  `));
    lines.push(`${pad}  ${/^\d+$/.test(a.status) ? a.status : quote(a.status)}: ${a.type};`);
  }
  lines.push(`${pad}};`);

  const events = op['x-sse-events'];
  if (events !== undefined) {
    if (!events || typeof events !== 'object' || Array.isArray(events)) throw new ApiTypesError(`${where}.x-sse-events`, 'must map event names to schemas');
    lines.push(...jsdoc(['Server-Sent Events: the parsed `data` of each event, by its `event` name.'], pad));
    lines.push(`${pad}events: {`);
    for (const [name, schema] of Object.entries(events)) {
      lines.push(...jsdoc(docOf(schema), `${pad}  `));
      lines.push(`${pad}  ${key(name)}: ${tr.typeOf(schema, `${where}.x-sse-events.${name}`, 8)};`);
    }
    lines.push(`${pad}};`);
  }
  lines.push('    };');
  return lines;
}

const HELPERS = `
export type ApiPath = keyof ApiPaths;
export type ApiMethod<P extends ApiPath> = keyof ApiPaths[P] & string;
export type ApiOperation<P extends ApiPath, M extends ApiMethod<P>> = ApiPaths[P][M];
type Part<P extends ApiPath, M extends ApiMethod<P>, K extends string> = K extends keyof ApiPaths[P][M] ? Exclude<ApiPaths[P][M][K], undefined> : never;
/** The body of a 2xx answer: \`ApiResponse<'/api/v1/runs/{id}', 'get'>\`. */
export type ApiResponse<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'response'>;
export type ApiRequestBody<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'body'>;
export type ApiQuery<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'query'>;
export type ApiPathParams<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'path'>;
/** An event stream's payloads by event name (operations with \`x-sse-events\`). */
export type ApiEvents<P extends ApiPath, M extends ApiMethod<P>> = Part<P, M, 'events'>;
`;

function generate(doc, source = INPUT) {
  if (!doc || typeof doc !== 'object' || typeof doc.openapi !== 'string' || !/^3\./.test(doc.openapi)) {
    throw new ApiTypesError(source, 'not an OpenAPI 3 document (no "openapi": "3.x")');
  }
  if (!doc.paths || typeof doc.paths !== 'object') throw new ApiTypesError(source, 'has no "paths"');
  const tr = createTranslator(doc);
  const out = [
    `// Generated from ${source} by npm run api-types:gen — do not edit.`,
    `// ${[doc.info?.title, doc.info?.version && `API ${doc.info.version}`].filter(Boolean).join(', ') || 'HTTP API'}: types only, no imports.`,
  ];

  const schemaNames = [...tr.names.keys()].sort();
  for (const name of schemaNames) {
    const schema = doc.components.schemas[name];
    const ts = tr.names.get(name);
    const where = `${SCHEMA_REF}${name}`;
    out.push('', ...jsdoc(docOf(schema), ''));
    const t = tr.typeOf(schema, where, 0);
    // A plain object becomes an interface (named in editor hovers and errors); anything else an alias.
    if (t.startsWith('{\n') && t.endsWith('\n}')) out.push(`export interface ${ts} ${t}`);
    else out.push(`export type ${ts} = ${t};`);
  }

  out.push('', '/** Every component schema by its name in the document. */');
  if (schemaNames.length === 0) out.push('export type ApiSchemas = Record<string, never>;');
  else out.push('export interface ApiSchemas {', ...schemaNames.map((n) => `  ${key(n)}: ${tr.names.get(n)};`), '}');

  out.push('', '/** Each path and method: its parameters, request body, answers by status and `response`, the 2xx body. */');
  const paths = Object.keys(doc.paths).sort();
  if (paths.length === 0) out.push('export type ApiPaths = Record<string, never>;');
  else {
    out.push('export interface ApiPaths {');
    for (const p of paths) {
      const item = resolveLocal(doc, doc.paths[p], `paths[${p}]`);
      const methods = METHODS.filter((m) => item[m]);
      if (methods.length === 0) continue;
      out.push(`  ${quote(p)}: {`);
      for (const m of methods) out.push(...operationLines(doc, p, item, m, tr));
      out.push('  };');
    }
    out.push('}');
  }
  out.push(HELPERS.trimEnd());
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Command line

function render(root) {
  const input = path.join(root, INPUT);
  if (!fs.existsSync(input)) throw new ApiTypesError(INPUT, 'missing; run `npm run openapi:gen` first');
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(input, 'utf8'));
  } catch (err) {
    throw new ApiTypesError(INPUT, `not valid JSON: ${err.message}`);
  }
  return generate(doc, INPUT);
}

function main(argv) {
  const check = argv.includes('--check');
  const rootIdx = argv.indexOf('--root');
  const root = rootIdx >= 0 ? path.resolve(argv[rootIdx + 1]) : path.resolve(__dirname, '..');
  let generated;
  try {
    generated = render(root);
  } catch (err) {
    if (!(err instanceof ApiTypesError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  const file = path.join(root, OUTPUT);
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (check) {
    if (committed === generated) {
      process.stdout.write(`api-types: ${OUTPUT} is up to date\n`);
      return 0;
    }
    process.stderr.write(
      `FF_API_TYPES_STALE: the generated API types differ from ${INPUT}; run \`npm run api-types:gen\` and commit.\n  ${committed === null ? 'missing' : 'stale'}: ${OUTPUT}\n`,
    );
    return 1;
  }
  if (committed === generated) {
    process.stdout.write(`api-types: ${OUTPUT} unchanged\n`);
    return 0;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, generated);
  process.stdout.write(`api-types: wrote ${OUTPUT}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { generate, main, INPUT, OUTPUT };
