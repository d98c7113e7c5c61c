import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { IngestError } from './ingest.errors';

export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet' | 'xlsx';
export type Compression = 'none' | 'gzip' | 'zip' | 'tar' | 'tar.gz';
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'latin1';

/** How to read one file; every field is optional and `auto` where detection applies. */
export interface FormatOptions {
  format?: 'auto' | FileFormat;
  compression?: 'auto' | Compression;
  /** Archive members to read, a glob over the member's path (`data/*.csv`); default every file member. */
  members?: string;
  encoding?: 'auto' | TextEncoding;
  csv?: {
    /** One character, or `auto` (tried: `,` tab `;` `|`). */
    delimiter?: string;
    quote?: string;
    /** Default: the quote character (RFC 4180 doubling). */
    escape?: string;
    header?: boolean | 'auto';
    skipRows?: number;
    /** Texts read as NULL (default: the empty field only). */
    nullValues?: string[];
    /** A row with too few or too many fields: rejected (default) or padded with NULLs / extra fields rejected. */
    raggedRows?: 'reject' | 'pad';
    /** Longest physical record DuckDB accepts, in bytes (default 32 MiB); longer ones are rejected. */
    maxLineBytes?: number;
  };
  /** Number and date conventions of the source (decimal comma, day-first dates). */
  locale?: { decimalSeparator?: '.' | ','; dateOrder?: 'YMD' | 'DMY' | 'MDY' };
  json?: {
    /** Objects kept as STRUCT columns (default) or flattened into `parent.child` columns. */
    nested?: 'struct' | 'flatten';
    /** Array columns to explode into one row per element; the others stay LIST columns. */
    explode?: string[];
  };
  xlsx?: {
    /** Sheet name or 1-based index (default the first sheet). */
    sheet?: string | number;
    /** 1-based row holding the column names (default 1); 0: no header row. */
    headerRow?: number;
    /** A1-style range to read, e.g. `B2:F200` (default the whole sheet). */
    range?: string;
  };
  /** Column types that override inference, by column name (DuckDB type names: VARCHAR, BIGINT, DECIMAL(18,2), DATE...). */
  columns?: Record<string, string>;
  /** false: every column VARCHAR, values exactly as written. Default true. */
  inferTypes?: boolean;
  /** Rows sampled to infer types (default 100000); values beyond the sample that do not fit go to `_rescued_data`. */
  sampleRows?: number;
}

/** Guards of one read. */
export interface IngestLimits {
  /** Archive members extracted at most (default 10000). */
  maxMembers?: number;
  /** Bytes extracted from an archive or a gzip stream at most (default 64 GiB). */
  maxExtractedBytes?: number;
  /** Extracted ÷ compressed bytes at most (default 200), checked as data streams, per member and overall. */
  maxCompressionRatio?: number;
  /** Rejected rows allowed before the read fails and keeps nothing; either bound may be set. */
  maxRejected?: { count?: number; percent?: number };
  /** DuckDB memory_limit for this read (default "512MB"); beyond it DuckDB spills to the work dir. */
  memoryLimit?: string;
  threads?: number;
}

const delimiterChar = { type: 'string', minLength: 1, maxLength: 1 } as const;

