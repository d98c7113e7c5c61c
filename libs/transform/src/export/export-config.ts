import { parseTableName } from '../relations';
import { TransformError, type TransformProblem } from '../transform.errors';

/** The warehouses an export can load into (each one module of libs/transform/src/export). */
export const WAREHOUSE_KINDS = ['snowflake', 'bigquery', 'redshift', 'synapse'] as const;
export type WarehouseKind = (typeof WAREHOUSE_KINDS)[number];

export const FILE_FORMATS = ['parquet', 'csv', 'xlsx'] as const;
export type ExportFileFormat = (typeof FILE_FORMATS)[number];

export const PARQUET_COMPRESSIONS = ['zstd', 'snappy', 'gzip', 'uncompressed'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** A relative path: no leading `/`, no `..` segment, no backslash or control character (NUL included). */
const RELATIVE = '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\\\u0000-\\u001f]*$';
/** One identifier of a destination: letters, digits, `_`, starting with a letter or `_` (every dialect takes it). */
export const DESTINATION_IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const DESTINATION_TABLE = '^[A-Za-z_][A-Za-z0-9_]{0,127}\\.[A-Za-z_][A-Za-z0-9_]{0,127}$';
/** A column of the source: any text DuckDB accepts as a name, without NUL or control characters. */
const COLUMN = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f]+$' } as const;
/** Excel's own rules for a sheet name: 1-31 characters, none of : \ / ? * [ ]. */
const SHEET = '^[^:\\\\/?*\\[\\]\\u0000-\\u001f]{1,31}$';

/** A property that must not be set in this branch (the message names the field and why). */
const forbidden = (why: string) => ({ not: {}, description: why });

/**
 * The config of an export (JSON Schema 2020-12): one lake table (or some of its columns) to a file on a
 * catalog file connection or to a warehouse table. Validated by the executor kit at each dispatch; then
 * `normalizeExportConfig` applies the per-destination defaults and the checks a schema cannot express.
 * Destination defaults live in the descriptions (not `default`, which JSON Schema ignores inside the
 * per-kind branches).
 */
export const EXPORT_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Export a lake table',
  type: 'object',
  additionalProperties: false,
  required: ['source', 'destination'],
  properties: {
    source: {
      type: 'string',
      minLength: 5,
      maxLength: 140,
      pattern: '^(bronze|silver|gold)\\.[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}$',
      title: 'Source table',
      description: 'The lake table exported, <layer>.<namespace>.<table>, e.g. gold.sales.daily',
    },
    columns: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      uniqueItems: true,
      items: COLUMN,
      title: 'Columns',
      description: 'The columns exported, in this order (default: all, in table order)',
    },
    mode: {
      enum: ['full', 'incremental'],
      default: 'full',
      title: 'Mode',
      description: 'full: every row of the current snapshot; incremental: only the rows added since the snapshot last exported to this destination',
    },
    destination: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'connection'],
      title: 'Destination',
      description: 'A file on a file connection, or a table in a warehouse',
      properties: {
        kind: { enum: ['file', ...WAREHOUSE_KINDS], title: 'Kind', description: 'file, or the warehouse: snowflake, bigquery, redshift, synapse' },
        connection: {
          type: 'string',
          minLength: 1,
          maxLength: 128,
          pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$',
          title: 'Connection',
          description: 'Name of the catalog connection written to (a file location for files; the warehouse credentials otherwise)',
        },
        path: {
          type: 'string',
          minLength: 1,
          maxLength: 1024,
          pattern: RELATIVE,
          title: 'Path',
          description: 'file: the file written, relative to the connection root (no .., no leading /), e.g. out/daily.parquet',
        },
        format: { enum: [...FILE_FORMATS], title: 'Format', description: 'file: parquet, csv or xlsx (Excel)' },
        compression: {
          enum: [...PARQUET_COMPRESSIONS],
          title: 'Parquet compression',
          description: 'parquet: the codec (default zstd)',
        },
        delimiter: {
          type: 'string',
          minLength: 1,
          maxLength: 1,
          pattern: '^[^\\u0000\\r\\n"]$',
          title: 'CSV delimiter',
          description: 'csv: one character between fields (default ,)',
        },
        header: { type: 'boolean', title: 'CSV header', description: 'csv: write the column names as the first line (default true)' },
        sheet: {
          type: 'string',
          minLength: 1,
          maxLength: 31,
          pattern: SHEET,
          title: 'Sheet name',
          description: 'xlsx: the sheet name (default Export); 1-31 characters, none of : \\ / ? * [ ]',
        },
        table: {
          type: 'string',
          minLength: 3,
          maxLength: 257,
          pattern: DESTINATION_TABLE,
          title: 'Table',
          description: 'warehouse: <schema>.<table> (BigQuery: <dataset>.<table>), letters, digits and _; created when missing',
        },
        writeMode: {
          enum: ['replace', 'append', 'merge'],
          title: 'Write mode',
          description: 'warehouse: replace the table rows, append to them, or merge by key (update matches, insert the rest); default append',
        },
        key: {
          type: 'array',
          minItems: 1,
          maxItems: 32,
          uniqueItems: true,
          items: COLUMN,
          title: 'Merge key',
          description: 'merge: the columns identifying a row in the destination table',
        },
      },
      allOf: [
        {
          if: { properties: { kind: { const: 'file' } } },
          then: {
            required: ['path', 'format'],
            properties: {
              table: forbidden('only for a warehouse destination'),
              writeMode: forbidden('only for a warehouse destination'),
              key: forbidden('only for a warehouse destination'),
            },
          },
          else: {
            required: ['table'],
            properties: {
              path: forbidden('only for a file destination'),
              format: forbidden('only for a file destination'),
              compression: forbidden('only for a file destination'),
              delimiter: forbidden('only for a file destination'),
              header: forbidden('only for a file destination'),
              sheet: forbidden('only for a file destination'),
            },
          },
        },
        { if: { required: ['writeMode'], properties: { writeMode: { const: 'merge' } } }, then: { required: ['key'] } },
        { if: { required: ['key'] }, then: { required: ['writeMode'], properties: { writeMode: { const: 'merge' } } } },
        {
          if: { required: ['format'], properties: { format: { const: 'parquet' } } },
          then: {
            properties: { delimiter: forbidden('only for format csv'), header: forbidden('only for format csv'), sheet: forbidden('only for format xlsx') },
          },
        },
        {
          if: { required: ['format'], properties: { format: { const: 'csv' } } },
          then: { properties: { compression: forbidden('only for format parquet'), sheet: forbidden('only for format xlsx') } },
        },
        {
          if: { required: ['format'], properties: { format: { const: 'xlsx' } } },
          then: {
            properties: {
              compression: forbidden('only for format parquet'),
              delimiter: forbidden('only for format csv'),
              header: forbidden('only for format csv'),
            },
          },
        },
      ],
    },
  },
} as const;

