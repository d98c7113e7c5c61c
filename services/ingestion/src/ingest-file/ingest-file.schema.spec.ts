import { JobConfigValidator, JobError, type JobType } from '@flowforge/executor';
import { INGEST_FILE_CONFIG_SCHEMA, type IngestFileConfig } from './ingest-file.schema';

/** The schema as the executor kit compiles it (strict) and applies it at each dispatch. */
const jobType: JobType<IngestFileConfig> = {
  type: 'ingest.file',
  version: 1,
  configSchema: INGEST_FILE_CONFIG_SCHEMA,
  execute: () => Promise.reject(new Error('not run here')),
};
const validator = new JobConfigValidator([jobType]);
const parse = (config: unknown): IngestFileConfig => validator.parse(jobType, JSON.stringify(config)) as IngestFileConfig;
const refusal = (config: unknown): string => {
  try {
    parse(config);
  } catch (err) {
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).code).toBe('FF_JOB_CONFIG_INVALID');
    expect((err as JobError).retryable).toBe(false);
    return (err as JobError).detail;
  }
  throw new Error(`accepted ${JSON.stringify(config)}`);
};

const base = { connection: 'landing', glob: 'in/*.csv', target: { namespace: 'sales', table: 'orders' } };

describe('ingest.file config schema', () => {
  it('fills in the defaults', () => {
    expect(parse(base)).toEqual({
      ...base,
      format: 'auto',
      target: { layer: 'bronze', namespace: 'sales', table: 'orders' },
      mode: 'append',
      onSchemaChange: 'fail',
      reprocess: false,
    });
    expect(parse({ ...base, afterSuccess: {} }).afterSuccess).toEqual({ action: 'none', archivePrefix: 'archive/' });
    expect(parse({ ...base, limits: {} }).limits).toEqual({ maxFiles: 1000 });
  });

  it('embeds the format options of libs/ingest and its read limits', () => {
    const c = parse({ ...base, format: 'csv', options: { csv: { delimiter: ';' }, locale: { decimalSeparator: ',' } }, limits: { memoryLimit: '1GB' } });
    expect(c.options).toMatchObject({ csv: { delimiter: ';' }, locale: { decimalSeparator: ',' } });
    expect(refusal({ ...base, options: { csv: { sep: ';' } } })).toContain('config.options.csv.sep is not allowed');
    expect(refusal({ ...base, options: { format: 'csv' } })).toContain('config.options.format is not allowed');
    expect(refusal({ ...base, limits: { memoryLimit: 'lots' } })).toContain('config.limits.memoryLimit');
  });

  it('takes exactly one of path, glob, regex, naming the field that is one too many', () => {
    expect(parse({ ...base, glob: undefined, path: 'in/a.csv' }).path).toBe('in/a.csv');
    expect(parse({ ...base, glob: undefined, regex: '\\.csv$', under: 'in' })).toMatchObject({ regex: '\\.csv$', under: 'in' });
    expect(refusal({ ...base, path: 'in/a.csv' })).toContain('config.glob cannot be combined with path');
    expect(refusal({ ...base, regex: 'x' })).toContain('config.regex cannot be combined with glob');
    expect(refusal({ ...base, under: 'in' })).toContain('config.under cannot be combined with glob');
    expect(refusal({ connection: 'landing', target: base.target })).toContain('config.path is required');
  });

  it('refuses paths that leave the connection root and names the lake cannot hold', () => {
    expect(refusal({ ...base, glob: '../etc/*' })).toContain('config.glob must match pattern');
    expect(refusal({ ...base, glob: '/etc/*' })).toContain('config.glob must match pattern');
    expect(refusal({ ...base, glob: 'in\\*.csv' })).toContain('config.glob must match pattern');
    expect(refusal({ ...base, target: { namespace: 'sales', table: 'Orders' } })).toContain('config.target.table must match pattern');
    // 54 characters at most: <table>__rejects must still be a lake name (63).
    expect(parse({ ...base, target: { namespace: 'sales', table: `t${'x'.repeat(53)}` } }).target.table).toHaveLength(54);
    expect(refusal({ ...base, target: { namespace: 'sales', table: `t${'x'.repeat(54)}` } })).toContain('config.target.table must match pattern');
    expect(refusal({ ...base, target: { layer: 'silver', namespace: 'sales', table: 'orders' } })).toContain('config.target.layer');
    expect(refusal({ ...base, afterSuccess: { action: 'archive', archivePrefix: 'done' } })).toContain('config.afterSuccess.archivePrefix must match pattern');
    expect(refusal({ ...base, mode: 'upsert' })).toContain('config.mode must be one of "append", "replace"');
    expect(refusal({ ...base, maxRejected: { percent: 120 } })).toContain('config.maxRejected.percent must be <= 100');
    expect(refusal({ ...base, connection: '' })).toContain('config.connection');
  });
});