/** JSON Schema (2020-12) of FormatOptions: the ingest job type's config embeds it and the console renders it. */
export const FORMAT_OPTIONS_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'File format options',
  type: 'object',
  additionalProperties: false,
  properties: {
    format: {
      enum: ['auto', 'csv', 'json', 'ndjson', 'parquet', 'xlsx'],
      default: 'auto',
      description: 'auto: from magic bytes and content, then the extension',
    },
    compression: { enum: ['auto', 'none', 'gzip', 'zip', 'tar', 'tar.gz'], default: 'auto', description: 'auto: from magic bytes' },
    members: { type: 'string', minLength: 1, maxLength: 500, description: 'glob of archive members to read (default: all)' },
    encoding: { enum: ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'], default: 'auto' },
    csv: {
      type: 'object',
      additionalProperties: false,
      properties: {
        delimiter: { anyOf: [{ const: 'auto' }, delimiterChar], default: 'auto' },
        quote: delimiterChar,
        escape: delimiterChar,
        header: { anyOf: [{ type: 'boolean' }, { const: 'auto' }], default: 'auto' },
        skipRows: { type: 'integer', minimum: 0, maximum: 1000000 },
        nullValues: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 50 },
        raggedRows: { enum: ['reject', 'pad'], default: 'reject' },
        maxLineBytes: { type: 'integer', minimum: 1024, maximum: 1073741824 },
      },
    },
    locale: {
      type: 'object',
      additionalProperties: false,
      properties: {
        decimalSeparator: { enum: ['.', ','], default: '.' },
        dateOrder: { enum: ['YMD', 'DMY', 'MDY'], default: 'YMD', description: 'how to read ambiguous dates such as 03/04/2024' },
      },
    },
    json: {
      type: 'object',
      additionalProperties: false,
      properties: {
        nested: { enum: ['struct', 'flatten'], default: 'struct' },
        explode: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1 },
      },
    },
    xlsx: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sheet: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'integer', minimum: 1 },
          ],
        },
        headerRow: { type: 'integer', minimum: 0 },
        range: { type: 'string', pattern: '^[A-Za-z]{1,3}[0-9]+:[A-Za-z]{1,3}[0-9]+$' },
      },
    },
    columns: { type: 'object', additionalProperties: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_ (),]*$', maxLength: 60 } },
    inferTypes: { type: 'boolean', default: true },
    sampleRows: { type: 'integer', minimum: 1, maximum: 10000000, default: 100000 },
  },
} as const;

/** JSON Schema of IngestLimits. */
export const INGEST_LIMITS_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Ingestion limits',
  type: 'object',
  additionalProperties: false,
  properties: {
    maxMembers: { type: 'integer', minimum: 1 },
    maxExtractedBytes: { type: 'integer', minimum: 1 },
    maxCompressionRatio: { type: 'number', minimum: 1 },
    maxRejected: {
      type: 'object',
      additionalProperties: false,
      properties: { count: { type: 'integer', minimum: 0 }, percent: { type: 'number', minimum: 0, maximum: 100 } },
    },
    memoryLimit: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*(B|KB|MB|GB|KiB|MiB|GiB)$' },
    threads: { type: 'integer', minimum: 1, maximum: 256 },
  },
} as const;

export const DEFAULT_LIMITS = {
  maxMembers: 10_000,
  maxExtractedBytes: 64 * 2 ** 30,
  maxCompressionRatio: 200,
  memoryLimit: '512MB',
} as const;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
const validateOptions = ajv.compile(FORMAT_OPTIONS_JSON_SCHEMA);
const validateLimits = ajv.compile(INGEST_LIMITS_JSON_SCHEMA);

/** Validates options and limits (unknown input, e.g. a job config); FF_INGEST_OPTIONS names every bad field. */
export function parseFormatOptions(options: unknown = {}, limits: unknown = {}): { options: FormatOptions; limits: IngestLimits } {
  const problems: string[] = [];
  if (!validateOptions(options)) problems.push(...(validateOptions.errors ?? []).map((e) => describe('options', e)));
  if (!validateLimits(limits)) problems.push(...(validateLimits.errors ?? []).map((e) => describe('limits', e)));
  const o = options as FormatOptions;
  const csv = o?.csv;
  if (csv && csv.delimiter !== undefined && csv.delimiter === (csv.quote ?? '"')) problems.push('options.csv.quote must differ from options.csv.delimiter');
  if (problems.length > 0) throw new IngestError('FF_INGEST_OPTIONS', [...new Set(problems)].join('; '));
  return { options: o, limits: limits as IngestLimits };
}

function describe(root: string, e: ErrorObject): string {
  const at = root + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') return `${at}.${(e.params as { additionalProperty: string }).additionalProperty} is not a known option`;
  if (e.keyword === 'enum') return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${at} ${e.message ?? `fails ${e.keyword}`}`;
}