/** How a file is written (the options of its format, defaults applied). */
export type FileFormatOptions =
  { format: 'parquet'; compression: ParquetCompression } | { format: 'csv'; delimiter: string; header: boolean } | { format: 'xlsx'; sheet: string };

export interface FileDestinationConfig {
  kind: 'file';
  connection: string;
  path: string;
  file: FileFormatOptions;
}

export type WriteMode = 'replace' | 'append' | 'merge';

/** `sales.daily` split: both parts match DESTINATION_IDENT. */
export interface DestinationTable {
  schema: string;
  table: string;
}

export interface WarehouseDestinationConfig {
  kind: WarehouseKind;
  connection: string;
  table: DestinationTable;
  writeMode: WriteMode;
  /** Set exactly when writeMode is merge. */
  key?: string[];
}

/** An export config after `normalizeExportConfig`: defaults applied, the destination a tagged union. */
export interface ExportConfig {
  source: string;
  columns?: string[];
  mode: 'full' | 'incremental';
  destination: FileDestinationConfig | WarehouseDestinationConfig;
}

/** The config as the schema admits it (what the executor kit hands over). */
export interface RawExportConfig {
  source: string;
  columns?: string[];
  mode?: 'full' | 'incremental';
  destination: {
    kind: 'file' | WarehouseKind;
    connection: string;
    path?: string;
    format?: ExportFileFormat;
    compression?: ParquetCompression;
    delimiter?: string;
    header?: boolean;
    sheet?: string;
    table?: string;
    writeMode?: WriteMode;
    key?: string[];
  };
}

/**
 * Applies the destination defaults and re-checks what the runner relies on (the schema may have been
 * skipped by a caller): returns the tagged config, or throws TransformError FF_EXPORT_CONFIG whose
 * `problems` name every bad field (`destination.key`). `sourceColumns`, when known, also checks that
 * `columns` and `key` name columns of the source.
 */
