import { JobConfigValidator, JobError, type JobType } from '@flowforge/executor';
import { TransformError } from '../transform.errors';
import { EXPORT_CONFIG_SCHEMA, normalizeExportConfig, parseDestinationTable, type RawExportConfig } from './export-config';

/** The schema as the executor kit compiles it (strict Ajv 2020) and applies it at each dispatch. */
const jobType: JobType<RawExportConfig> = {
  type: 'export',
  version: 1,
  configSchema: EXPORT_CONFIG_SCHEMA,
  execute: () => Promise.reject(new Error('not run here')),
};
const validator = new JobConfigValidator([jobType]);
const parse = (config: unknown): RawExportConfig => validator.parse(jobType, JSON.stringify(config)) as RawExportConfig;
const refusal = (config: unknown): string => {
  try {
    parse(config);
  } catch (err) {
    expect(err).toBeInstanceOf(JobError);
    return (err as JobError).detail;
  }
  throw new Error(`accepted ${JSON.stringify(config)}`);
};
const problems = (raw: RawExportConfig, cols?: string[]) => {
  try {
    normalizeExportConfig(raw, cols);
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).code).toBe('FF_EXPORT_CONFIG');
    return (err as TransformError).problems.map((p) => p.field);
  }
  throw new Error('accepted');
};

const file = { source: 'gold.sales.daily', destination: { kind: 'file', connection: 'landing', path: 'out/daily.parquet', format: 'parquet' } };
const wh = { source: 'gold.sales.daily', destination: { kind: 'redshift', connection: 'dwh', table: 'sales.daily' } };

describe('EXPORT_CONFIG_SCHEMA + normalizeExportConfig', () => {
  it('fills in the defaults: mode full, zstd, csv , with header, sheet Export, writeMode append', () => {
    expect(normalizeExportConfig(parse(file))).toEqual({
      source: 'gold.sales.daily',
      mode: 'full',
      destination: { kind: 'file', connection: 'landing', path: 'out/daily.parquet', file: { format: 'parquet', compression: 'zstd' } },
    });
    expect(normalizeExportConfig(parse({ ...file, destination: { ...file.destination, format: 'csv' } })).destination).toMatchObject({
      file: { format: 'csv', delimiter: ',', header: true },
    });
    expect(normalizeExportConfig(parse({ ...file, destination: { ...file.destination, format: 'xlsx' } })).destination).toMatchObject({
      file: { format: 'xlsx', sheet: 'Export' },
    });
    expect(normalizeExportConfig(parse({ ...wh, mode: 'incremental', columns: ['id', 'amount'] }))).toEqual({
      source: 'gold.sales.daily',
      columns: ['id', 'amount'],
      mode: 'incremental',
      destination: { kind: 'redshift', connection: 'dwh', table: { schema: 'sales', table: 'daily' }, writeMode: 'append' },
    });
    expect(normalizeExportConfig(parse({ ...wh, destination: { ...wh.destination, writeMode: 'merge', key: ['id'] } })).destination).toMatchObject({
      writeMode: 'merge',
      key: ['id'],
    });
  });

  it('refuses paths leaving the root, NUL bytes, unknown formats and options of another format, naming the field', () => {
    expect(refusal({ ...file, destination: { ...file.destination, path: '../etc/x' } })).toContain('config.destination.path must match pattern');
    expect(refusal({ ...file, destination: { ...file.destination, path: '/abs' } })).toContain('config.destination.path must match pattern');
    expect(refusal({ ...file, destination: { ...file.destination, path: 'a\u0000b' } })).toContain('config.destination.path');
    expect(refusal({ ...file, destination: { ...file.destination, path: 'x'.repeat(1025) } })).toContain(
      'config.destination.path must NOT have more than 1024 characters',
    );
    expect(refusal({ ...file, destination: { ...file.destination, format: 'orc' } })).toContain(
      'config.destination.format must be one of "parquet", "csv", "xlsx"',
    );
    expect(refusal({ ...file, destination: { ...file.destination, compression: 'lz4' } })).toContain('config.destination.compression');
    expect(refusal({ ...file, destination: { ...file.destination, delimiter: ';' } })).toContain('config.destination.delimiter only for format csv');
    expect(refusal({ ...file, destination: { ...file.destination, format: 'xlsx', sheet: 'a/b' } })).toContain('config.destination.sheet must match pattern');
    expect(refusal({ ...file, destination: { ...file.destination, table: 'a.b' } })).toContain('config.destination.table only for a warehouse destination');
  });

  it('refuses bad warehouse tables, merge without key, key without merge, and file options on a warehouse', () => {
    expect(refusal({ ...wh, destination: { ...wh.destination, table: 'daily' } })).toContain('config.destination.table must match pattern');
    expect(refusal({ ...wh, destination: { ...wh.destination, table: 'sales.da"ily' } })).toContain('config.destination.table must match pattern');
    expect(refusal({ ...wh, destination: { ...wh.destination, writeMode: 'merge' } })).toContain('config.destination.key is required');
    expect(refusal({ ...wh, destination: { ...wh.destination, key: ['id'] } })).toContain('config.destination.writeMode');
    expect(refusal({ ...wh, destination: { ...wh.destination, format: 'csv' } })).toContain('config.destination.format only for a file destination');
    expect(refusal({ ...wh, destination: { ...wh.destination, kind: 'oracle' } })).toContain('config.destination.kind');
    expect(refusal({ ...wh, source: 'platinum.sales.daily' })).toContain('config.source must match pattern');
    expect(refusal({ ...wh, columns: [] })).toContain('config.columns must NOT have fewer than 1 items');
  });

  it('normalize re-checks what the schema checks and the columns against the source schema', () => {
    expect(problems({ ...wh, destination: { ...wh.destination, kind: 'redshift', writeMode: 'merge' } } as RawExportConfig)).toEqual(['destination.key']);
    expect(
      problems({ source: 'gold.x', destination: { kind: 'file', connection: 'c', path: '../x', format: 'csv', delimiter: '"' } } as RawExportConfig),
    ).toEqual(['source', 'destination.path', 'destination.delimiter']);
    expect(problems({ ...wh, columns: ['id', 'nope'] } as RawExportConfig, ['id', 'amount'])).toEqual(['columns[1]']);
    expect(
      problems({ ...wh, columns: ['id'], destination: { ...wh.destination, writeMode: 'merge', key: ['amount'] } } as RawExportConfig, ['id', 'amount']),
    ).toEqual(['destination.key[0]']);
    expect(problems({ ...wh, destination: { ...wh.destination, table: 'x.y.z' } } as RawExportConfig)).toEqual(['destination.table']);
  });

  it('parseDestinationTable splits schema.table and throws naming the field', () => {
    expect(parseDestinationTable('Sales_1.daily')).toEqual({ schema: 'Sales_1', table: 'daily' });
    expect(() => parseDestinationTable('sales.1daily', 'destination.table')).toThrow(/FF_EXPORT_CONFIG: destination.table: must be <schema>.<table>/);
  });
});
