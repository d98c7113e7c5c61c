export interface TableColumn<T> {
  header: string;
  value: (row: T) => unknown;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  /** Longer cells are cut with "…"; default 60. */
  maxWidth?: number;
}

export interface TableOptions {
  /** How absent values (null, undefined) print; default empty. */
  empty?: string;
  /** `upper` (default) for labels; `as-is` when headers are data, e.g. a table's column names. */
  headers?: 'upper' | 'as-is';
}

const GAP = '  ';
const DEFAULT_MAX_WIDTH = 60;

/**
 * A plain-text table: upper-case headers (or as given), columns padded to their widest cell (in terminal columns,
 * so wide CJK characters count twice), two spaces between columns, no trailing spaces. A cell is one
 * line: control characters are escaped (`\n`), objects print as JSON, long cells are cut with "…".
 */
export function renderTable<T>(columns: readonly TableColumn<T>[], rows: readonly T[], options: TableOptions = {}): string {
  const cells = rows.map((row) => columns.map((c) => truncate(cellText(c.value(row), options.empty ?? ''), c.maxWidth ?? DEFAULT_MAX_WIDTH)));
  const headers = columns.map((c) => escapeControl(options.headers === 'as-is' ? c.header : c.header.toUpperCase()));
  const widths = columns.map((_, i) => Math.max(displayWidth(headers[i]!), ...cells.map((r) => displayWidth(r[i]!))));
  const line = (texts: string[]): string =>
    texts
      .map((text, i) => {
        const pad = ' '.repeat(widths[i]! - displayWidth(text));
        return columns[i]!.align === 'right' ? pad + text : text + pad;
      })
      .join(GAP)
      .trimEnd();
  return [line(headers), ...cells.map(line)].map((l) => `${l}\n`).join('');
}

/** One line of text for a value of any type. */
export function cellText(value: unknown, empty = ''): string {
  if (value === null || value === undefined) return empty;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value instanceof Date) text = value.toISOString();
  else text = JSON.stringify(value) ?? String(value);
  return escapeControl(text);
}

function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Cuts `text` to at most `max` terminal columns, ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

/** Terminal columns a string takes: wide (CJK, emoji) characters 2, combining marks 0. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

function charWidth(cp: number): number {
  if (cp === 0x200b || (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x20d0 && cp <= 0x20ff)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}
