import { sqlIdent } from '@flowforge/engine';

/** Splits `a, b(c, d), e` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out.filter((p) => p !== '');
}

/** The fields of a DuckDB `STRUCT(a BIGINT, "b c" VARCHAR, ...)` type text; null for any other type. */
export function structFields(type: string): { name: string; type: string }[] | null {
  const m = /^STRUCT\((.*)\)$/s.exec(type.trim());
  if (!m) return null;
  return splitTop(m[1]!).map((part) => {
    if (part.startsWith('"')) {
      let i = 1;
      let name = '';
      while (i < part.length) {
        if (part[i] === '"' && part[i + 1] === '"') {
          name += '"';
          i += 2;
        } else if (part[i] === '"') break;
        else name += part[i++];
      }
      return { name, type: part.slice(i + 1).trim() };
    }
    const sp = part.indexOf(' ');
    return { name: part.slice(0, sp), type: part.slice(sp + 1).trim() };
  });
}

/**
 * Select items that flatten nested objects into `parent.child` columns (recursively); lists and maps
 * stay whole. Each item reads the struct field by path, so nothing is parsed twice.
 */
export function flattenSelect(columns: readonly { name: string; type: string }[]): { expr: string; name: string; type: string }[] {
  const out: { expr: string; name: string; type: string }[] = [];
  const walk = (expr: string, name: string, type: string): void => {
    const fields = structFields(type);
    if (!fields || fields.length === 0) {
      out.push({ expr, name, type });
      return;
    }
    for (const f of fields) walk(`struct_extract(${expr}, ${sqlLiteral(f.name)})`, `${name}.${f.name}`, f.type);
  };
  for (const c of columns) walk(sqlIdent(c.name), c.name, c.type);
  return out;
}

function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
