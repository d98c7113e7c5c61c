import { validateJob } from './job.validator';
import { WorkflowValidationError } from './workflow.errors';

const fileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['path', 'format'],
  additionalProperties: false,
  properties: {
    path: { type: 'string', minLength: 1 },
    format: { enum: ['csv', 'parquet', 'json'] },
    options: { type: 'object', properties: { header: { type: 'boolean' } } },
  },
};
const ctx = { jobConfigSchema: (type: string) => (type === 'ingest.file' ? fileSchema : undefined) };

function thrown(fn: () => unknown): WorkflowValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowValidationError);
    return err as WorkflowValidationError;
  }
  throw new Error('expected a WorkflowValidationError');
}

describe('validateJob', () => {
  it('accepts a job and defaults its config to {}', () => {
    expect(validateJob({ name: 'notify', type: 'noop' })).toEqual({ name: 'notify', type: 'noop', config: {} });
    const job = { name: 'extract-customers', type: 'ingest.file', description: 'd', config: { path: 's3://x/', format: 'csv' } };
    expect(validateJob(job, ctx)).toEqual(job);
  });

  it('reports name, type and unknown fields together as FF_JOB_INVALID', () => {
    const err = thrown(() => validateJob({ name: 'Extract Orders', type: 'Ingest File', conf: {} }));
    expect(err.code).toBe('FF_JOB_INVALID');
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'conf: unknown field "conf" (did you mean "config"?)',
      'name: name "Extract Orders" is not valid: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters',
      'type: type "Ingest File" is not valid: use lower-case words of letters, digits, "_" and "-" joined by ".", e.g. "ingest.file"',
    ]);
  });

  it('checks the config against the job type schema, naming each field', () => {
    const err = thrown(() => validateJob({ name: 'x', type: 'ingest.file', config: { format: 'xml', pathh: 'a', options: { header: 'yes' } } }, ctx));
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'config: config is missing required property "path"',
      'config.pathh: config has unknown property "pathh" (did you mean "path"?)',
      'config.format: config.format must be equal to one of the allowed values: "csv", "parquet", "json"',
      'config.options.header: config.options.header must be boolean',
    ]);
  });

  it('refuses a job type no executor announced', () => {
    const err = thrown(() => validateJob({ name: 'x', type: 'ingest.ftp' }, ctx));
    expect(err.issues).toEqual([{ path: 'type', message: 'unknown job type "ingest.ftp" (no executor has announced it)' }]);
  });

  it('reports a schema that cannot be compiled against the type', () => {
    const broken = { jobConfigSchema: () => ({ type: 'object', properties: { a: { type: 'no-such-type' } } }) };
    const err = thrown(() => validateJob({ name: 'x', type: 'noop' }, broken));
    expect(err.issues[0]!.message).toMatch(/^job type "noop" has a config schema that cannot be compiled: /);
  });
});
