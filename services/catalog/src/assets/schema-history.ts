import type { ColumnSchema } from '@flowforge/engine';
import type { SchemaChange } from './asset.store';

const render = (c: ColumnSchema) => (c.nullable ? c.type : `${c.type} NOT NULL`);

/** The difference between two schemas; `previous` null means the table's first schema. */
export function diffSchemas(previous: readonly ColumnSchema[] | null, next: readonly ColumnSchema[]): SchemaChange {
  const before = new Map((previous ?? []).map((c) => [c.name, c]));
  const after = new Map(next.map((c) => [c.name, c]));
  const added = next.filter((c) => !before.has(c.name)).map((c) => c.name);
  const removed = (previous ?? []).filter((c) => !after.has(c.name)).map((c) => c.name);
  const changed = next.flatMap((c) => {
    const old = before.get(c.name);
    return old && render(old) !== render(c) ? [{ name: c.name, from: render(old), to: render(c) }] : [];
  });
  const common = (list: readonly ColumnSchema[]) => list.filter((c) => before.has(c.name) && after.has(c.name)).map((c) => c.name);
  const reordered = previous !== null && common(previous).join('\u0000') !== common(next).join('\u0000');
  return { added, removed, changed, reordered };
}

export function isSchemaChange(c: SchemaChange): boolean {
  return c.added.length > 0 || c.removed.length > 0 || c.changed.length > 0 || c.reordered;
}
