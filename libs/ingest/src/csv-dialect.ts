/** Columns the reader adds; a source column of the same name is renamed (see uniqueColumnNames). */
export const AUDIT_COLUMNS = ['_ff_run_id', '_ff_source_file', '_ff_source_line', '_ff_ingested_at'] as const;
export const RESCUE_COLUMN = '_rescued_data';
const RESERVED = new Set<string>([...AUDIT_COLUMNS, RESCUE_COLUMN]);

export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  /** Lines before the header (or the first record). */
  skipRows: number;
  /** Column names (deduplicated) and how many fields a record has. */
  columns: string[];
  /** Why the delimiter and header were chosen, for the read's report. */
  notes: string[];
}

export const DELIMITER_CANDIDATES = [',', '\t', ';', '|'] as const;

/**
 * Parses records from the head of a text, RFC 4180 style (quoted fields may hold delimiters, quotes and
 * newlines; `\r\n`, `\n` and `\r` all end a record). The last record is dropped when the head was cut
 * inside it (`complete` false), so a sample never ends with a half record.
 */
export function parseCsvHead(text: string, delimiter: string, quote: string, escape: string, maxRecords: number, complete: boolean): string[][] {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let inQuotes = false;
  let i = 0;
  let fieldStarted = false;
  const n = text.length;
  while (i < n && records.length < maxRecords) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === escape && escape !== quote && text[i + 1] === quote) {
        field += quote;
        i += 2;
      } else if (c === quote) {
        if (escape === quote && text[i + 1] === quote) {
          field += quote;
          i += 2;
        } else {
          inQuotes = false;
          i++;
        }
      } else {
        field += c;
        i++;
      }
      continue;
    }
    if (c === quote && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
      i++;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      records.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (records.length < maxRecords && complete && !inQuotes && (fieldStarted || row.length > 0 || field !== '')) {
    row.push(field);
    records.push(row);
  }
  return records;
}

/**
 * The delimiter whose field count is most consistent over the head's records (and gives more than one
 * field); ties go to the earlier candidate (`,` first). A single-column file has no delimiter to find:
 * `,` is used.
 */
export function sniffDelimiter(text: string, quote: string, complete: boolean): { delimiter: string; note: string } {
  let best: { delimiter: string; score: number; fields: number } | null = null;
  for (const d of DELIMITER_CANDIDATES) {
    const records = parseCsvHead(text, d, quote, quote, 200, complete).filter((r) => !(r.length === 1 && r[0] === ''));
    if (records.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    const [fields, times] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
    if (fields < 2) continue;
    const score = times / records.length + Math.min(fields, 50) / 1000;
    if (!best || score > best.score) best = { delimiter: d, score, fields };
  }
  if (!best) return { delimiter: ',', note: 'no delimiter splits the head into columns: read as one column' };
  return {
    delimiter: best.delimiter,
    note: `delimiter ${JSON.stringify(best.delimiter)}: ${best.fields} fields in ${Math.round(Math.min(1, best.score) * 100)}% of the head's records`,
  };
}

const LOOKS_TYPED = /^\s*([+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*|true|false)\s*$/i;

/**
 * Whether the first record names the columns: not when one of its values looks like a number, a date
 * or a boolean; otherwise yes (a text-only file is far more often headed than not; an empty name, as
 * an exported index column has, is allowed).
 */
export function looksLikeHeader(records: string[][]): boolean {
  const first = records[0];
  if (!first) return true;
  if (first.some((v) => LOOKS_TYPED.test(v))) return false;
  return true;
}

/**
 * Names as tables can hold them: trimmed, empty → `column_<n>`, and unique ignoring case (DuckDB's
 * identifiers are case-insensitive) with `_2`, `_3` suffixes; a name the reader adds itself
 * (`_ff_*` audit columns, `_rescued_data`) gets a suffix as well.
 */
export function uniqueColumnNames(raw: readonly string[]): string[] {
  const taken = new Set<string>([...RESERVED]);
  return raw.map((r, i) => {
    const base = r.trim() === '' ? `column_${i + 1}` : r.trim();
    let name = base;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    taken.add(name.toLowerCase());
    return name;
  });
}
