import { builtinJobTypes, failJob, sleepJob } from './builtin';
import { JobConfigValidator, fieldPath } from './job-config.validator';
import { ExecutorError, JobError } from './job.error';
import type { JobType } from './job-type';

const nested: JobType = {
  type: 'nested',
  version: 2,
  configSchema: {
    type: 'object',
    properties: {
      source: {
        type: 'object',
        properties: { paths: { type: 'array', items: { type: 'string' } }, mode: { enum: ['full', 'delta'] } },
        required: ['mode'],
      },
      password: { type: 'string', minLength: 12 },
    },
    required: ['source'],
  },
  execute: async () => undefined,
};

function errorOf(fn: () => unknown): JobError {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobError) return err;
    throw err;
  }
  throw new Error('expected a JobError');
}

describe('JobConfigValidator', () => {
  const validator = new JobConfigValidator([...builtinJobTypes, nested]);

  it('returns the parsed config with schema defaults filled in', () => {
    expect(validator.parse(failJob, '{"message":"boom"}')).toEqual({ message: 'boom', retryable: true });
    expect(validator.parse(sleepJob, '{"ms":0}')).toEqual({ ms: 0 });
  });

  it('names each offending field, not retryable', () => {
    const err = errorOf(() => validator.parse(sleepJob, '{"ms":-1,"extra":true}'));
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'FF_JOB_CONFIG_INVALID', retryable: false });
    expect(err.detail).toContain('job type "sleep" v1');
    expect(err.detail).toContain('config.ms must be >= 0');
    expect(err.detail).toContain('config.extra is not allowed');
    expect(errorOf(() => validator.parse(sleepJob, '{}')).detail).toContain('config.ms is required');
  });

  it('names nested fields and array items', () => {
    const err = errorOf(() => validator.parse(nested, '{"source":{"paths":["a",7],"mode":"sometimes"}}'));
    expect(err.detail).toContain('config.source.paths[1] must be string');
    expect(err.detail).toContain('config.source.mode must be one of "full", "delta"');
  });

  it('never echoes the values of the config (they may be secrets)', () => {
    const err = errorOf(() => validator.parse(nested, '{"source":{"mode":"full"},"password":"hunter2"}'));
    expect(err.detail).toContain('config.password must NOT have fewer than 12 characters');
    expect(err.message).not.toContain('hunter2');
  });

  it('refuses text that is not JSON', () => {
    const err = errorOf(() => validator.parse(sleepJob, '{ms: 5'));
    expect(err.code).toBe('FF_JOB_CONFIG_INVALID');
    expect(err.detail).toMatch(/^config of job type "sleep" is not valid JSON/);
  });

  it('refuses at construction a schema that does not compile, naming the job type', () => {
    const broken: JobType = { type: 'broken', version: 1, configSchema: { type: 'object', propertees: {} }, execute: async () => undefined };
    expect(() => new JobConfigValidator([broken])).toThrow(ExecutorError);
    expect(() => new JobConfigValidator([broken])).toThrow(/FF_EXECUTOR_SCHEMA_INVALID: configSchema of job type "broken" v1/);
  });

  it('writes JSON pointers as field paths', () => {
    expect(fieldPath('')).toBe('config');
    expect(fieldPath('/a/0/b')).toBe('config.a[0].b');
    expect(fieldPath('/with space', 'x~1y')).toBe('config["with space"]["x/y"]');
  });
});
