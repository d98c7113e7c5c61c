import { isDeepStrictEqual } from 'node:util';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Doc = { paths?: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

function changes<T>(label: string, before: Record<string, T>, after: Record<string, T>, out: string[]): void {
  for (const key of Object.keys(after)) if (!(key in before)) out.push(`+ ${label} ${key}`);
  for (const key of Object.keys(before)) if (!(key in after)) out.push(`- ${label} ${key}`);
  for (const key of Object.keys(after)) if (key in before && !isDeepStrictEqual(before[key], after[key])) out.push(`~ ${label} ${key}`);
}

/**
 * What differs between the committed document and the generated one, one line per operation, schema or
 * top-level field: `+` added, `-` removed, `~` changed. Empty when they are equal.
 */
export function describeOpenApiChanges(committed: unknown, generated: unknown): string[] {
  const before = (committed ?? {}) as Doc;
  const after = (generated ?? {}) as Doc;
  const out: string[] = [];
  const operations = (doc: Doc): Record<string, unknown> => {
    const ops: Record<string, unknown> = {};
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item)) ops[HTTP_METHODS.includes(method) ? `${method.toUpperCase()} ${path}` : `${path} (${method})`] = op;
    }
    return ops;
  };
  changes('operation', operations(before), operations(after), out);
  changes('schema', before.components?.schemas ?? {}, after.components?.schemas ?? {}, out);
  const top = (doc: Doc): Record<string, unknown> => {
    const { paths: _p, components, ...rest } = doc;
    const { schemas: _s, ...otherComponents } = components ?? {};
    return { ...rest, ...(Object.keys(otherComponents).length > 0 ? { components: otherComponents } : {}) };
  };
  changes('field', top(before), top(after), out);
  return out;
}
