import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { FormatOptions } from './format-options';
import { IngestError } from './ingest.errors';

/** The column holding each row's sheet row number in the CSV written for a sheet. */
export const XLSX_LINE_COLUMN = '__ff_line';

export interface SheetAsCsv {
  sheet: string;
  /** Data rows written. */
  rows: number;
  /** Column names from the header row (raw; the reader deduplicates them); null without a header row. */
  header: string[] | null;
  /** The widest data row, in cells. */
  width: number;
}

/** `B2:F200` → 1-based bounds. */
export function parseRange(range: string): { top: number; left: number; bottom: number; right: number } {
  const m = /^([A-Za-z]{1,3})(\d+):([A-Za-z]{1,3})(\d+)$/.exec(range);
  if (!m) throw new IngestError('FF_INGEST_OPTIONS', `options.xlsx.range ${JSON.stringify(range)} is not an A1:B2 range`);
  const col = (s: string): number => [...s.toUpperCase()].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);
  const [a, b, c, d] = [col(m[1]!), Number(m[2]), col(m[3]!), Number(m[4])];
  return { top: Math.min(b, d), left: Math.min(a, c), bottom: Math.max(b, d), right: Math.max(a, c) };
}

/** A cell as the text a CSV would hold: numbers as JS prints them, dates as ISO, formulas by their result. */
function cellText(value: ExcelJS.CellValue): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  const v = value as unknown as Record<string, unknown>;
  if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
  if ('richText' in v) return (v.richText as { text: string }[]).map((r) => r.text).join('');
  if ('text' in v) return String(v.text);
  if ('error' in v) return String(v.error);
  return JSON.stringify(value);
}

function csvField(s: string | null): string {
  if (s === null) return '';
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Streams one sheet of an xlsx into a UTF-8 CSV (every value quoted, so an empty text stays distinct
 * from an empty cell) with the sheet row number first, through exceljs' streaming WorkbookReader: the
 * workbook is never held whole in memory (shared strings are, as Excel stores them once per workbook).
 */
export async function xlsxSheetToCsv(file: string, out: string, options: FormatOptions['xlsx'] = {}, signal?: AbortSignal): Promise<SheetAsCsv> {
  const headerRow = options.headerRow ?? 1;
  const range = options.range ? parseRange(options.range) : null;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(file), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const sink = createWriteStream(out);
  const write = async (line: string): Promise<void> => {
    if (!sink.write(line)) await once(sink, 'drain');
  };
  let index = 0;
  let found: SheetAsCsv | null = null;
  const seen: string[] = [];
  try {
    for await (const ws of reader) {
      index++;
      const name = String((ws as unknown as { name?: string }).name ?? `Sheet${index}`);
      seen.push(name);
      const want = options.sheet === undefined ? index === 1 : typeof options.sheet === 'number' ? options.sheet === index : options.sheet === name;
      if (!want || found) {
        for await (const _row of ws) void _row; // a sheet must be drained for the reader to reach the next
        continue;
      }
      found = { sheet: name, rows: 0, header: null, width: 0 };
      for await (const row of ws) {
        if (signal?.aborted) throw new IngestError('FF_INGEST_CANCELLED', `reading ${file} was cancelled`);
        const n = row.number;
        if (n < headerRow || (range && (n < range.top || n > range.bottom))) continue;
        const values = row.values as ExcelJS.CellValue[]; // 1-based: values[0] is unused
        const right = range?.right ?? values.length - 1;
        const cells: (string | null)[] = [];
        for (let c = range?.left ?? 1; c <= right; c++) cells.push(cellText(values[c]));
        while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
        if (n === headerRow) {
          found.header = cells.map((c) => c ?? '');
          continue;
        }
        // Rows are written as long as they are; the CSV reader pads short ones and rejects longer-than-header ones.
        found.width = Math.max(found.width, cells.length);
        await write(`${n}${cells.map((c) => `,${csvField(c)}`).join('')}\n`);
        found.rows++;
      }
    }
  } catch (err) {
    sink.destroy();
    if (err instanceof IngestError) throw err;
    throw new IngestError('FF_INGEST_READ', `${file} is not a readable xlsx workbook: ${(err as Error).message}`, { cause: err });
  }
  sink.end();
  await once(sink, 'close');
  if (!found)
    throw new IngestError(
      'FF_INGEST_READ',
      `${file} has no sheet ${JSON.stringify(options.sheet ?? 1)} (sheets: ${seen.map((s) => JSON.stringify(s)).join(', ') || 'none'})`,
    );
  return found;
}
