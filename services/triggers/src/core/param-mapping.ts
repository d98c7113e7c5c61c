import type { SourceEvent } from './event-source';

/** `${payload.a.b}`, `${payload.items[0].id}`, `${meta.key}`: a reference into the event. */
const REFERENCE = /\$\{\s*(payload|meta)((?:\.[A-Za-z0-9_$-]+|\[\d+\])*)\s*\}/g;

export type MappingResult = { ok: true; params: Record<string, string> } | { ok: false; reason: string };

/** The value at `path` (`.a.b`, `[0]`) of `root`, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const m of path.matchAll(/\.([A-Za-z0-9_$-]+)|\[(\d+)\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = m[1] ?? Number(m[2]);
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** A JSON value as run parameters carry it: text as is, anything else as JSON. */
function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Maps an event to run parameters: each value is a literal, a whole reference (`${payload.day}`, the
 * value as text, JSON for objects and numbers) or text with references in it (`in/${meta.path}`). A
 * reference to a missing field makes the event not match, naming the parameter and the field.
 */
export function mapParams(mapping: Record<string, string>, event: SourceEvent): MappingResult {
  const params: Record<string, string> = {};
  for (const [name, template] of Object.entries(mapping)) {
    let missing: string | null = null;
    const value = template.replace(REFERENCE, (_all, root: 'payload' | 'meta', path: string) => {
      // meta is flat: its names may hold dots (`header.source`), so the whole path is the name.
      const v = root === 'payload' ? valueAt(event.payload, path) : event.meta?.[path.slice(1)];
      if (v === undefined || v === null) {
        missing ??= `${root}${path}`;
        return '';
      }
      return asText(v);
    });
    if (missing) return { ok: false, reason: `parameter "${name}": ${missing} is missing from the event` };
    params[name] = value;
  }
  return { ok: true, params };
}

/** The references a mapping makes that do not parse (a `${` not closed or naming neither payload nor meta). */
export function mappingProblems(mapping: Record<string, string>): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const [name, template] of Object.entries(mapping)) {
    const rest = template.replace(REFERENCE, '');
    if (rest.includes('${')) {
      out.push({ field: `params.${name}`, message: 'a reference must be ${payload.<path>} or ${meta.<name>} (path: .field or [index] steps)' });
    }
  }
  return out;
}