export function normalizeExportConfig(raw: RawExportConfig, sourceColumns?: readonly string[]): ExportConfig {
  const problems: TransformProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  try {
    parseTableName(raw.source, 'source');
  } catch {
    bad('source', 'must be <layer>.<namespace>.<table>, e.g. gold.sales.daily');
  }
  const d = raw.destination ?? ({} as RawExportConfig['destination']);
  const known = sourceColumns ? new Set(sourceColumns) : undefined;
  const exported = raw.columns ?? sourceColumns;
  if (raw.columns !== undefined) {
    if (!Array.isArray(raw.columns) || raw.columns.length === 0 || raw.columns.length > 1000) bad('columns', 'must list 1 to 1000 columns');
    else {
      if (new Set(raw.columns).size !== raw.columns.length) bad('columns', 'lists a column twice');
      raw.columns.forEach((c, i) => {
        if (!validColumn(c)) bad(`columns[${i}]`, 'must be 1-255 characters without control characters');
        else if (known && !known.has(c)) bad(`columns[${i}]`, `${JSON.stringify(c)} is not a column of ${raw.source}`);
      });
    }
  }
  const mode = raw.mode ?? 'full';
  if (mode !== 'full' && mode !== 'incremental') bad('mode', 'must be full or incremental');
  if (typeof d.connection !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$/.test(d.connection)) bad('destination.connection', 'must be a connection name');
  let destination: ExportConfig['destination'] | undefined;
  if (d.kind === 'file') {
    const path = d.path;
    if (typeof path !== 'string' || path.length === 0 || path.length > 1024 || !new RegExp(RELATIVE).test(path)) {
      bad('destination.path', 'must be a relative path of at most 1024 characters, without .. segments, a leading / or control characters');
    }
    let file: FileFormatOptions | undefined;
    if (d.format === 'parquet') {
      const compression = d.compression ?? 'zstd';
      if (!(PARQUET_COMPRESSIONS as readonly string[]).includes(compression))
        bad('destination.compression', `must be one of ${PARQUET_COMPRESSIONS.join(', ')}`);
      file = { format: 'parquet', compression };
    } else if (d.format === 'csv') {
      const delimiter = d.delimiter ?? ',';
      if (typeof delimiter !== 'string' || delimiter.length !== 1 || /[\0\r\n"]/.test(delimiter))
        bad('destination.delimiter', 'must be one character, not a quote or line break');
      file = { format: 'csv', delimiter, header: d.header ?? true };
    } else if (d.format === 'xlsx') {
      const sheet = d.sheet ?? 'Export';
      if (typeof sheet !== 'string' || !new RegExp(SHEET).test(sheet)) bad('destination.sheet', 'must be 1-31 characters, none of : \\ / ? * [ ]');
      file = { format: 'xlsx', sheet };
    } else bad('destination.format', `must be one of ${FILE_FORMATS.join(', ')}`);
    for (const f of ['table', 'writeMode', 'key'] as const) if (d[f] !== undefined) bad(`destination.${f}`, 'only for a warehouse destination');
    if (file) destination = { kind: 'file', connection: d.connection, path: path!, file };
  } else if ((WAREHOUSE_KINDS as readonly string[]).includes(d.kind)) {
    const table = parseDestinationTable(d.table, 'destination.table', problems);
    const writeMode = d.writeMode ?? 'append';
    if (!['replace', 'append', 'merge'].includes(writeMode)) bad('destination.writeMode', 'must be replace, append or merge');
    if (writeMode === 'merge') {
      if (!Array.isArray(d.key) || d.key.length === 0 || d.key.length > 32) bad('destination.key', 'merge needs 1 to 32 key columns');
      else {
        const out = new Set(exported ?? []);
        d.key.forEach((k, i) => {
          if (!validColumn(k)) bad(`destination.key[${i}]`, 'must be 1-255 characters without control characters');
          else if (exported && !out.has(k)) bad(`destination.key[${i}]`, `${JSON.stringify(k)} is not an exported column`);
        });
        if (new Set(d.key).size !== d.key.length) bad('destination.key', 'lists a column twice');
      }
    } else if (d.key !== undefined) bad('destination.key', 'only with writeMode merge');
    for (const f of ['path', 'format', 'compression', 'delimiter', 'header', 'sheet'] as const) {
      if (d[f] !== undefined) bad(`destination.${f}`, 'only for a file destination');
    }
    if (table) destination = { kind: d.kind as WarehouseKind, connection: d.connection, table, writeMode, ...(writeMode === 'merge' ? { key: d.key } : {}) };
  } else bad('destination.kind', `must be file or one of ${WAREHOUSE_KINDS.join(', ')}`);
  if (problems.length > 0 || !destination) {
    throw new TransformError('FF_EXPORT_CONFIG', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems });
  }
  return { source: raw.source, ...(raw.columns ? { columns: raw.columns } : {}), mode, destination };
}

/** `sales.daily` → { schema, table }, or a problem naming `field` (pushed to `problems`, or thrown when none given). */
export function parseDestinationTable(text: unknown, field = 'table', problems?: TransformProblem[]): DestinationTable | undefined {
  const parts = typeof text === 'string' ? text.split('.') : [];
  if (parts.length === 2 && parts.every((p) => DESTINATION_IDENT.test(p))) return { schema: parts[0]!, table: parts[1]! };
  const problem = { field, message: 'must be <schema>.<table>, each 1-128 letters, digits or _, not starting with a digit' };
  if (problems) {
    problems.push(problem);
    return undefined;
  }
  throw new TransformError('FF_EXPORT_CONFIG', `${field}: ${problem.message}`, { problems: [problem] });
}

function validColumn(c: unknown): c is string {
  return typeof c === 'string' && c.length > 0 && c.length <= 255 && !/[\u0000-\u001f]/.test(c);
}
