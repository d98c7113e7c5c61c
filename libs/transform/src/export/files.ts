import { stat } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { sqlString, type DuckDbSession, type JsonRow } from '@flowforge/engine';
import { TransformError } from '../transform.errors';
import { transferSelect, valueKind, type ValueKind } from './dialects';
import type { FileFormatOptions } from './export-config';
import { describeSelect, readRowBatches, throwIfAborted } from './rows';

/** Excel's rows per sheet (1,048,576), the header row included. */
export const XLSX_MAX_ROWS = 1_048_576;
/** Excel's longest cell text (32,767 characters). */
export const XLSX_MAX_CELL_TEXT = 32_767;

export interface WriteExportFileOptions {
  signal?: AbortSignal;
  /** Called after each batch with the rows written so far (xlsx; parquet and csv report once at the end). */
  onProgress?: (p: { rows: number }) => void;
  /** xlsx: rows read from DuckDB per batch (default 10,000): bounds the JS-side memory. */
  batchSize?: number;
  /** xlsx: data rows per sheet before the next sheet starts (default XLSX_MAX_ROWS - 1; lower only in tests). */
  maxRowsPerSheet?: number;
}

export interface WrittenExportFile {
  rows: number;
  bytes: number;
  /** xlsx: the sheet names written, in order (more than one when the rows did not fit one sheet). */
  sheets?: string[];
}

/**
 * Writes the rows of `selectSql` to `localPath` in the export's file format; the service then uploads the
 * file to the destination connection. Parquet and CSV are one DuckDB COPY (streamed by DuckDB, memory
 * bounded by its memory limit). xlsx is written by exceljs' streaming WorkbookWriter from batches of rows
 * (readRowBatches): numbers stay numbers when a double holds them exactly (others become text), dates and
 * timestamps are Excel dates (UTC), lists and structs JSON text. A sheet holds at most 1,048,575 data rows
 * under its header: more rows continue on new sheets "<sheet> (2)", "<sheet> (3)"..., each with the header.
 * A text longer than Excel's 32,767 characters fails with FF_EXPORT_DESTINATION naming the column and row.
 */
export async function writeExportFile(
  session: DuckDbSession,
  selectSql: string,
  options: FileFormatOptions,
  localPath: string,
  opts: WriteExportFileOptions = {},
): Promise<WrittenExportFile> {
  throwIfAborted(opts.signal);
  if (options.format === 'xlsx') return writeXlsx(session, selectSql, options.sheet, localPath, opts);
  const copyOptions =
    options.format === 'parquet'
      ? `FORMAT parquet, COMPRESSION ${options.compression}`
      : `FORMAT csv, HEADER ${options.header ? 'true' : 'false'}, DELIMITER ${sqlString(options.delimiter)}`;
  if (options.format === 'parquet' && !['zstd', 'snappy', 'gzip', 'uncompressed'].includes(options.compression)) {
    throw new TransformError('FF_EXPORT_CONFIG', `compression ${JSON.stringify(options.compression)} is not one of zstd, snappy, gzip, uncompressed`, {
      problems: [{ field: 'destination.compression', message: 'must be zstd, snappy, gzip or uncompressed' }],
    });
  }
  const r = await session.all(`COPY (${selectSql}) TO ${sqlString(localPath)} (${copyOptions})`);
  const rows = Number(r.rows[0]?.Count ?? 0);
  opts.onProgress?.({ rows });
  return { rows, bytes: (await stat(localPath)).size };
}

async function writeXlsx(
  session: DuckDbSession,
  selectSql: string,
  sheet: string,
  localPath: string,
  opts: WriteExportFileOptions,
): Promise<WrittenExportFile> {
  const perSheet = opts.maxRowsPerSheet ?? XLSX_MAX_ROWS - 1;
  if (!Number.isInteger(perSheet) || perSheet < 1 || perSheet > XLSX_MAX_ROWS - 1) throw new RangeError(`maxRowsPerSheet must be in 1..${XLSX_MAX_ROWS - 1}`);
  const schema = await describeSelect(session, selectSql);
  const kinds = schema.map((c) => valueKind(c.type));
  const header = schema.map((c) => c.name);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: localPath, useStyles: true, useSharedStrings: false });
  const sheets: string[] = [];
  let ws: ExcelJS.Worksheet | undefined;
  let onSheet = 0;
  const nextSheet = () => {
    ws?.commit();
    const n = sheets.length + 1;
    const name = n === 1 ? sheet : `${sheet.slice(0, 31 - ` (${n})`.length)} (${n})`;
    sheets.push(name);
    ws = workbook.addWorksheet(name);
    ws.columns = schema.map((c, i) => ({ key: c.name, style: { numFmt: numFmt(kinds[i]!) } }));
    ws.addRow(header).commit();
    onSheet = 0;
  };
  nextSheet();
  let rows = 0;
  const transfer = transferSelect(selectSql, schema, 'xlsx');
  for await (const batch of readRowBatches(session, transfer, opts.batchSize ?? 10_000, opts.signal)) {
    for (const row of batch.rows) {
      if (onSheet === perSheet) nextSheet();
      ws!.addRow(schema.map((c, i) => cellValue(row, c.name, kinds[i]!, rows + 1))).commit();
      onSheet++;
      rows++;
    }
    opts.onProgress?.({ rows });
  }
  ws!.commit();
  await workbook.commit();
  return { rows, bytes: (await stat(localPath)).size, sheets };
}

function numFmt(k: ValueKind): string | undefined {
  if (k.kind === 'date') return 'yyyy-mm-dd';
  if (k.kind === 'timestamp' || k.kind === 'timestamptz') return 'yyyy-mm-dd hh:mm:ss.000';
  return undefined;
}

/** One cell: the JSON form DuckDB gave (transferSelect's forms) → the Excel value. */
function cellValue(row: JsonRow, column: string, k: ValueKind, rowNumber: number): ExcelJS.CellValue {
  const v = row[column];
  if (v === null || v === undefined) return null;
  switch (k.kind) {
    case 'boolean':
      return Boolean(v);
    case 'int':
    case 'decimal':
    case 'float': {
      const n = Number(v);
      // A double holds it exactly: a number cell; else (big integers, wide decimals, NaN) the exact text.
      if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
      return Number.isFinite(n) &&
        (k.kind === 'int'
          ? Number.isSafeInteger(n)
          : String(n) ===
            String(v)
              .replace(/(\.\d*?)0+$/, '$1')
              .replace(/\.$/, ''))
        ? n
        : String(v);
    }
    case 'date':
      return utcDate(`${String(v)}T00:00:00Z`) ?? String(v);
    case 'timestamp':
      return utcDate(`${String(v).replace(' ', 'T')}Z`) ?? String(v);
    case 'timestamptz':
      return utcDate(String(v)) ?? String(v);
    default: {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      if (text.length > XLSX_MAX_CELL_TEXT) {
        throw new TransformError(
          'FF_EXPORT_DESTINATION',
          `column ${JSON.stringify(column)}, row ${rowNumber}: ${text.length} characters do not fit an Excel cell (at most ${XLSX_MAX_CELL_TEXT}); export it as parquet or csv`,
        );
      }
      return text;
    }
  }
}

/** A Date of ISO text, or undefined when JS cannot hold it (years beyond ±275760, 'infinity'). */
function utcDate(iso: string): Date | undefined {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
