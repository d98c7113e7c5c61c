/**
 * Where in a SQL text DuckDB says an error is. DuckDB reports the place of a parser, binder or catalog
 * error in the message itself, as a rendered line and a caret under it:
 *
 *     Binder Error: Referenced column "nam" not found in FROM clause!
 *
 *     LINE 2:  id + nam
 *                   ^
 *
 * A long line is shown cut around the error, with `...` at the cut ends. These helpers turn that back into
 * a 0-based character offset in the SQL text (JS string index), so a problem can point inside the
 * expression the user wrote.
 */

/** DuckDB counts both \n and \r as line ends when numbering lines. */
function lineStarts(sql: string): number[] {
  const starts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n' || sql[i] === '\r') starts.push(i + 1);
  return starts;
}

/** Render width of one code point as DuckDB's terminal renderer counts it: combining marks 0, wide East Asian 2, else 1. */
function renderWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    cp >= 0x1f300
  )
    return 2;
  return 1;
}

/** The JS index in `text` at rendered column `col` (0-based), or undefined beyond the text. */
function indexAtColumn(text: string, col: number): number | undefined {
  let width = 0;
  for (let i = 0; i < text.length;) {
    if (width >= col) return i;
    const cp = text.codePointAt(i)!;
    width += renderWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return width >= col ? text.length : undefined;
}

/**
 * The 0-based offset in `sql` of the error DuckDB reported in `message` (its `LINE n:` and caret), or
 * undefined when the message carries no place or it cannot be matched to `sql`.
 */
export function duckDbErrorOffset(message: string, sql: string): number | undefined {
  const m = /(^|\n)(LINE (\d+): )([^\n]*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const lineNo = Number(m[3]);
  const prefix = m[2]!;
  let snippet = m[4]!;
  const caretCol = m[5]!.length - prefix.length;
  const starts = lineStarts(sql);
  if (lineNo < 1 || lineNo > starts.length || caretCol < 0) return undefined;
  const start = starts[lineNo - 1]!;
  const next = starts[lineNo];
  const line = sql.slice(start, next === undefined ? sql.length : next - 1);
  let col = caretCol;
  let from = 0;
  if (snippet.startsWith('...')) {
    snippet = snippet.slice(3);
    col -= 3;
    if (snippet.endsWith('...')) snippet = snippet.slice(0, -3);
    // The shown part of the line: its first occurrence (a repeated 100-character stretch is the only ambiguity).
    const at = line.indexOf(snippet);
    if (at < 0) return undefined;
    from = at;
  }
  const inLine = indexAtColumn(line.slice(from), col);
  return inLine === undefined ? undefined : start + from + inLine;
}

/** A UTF-8 byte offset in `text` (DuckDB's parser positions and AST `query_location`s) as a JS string index. */
export function byteToCharOffset(text: string, bytes: number): number {
  const buf = Buffer.from(text, 'utf8');
  return buf.subarray(0, Math.max(0, Math.min(bytes, buf.length))).toString('utf8').length;
}

/**
 * The first whole-word occurrence (case-insensitive) in `text` of the name a DuckDB message quotes
 * (`column "nam"`, `name foo does not exist`), for errors DuckDB reports without a caret.
 */
export function quotedNameOffset(message: string, text: string): number | undefined {
  const names = [...message.matchAll(/(?:column(?: named)?|name|function) "?([A-Za-z_][\w$]*)"?/gi)].map((x) => x[1]!);
  for (const name of names) {
    const re = new RegExp(`(^|[^\\w$"])(${name.replace(/[$]/g, '\\$')})(?![\\w$])`, 'i');
    const hit = re.exec(text);
    if (hit) return hit.index + hit[1]!.length;
  }
  return undefined;
}
