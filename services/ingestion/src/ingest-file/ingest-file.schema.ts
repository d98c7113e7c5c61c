import { FORMAT_OPTIONS_JSON_SCHEMA, INGEST_LIMITS_JSON_SCHEMA, type FormatOptions, type OnSchemaChange } from '@flowforge/ingest';

/** Lake names (libs/engine LAKE_NAME); a table leaves room for the `__rejects` suffix of its companion. */
const NAMESPACE = '^[a-z][a-z0-9_]{0,62}$';
const TABLE = '^[a-z][a-z0-9_]{0,53}$';
/** A relative path: no leading `/`, no `..` segment, no backslash or control character (libs/connectors checks again). */
const RELATIVE = '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\\\u0000-\\u001f]*$';

/** Set beside one of path / glob / regex: refused with a message naming the field (libs/workflow reads `description`). */
const exclusive = (other: string) => ({ not: {}, description: `cannot be combined with ${other}: set exactly one of path, glob, regex` });

const { $schema: _s, title: _t, ...formatOptions } = FORMAT_OPTIONS_JSON_SCHEMA;
const { format: formatProperty, ...optionProperties } = formatOptions.properties;
const { maxRejected: _m, ...readLimits } = INGEST_LIMITS_JSON_SCHEMA.properties;

/** The config of `ingest.file` (JSON Schema 2020-12): validated when a job is applied and again at each dispatch. */
export const INGEST_FILE_CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Ingest files into Bronze',
  type: 'object',
  additionalProperties: false,
  required: ['connection', 'target'],
  properties: {
    connection: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]{0,127}$',
      description: 'Name of the catalog connection the files are read through (a file location: local, s3, sftp...)',
    },
    path: { type: 'string', minLength: 1, maxLength: 1024, pattern: RELATIVE, description: 'One file, relative to the connection root' },
    glob: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: RELATIVE,
      description: 'Files matching a glob over the relative path: * ? [abc] and ** for any depth, e.g. in/**/*.csv',
    },
    regex: { type: 'string', minLength: 1, maxLength: 1024, description: 'Files whose relative path matches this JavaScript regular expression' },
    under: { type: 'string', maxLength: 1024, pattern: RELATIVE, description: 'With regex: the folder to walk (default: the root)' },
    format: { ...formatProperty, description: 'File format; auto: from magic bytes and content, then the extension' },
    options: {
      ...formatOptions,
      properties: optionProperties,
      title: 'Format options',
      description: 'How to read the files (CSV dialect, encoding, JSON, xlsx, types)',
    },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'table'],
      description: 'The Bronze table the rows go to; rejected rows go to <table>__rejects beside it',
      properties: {
        layer: { const: 'bronze', default: 'bronze', description: 'Always bronze: ingestion lands raw data' },
        namespace: { type: 'string', pattern: NAMESPACE, description: '1-63 lower-case letters, digits or _, starting with a letter' },
        table: { type: 'string', pattern: TABLE, description: '1-54 lower-case letters, digits or _, starting with a letter' },
      },
    },
    mode: { enum: ['append', 'replace'], default: 'append', description: 'append: add the rows to the table; replace: the table becomes these rows' },
    onSchemaChange: {
      enum: ['fail', 'evolve', 'quarantine'],
      default: 'fail',
      description: 'A file that does not fit the table: fail the step; evolve (add columns, widen types); quarantine (its misfit rows go to the rejects)',
    },
    maxRejected: {
      type: 'object',
      additionalProperties: false,
      description: 'Rejected rows allowed over the whole run; beyond either bound the step fails and commits nothing',
      properties: {
        count: { type: 'integer', minimum: 0, maximum: 1_000_000_000_000, description: 'Rejected rows at most' },
        percent: { type: 'number', minimum: 0, maximum: 100, description: 'Rejected rows at most, as a percentage of all rows read' },
      },
    },
    reprocess: { type: 'boolean', default: false, description: 'Read files this table already ingested again (default: skip them)' },
    afterSuccess: {
      type: 'object',
      additionalProperties: false,
      description: 'What happens to each source file once its rows are committed',
      properties: {
        action: { enum: ['none', 'archive', 'delete'], default: 'none', description: 'archive: move it under archivePrefix; delete: remove it' },
        archivePrefix: {
          type: 'string',
          minLength: 1,
          maxLength: 512,
          pattern: `${RELATIVE.slice(0, -1)}/$`,
          default: 'archive/',
          description: 'Folder (relative to the connection root, ending with /) archived files move to, keeping their path',
        },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      description: 'Bounds of one run',
      properties: {
        maxFiles: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000, description: 'Files one run takes at most (more: the step fails)' },
        maxFileBytes: { type: 'integer', minimum: 1, maximum: 1_099_511_627_776, description: 'Largest source file accepted, in bytes' },
        maxTotalBytes: { type: 'integer', minimum: 1, maximum: 10_995_116_277_760, description: 'Bytes one run downloads at most' },
        ...readLimits,
      },
    },
  },
  anyOf: [{ required: ['path'] }, { required: ['glob'] }, { required: ['regex'] }],
  dependentSchemas: {
    path: { properties: { glob: exclusive('path'), regex: exclusive('path'), under: exclusive('path') } },
    glob: { properties: { regex: exclusive('glob'), under: exclusive('glob') } },
  },
} as const;

export interface IngestFileConfig {
  connection: string;
  path?: string;
  glob?: string;
  regex?: string;
  under?: string;
  format: NonNullable<FormatOptions['format']>;
  options?: Omit<FormatOptions, 'format'>;
  target: { layer: 'bronze'; namespace: string; table: string };
  mode: 'append' | 'replace';
  onSchemaChange: OnSchemaChange;
  maxRejected?: { count?: number; percent?: number };
  reprocess: boolean;
  afterSuccess?: { action: 'none' | 'archive' | 'delete'; archivePrefix: string };
  limits?: {
    maxFiles?: number;
    maxFileBytes?: number;
    maxTotalBytes?: number;
    maxMembers?: number;
    maxExtractedBytes?: number;
    maxCompressionRatio?: number;
    memoryLimit?: string;
    threads?: number;
  };
}
