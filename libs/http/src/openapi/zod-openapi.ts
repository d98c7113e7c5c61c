import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * The request schemas the OpenAPI document names (`#/components/schemas/<id>`). A schema registered here
 * is the one the owning service validates with (ZodPipe) and the one the gateway's document describes
 * (ApiZodBody): one description, so the two cannot drift.
 */
export const requestSchemas = z.registry<{ id: string }>();

/** Names `schema` for the OpenAPI document (its component name, e.g. `CreateConnectionDto`) and returns it. */
export function requestSchema<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  const named = description === undefined ? schema : schema.describe(description);
  requestSchemas.add(named, { id });
  return named;
}

/** A `format` says it all: zod's long regular expressions for these add nothing a reader or a client needs. */
const FORMATS_WITHOUT_PATTERN = new Set(['uuid', 'email', 'date-time']);

const options = {
  target: 'openapi-3.0',
  // What a client sends: a field with a default is optional, a coerced query value is its target type.
  io: 'input',
  override: ({ jsonSchema }: { jsonSchema: object }) => {
    const s = jsonSchema as JsonSchema;
    if (typeof s.format === 'string' && FORMATS_WITHOUT_PATTERN.has(s.format)) delete s.pattern;
  },
} as const;

const toJson = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, options) as JsonSchema;

/** Every registered schema as a component; a registered schema used inside another becomes a `$ref`. */
const componentsOf = (registry: typeof requestSchemas): Record<string, JsonSchema> =>
  z.toJSONSchema(registry, { ...options, uri: (id: string) => `#/components/schemas/${id}` }).schemas as Record<string, JsonSchema>;

function componentName(schema: z.ZodType): string {
  const id = requestSchemas.get(schema)?.id;
  if (!id) throw new Error('FF_OPENAPI_UNNAMED: a body described by ApiZodBody must be named first with requestSchema(id, schema)');
  return id;
}

/** `@ApiZodBody(createConnectionRequest)`: the body is the named component of that schema. */
export function ApiZodBody(schema: z.ZodType, options: { required?: boolean; description?: string } = {}): MethodDecorator {
  return ApiBody({ required: options.required ?? true, description: options.description, schema: { $ref: `#/components/schemas/${componentName(schema)}` } });
}

/** `@ApiZodQuery(listAssetsQuery)`: one query parameter per field of the schema, with its bounds and default. */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const json = toJson(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) =>
      ApiQuery({ name, required: required.has(name), description: description as string | undefined, schema: property }),
    ),
  );
}

/**
 * Adds to `doc` the component of every request schema it refers to (and of those these refer to), as
 * JSON Schema for OpenAPI 3.0. Called once the document is built from the controllers.
 */
export function addRequestSchemas(doc: OpenAPIObject): OpenAPIObject {
  const generated = componentsOf(requestSchemas);
  const components = { ...(doc.components?.schemas ?? {}) } as Record<string, JsonSchema>;
  const pending = [...refsIn(doc.paths)];
  while (pending.length) {
    const name = pending.pop()!;
    if (components[name]) continue;
    const found = generated[name];
    if (!found) throw new Error(`FF_OPENAPI_UNKNOWN_SCHEMA: the document refers to #/components/schemas/${name}, which no class or requestSchema defines`);
    const { $id: _id, ...schema } = found;
    components[name] = schema;
    pending.push(...refsIn(schema));
  }
  return { ...doc, components: { ...doc.components, schemas: components } };
}

function refsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) refsIn(item, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) out.add(value.slice('#/components/schemas/'.length));
      else refsIn(value, out);
    }
  }
  return out;
}
